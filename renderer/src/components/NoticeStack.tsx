export interface Notice {
  id: number;
  tone: 'ok' | 'error';
  text: string;
}

interface Props {
  notices: readonly Notice[];
  onDismiss: (id: number) => void;
}

/** Short-lived notices in a corner (what became of dropped files), read out as they come. */
export function NoticeStack({ notices, onDismiss }: Props) {
  return (
    <div className="notice-stack" role="log" aria-label="Notifications" aria-live="polite">
      {notices.map((notice) => (
        <div key={notice.id} className={`toast toast-${notice.tone}`}>
          <p className="toast-text">{notice.text}</p>
          <button
            type="button"
            className="toast-dismiss"
            aria-label={`Dismiss: ${notice.text}`}
            onClick={() => onDismiss(notice.id)}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
