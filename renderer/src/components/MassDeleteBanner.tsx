import type { MassDeleteQuestion } from '../../../main/contract/sync.js';

interface Props {
  question: MassDeleteQuestion;
  busy: boolean;
  onAnswer: (proceed: boolean) => void;
}

/** The folder waits: many local files disappeared at once; delete them in the bucket too? */
export function MassDeleteBanner({ question, busy, onAnswer }: Props) {
  return (
    <div className="notice notice-warn mass-delete" role="alert">
      <p className="notice-title">
        {question.count === 1 ? '1 file was deleted' : `${question.count} files were deleted`}
      </p>
      <p>{question.message}</p>
      <p className="notice-actions">
        <button
          type="button"
          className="button-danger"
          disabled={busy}
          onClick={() => onAnswer(true)}
        >
          Delete them
        </button>
        <button type="button" disabled={busy} onClick={() => onAnswer(false)}>
          Keep the files
        </button>
      </p>
    </div>
  );
}
