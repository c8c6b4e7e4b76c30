import { useCallback, useSyncExternalStore } from 'react';
import { conflictHref, conflictIdFromHash, routeHref } from '../routes.js';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

function snapshot(): string | null {
  return conflictIdFromHash(window.location.hash);
}

/** The conflict the address selects (`#/conflicts/<id>`), and a way to select another. */
export function useSelectedConflict(): [string | null, (id: string | null) => void] {
  const selected = useSyncExternalStore(subscribe, snapshot);
  const select = useCallback((id: string | null) => {
    window.location.hash = id === null ? routeHref('conflicts') : conflictHref(id);
  }, []);
  return [selected, select];
}
