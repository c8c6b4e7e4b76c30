// The Files view's folder filter, kept outside the view so that it survives navigation and
// so that files dropped on the window go into the folder the Files view shows.
import { useCallback, useSyncExternalStore } from 'react';

let current: string | null = null;
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

export function filesFolderFilter(): string | null {
  return current;
}

export function setFilesFolderFilter(folderId: string | null): void {
  if (folderId === current) return;
  current = folderId;
  for (const listener of [...listeners]) listener();
}

/** The folder id the Files view is filtered to (null: all folders) and its setter. */
export function useFilesFolderFilter(): [string | null, (folderId: string | null) => void] {
  const value = useSyncExternalStore(subscribe, filesFolderFilter);
  const set = useCallback((folderId: string | null) => setFilesFolderFilter(folderId), []);
  return [value, set];
}
