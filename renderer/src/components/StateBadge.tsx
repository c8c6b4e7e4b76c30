interface Props {
  /** The state as one word ("Synced"). */
  label: string;
  /** Colour family: the state's own name, e.g. `synced`, `error`, `paused`. */
  tone: string;
  /** More about it on hover, e.g. the error message. */
  detail?: string | null;
}

/** A sync state as a small labelled pill; the word carries the meaning, colour only helps. */
export function StateBadge({ label, tone, detail }: Props) {
  return (
    <span className={`state state-${tone}`} title={detail ?? undefined}>
      {label}
    </span>
  );
}
