export interface ToastItem {
  key: number;
  title: string;
  body: string;
  href: string;
  /** The link's words ("Compare", "Show files"). */
  action: string;
}

interface Props {
  toasts: readonly ToastItem[];
  /** Names the stack for assistive technology ("Conflict notifications"). */
  label: string;
  /** Where the stack sits (a notice-stack-* class). */
  className: string;
  onDismiss: (key: number) => void;
}

/** Notices in the page (browser mode), each with its link and a dismiss button. */
export function ToastList({ toasts, label, className, onDismiss }: Props) {
  return (
    <div className={`notice-stack ${className}`} role="log" aria-label={label} aria-live="polite">
      {toasts.map((toast) => (
        <div key={toast.key} className="toast toast-conflict">
          <div className="toast-text">
            <p className="toast-title">{toast.title}</p>
            <p>{toast.body}</p>
            <a href={toast.href} onClick={() => onDismiss(toast.key)}>
              {toast.action}
            </a>
          </div>
          <button
            type="button"
            className="toast-dismiss"
            aria-label={`Dismiss: ${toast.title}`}
            onClick={() => onDismiss(toast.key)}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
