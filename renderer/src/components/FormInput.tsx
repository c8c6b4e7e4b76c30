import { FieldError } from './FieldError.js';

interface Props {
  id: string;
  label: string;
  value: string;
  type?: 'text' | 'password' | 'url';
  hint?: string;
  error?: string | undefined;
  /** Id of a <datalist> of suggestions (the input becomes a combobox). */
  list?: string;
  autoComplete?: string;
  placeholder?: string;
  disabled?: boolean;
  onChange: (value: string) => void;
}

/** A labelled input with its hint and its problem, both read with it. */
export function FormInput({
  id,
  label,
  value,
  type = 'text',
  hint,
  error,
  list,
  autoComplete = 'off',
  placeholder,
  disabled,
  onChange,
}: Props) {
  const describedBy =
    [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        className="form-input"
        type={type}
        autoComplete={autoComplete}
        spellCheck={false}
        value={value}
        list={list}
        placeholder={placeholder}
        disabled={disabled}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(event) => onChange(event.target.value)}
      />
      {hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}
