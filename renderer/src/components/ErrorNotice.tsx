import type { ContractError } from '../contract-error.js';
import { routeHref } from '../routes.js';

interface Props {
  error: ContractError;
  /** What failed, e.g. "Could not load the activity". */
  title: string;
  onRetry?: () => void;
}

/** A failure with the message from main and the action it suggests. */
export function ErrorNotice({ error, title, onRetry }: Props) {
  const action = error.action;
  const showRetry = onRetry !== undefined && (action === undefined || action.kind === 'retry');
  return (
    <div className="notice notice-error" role="alert">
      <p className="notice-title">{title}</p>
      <p>{error.message}</p>
      {showRetry || action?.kind === 'open-settings' ? (
        <p className="notice-actions">
          {showRetry ? (
            <button type="button" onClick={onRetry}>
              Try again
            </button>
          ) : null}
          {action?.kind === 'open-settings' ? (
            <a href={routeHref('settings')}>Open settings</a>
          ) : null}
        </p>
      ) : null}
    </div>
  );
}
