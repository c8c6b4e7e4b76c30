import { useCallback, useEffect, useRef, useState } from 'react';
import type { ConflictSummary } from '../../../main/contract/conflicts.js';
import { conflictNotices, NotifiedConflicts, type ConflictNotice } from '../conflict-notices.js';
import { conflictHref, routeHref } from '../routes.js';
import { ToastList } from './ToastList.js';

interface Props {
  /** The open conflicts; null while loading. */
  conflicts: readonly ConflictSummary[] | null;
}

interface Toast extends ConflictNotice {
  key: number;
}

const TOAST_MS = 15000;
const MAX_TOASTS = 4;

function pageStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function hrefOf(notice: ConflictNotice): string {
  return notice.conflictId ? conflictHref(notice.conflictId) : routeHref('conflicts');
}

/**
 * Browser mode: tells of each new conflict once (remembered in the page's storage), as a
 * desktop notification when the browser allows it, else as a notice in the page. (The
 * desktop app notifies from main instead.)
 */
export function ConflictNotifier({ conflicts }: Props) {
  const notified = useRef<NotifiedConflicts | null>(null);
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextKey = useRef(1);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());

  const dismiss = useCallback((key: number) => {
    const timer = timers.current.get(key);
    if (timer !== undefined) clearTimeout(timer);
    timers.current.delete(key);
    setToasts((current) => current.filter((t) => t.key !== key));
  }, []);

  useEffect(() => {
    if (conflicts === null) return;
    notified.current ??= new NotifiedConflicts(pageStorage());
    const notices = conflictNotices(notified.current.takeFresh(conflicts));
    if (notices.length === 0) return;
    const desktop = typeof Notification !== 'undefined' && Notification.permission === 'granted';
    for (const notice of notices) {
      if (desktop) {
        try {
          const shown = new Notification(notice.title, {
            body: notice.body,
            ...(notice.conflictId ? { tag: notice.conflictId } : {}),
          });
          shown.onclick = () => {
            window.focus();
            window.location.hash = hrefOf(notice);
            shown.close();
          };
          continue;
        } catch {
          // Some browsers allow notifications only from a service worker: a notice instead.
        }
      }
      const key = nextKey.current++;
      setToasts((current) => [...current, { ...notice, key }].slice(-MAX_TOASTS));
      timers.current.set(
        key,
        setTimeout(() => dismiss(key), TOAST_MS),
      );
    }
  }, [conflicts, dismiss]);

  useEffect(() => {
    const pending = timers.current;
    return () => {
      for (const timer of pending.values()) clearTimeout(timer);
      pending.clear();
    };
  }, []);

  return (
    <ToastList
      toasts={toasts.map((t) => ({
        key: t.key,
        title: t.title,
        body: t.body,
        href: hrefOf(t),
        action: t.conflictId ? 'Compare' : 'Show conflicts',
      }))}
      label="Conflict notifications"
      className="notice-stack-conflicts"
      onDismiss={dismiss}
    />
  );
}
