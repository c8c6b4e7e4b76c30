interface Props {
  /** What progresses, e.g. "Upload progress of ~/Documents". */
  label: string;
  value: number;
  max: number;
  /** The value in words, for screen readers and beside the bar ("1.2 MB of 4.0 MB"). */
  valueText?: string;
}

/** A native progress bar with a name and, optionally, its value in words beside it. */
export function ProgressBar({ label, value, max, valueText }: Props) {
  const safeMax = max > 0 ? max : 1;
  const safeValue = Math.min(Math.max(value, 0), safeMax);
  return (
    <span className="progress">
      <progress
        className="progress-bar"
        aria-label={label}
        aria-valuetext={valueText}
        max={safeMax}
        value={safeValue}
      />
      {valueText ? (
        <span className="progress-text" aria-hidden="true">
          {valueText}
        </span>
      ) : null}
    </span>
  );
}
