import type { FolderSummary } from '../../../main/contract/sync.js';
import { api } from '../api-instance.js';
import { useLiveValue, type LiveValue } from './use-live-value.js';

const load = (signal: AbortSignal): Promise<FolderSummary[]> =>
  api.invoke('folders.list', {}, { signal });
const subscribe = (listener: (folders: FolderSummary[]) => void): (() => void) =>
  api.on('folders.changed', listener);

/** Every watched folder from folders.list, kept current by 'folders.changed' (the full list). */
export function useFolders(): LiveValue<FolderSummary[]> {
  return useLiveValue(load, subscribe);
}

/** The list with one folder replaced by a command's fresher answer. */
export function withFolder(
  folders: readonly FolderSummary[],
  folder: FolderSummary,
): FolderSummary[] {
  return folders.some((f) => f.id === folder.id)
    ? folders.map((f) => (f.id === folder.id ? folder : f))
    : [...folders, folder];
}
