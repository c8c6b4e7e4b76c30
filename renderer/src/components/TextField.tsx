import { FieldError } from './FieldError.js';

interface Props {
  id: string;
  label: string;
  value: string;
  hint?: string;
  error?: string;
  /** Values offered as the user types (a datalist); any other value may still be typed. */
  suggestions?: readonly string[];
  onChange: (value: string) => void;
}

/** A labelled text input with its hint and its problem, both read with it. */
export function TextField({ id, label, value, hint, error, suggestions, onChange }: Props) {
  const listId = suggestions && suggestions.length > 0 ? `${id}-suggestions` : undefined;
  const describedBy =
    [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        autoComplete="off"
        spellCheck={false}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        list={listId}
        onChange={(event) => onChange(event.target.value)}
      />
      {listId ? (
        <datalist id={listId}>
          {suggestions?.map((suggestion) => (
            <option key={suggestion} value={suggestion} />
          ))}
        </datalist>
      ) : null}
      {hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}
