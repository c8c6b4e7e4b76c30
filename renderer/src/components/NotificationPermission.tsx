import { useState } from 'react';

type Permission = NotificationPermission | 'unsupported';

function current(): Permission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/**
 * Browser mode: whether new conflicts come as desktop notifications, and a button that asks
 * the browser for them. Without them, new conflicts show as notices in the page.
 */
export function NotificationPermission() {
  const [permission, setPermission] = useState<Permission>(current);
  const [asking, setAsking] = useState(false);

  const ask = async (): Promise<void> => {
    setAsking(true);
    try {
      setPermission(await Notification.requestPermission());
    } catch {
      setPermission(current());
    } finally {
      setAsking(false);
    }
  };

  return (
    <div className="notification-permission" aria-live="polite">
      {permission === 'granted' ? (
        <p className="field-hint">New conflicts are shown as desktop notifications.</p>
      ) : permission === 'default' ? (
        <p className="form-actions">
          <button type="button" disabled={asking} onClick={() => void ask()}>
            Allow notifications
          </button>
          <span className="field-hint">
            New conflicts then show as desktop notifications; until then, as notices in this page.
          </span>
        </p>
      ) : permission === 'denied' ? (
        <p className="field-hint">
          This browser blocks notifications from this page, so new conflicts show as notices in the
          page. Allow notifications in the site settings of the browser to get them.
        </p>
      ) : (
        <p className="field-hint">
          This browser shows no desktop notifications; new conflicts show as notices in the page.
        </p>
      )}
    </div>
  );
}
