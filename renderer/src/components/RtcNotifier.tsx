import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api-instance.js';
import { routeHref } from '../routes.js';
import { rtcBreachKey } from '../rtc-notice.js';
import { ToastList } from './ToastList.js';

interface Toast {
  key: number;
  title: string;
  body: string;
}

const TOAST_MS = 20000;
const MAX_TOASTS = 3;

/**
 * Browser mode: tells of each Replication Time Control breach once, as a desktop notification
 * when the browser allows it, else as a notice in the page. (The desktop app notifies from main.)
 */
export function RtcNotifier() {
  const told = useRef(new Set<string>());
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextKey = useRef(1);

  const dismiss = useCallback((key: number) => {
    setToasts((current) => current.filter((t) => t.key !== key));
  }, []);

  useEffect(
    () =>
      api.on('replication.rtcBreach', (breach) => {
        const id = rtcBreachKey(breach);
        if (told.current.has(id)) return;
        told.current.add(id);
        const notice = { title: breach.title, body: breach.body };
        if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
          try {
            const shown = new Notification(notice.title, { body: notice.body, tag: id });
            shown.onclick = () => {
              window.focus();
              window.location.hash = routeHref('files');
              shown.close();
            };
            return;
          } catch {
            // Only a service worker may notify here: a notice in the page instead.
          }
        }
        const key = nextKey.current++;
        setToasts((current) => [...current, { ...notice, key }].slice(-MAX_TOASTS));
        setTimeout(() => dismiss(key), TOAST_MS);
      }),
    [dismiss],
  );

  return (
    <ToastList
      toasts={toasts.map((t) => ({ ...t, href: routeHref('files'), action: 'Show files' }))}
      label="Replication notifications"
      className="notice-stack-replication"
      onDismiss={dismiss}
    />
  );
}
