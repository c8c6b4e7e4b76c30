interface Props {
  id: string;
  message: string | undefined;
}

function sentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** A field's problem, referenced by the input's aria-describedby. */
export function FieldError({ id, message }: Props) {
  if (!message) return null;
  return (
    <p className="field-error" id={id}>
      {sentence(message)}
    </p>
  );
}
