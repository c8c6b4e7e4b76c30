import { FieldError } from './FieldError.js';

interface Props {
  id: string;
  label: string;
  value: string;
  hint?: string;
  error?: string;
  rows?: number;
  placeholder?: string;
  onChange: (value: string) => void;
  onBlur?: () => void;
}

/** A labelled multi-line input with its hint and its problem, both read with it. */
export function TextAreaField(props: Props) {
  const { id, label, value, hint, error, rows = 3, placeholder, onChange, onBlur } = props;
  const describedBy =
    [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        className="form-textarea"
        rows={rows}
        spellCheck={false}
        value={value}
        placeholder={placeholder}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(event) => onChange(event.target.value)}
        onBlur={onBlur}
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
