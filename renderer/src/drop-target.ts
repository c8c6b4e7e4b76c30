// Where files dropped on the window go, and what the notices about them say. Pure, so it
// runs under Node for the unit tests.
import type { FolderSummary } from '../../main/contract/sync.js';
import { displayPath } from './display-format.js';

export type DropDestination =
  | { kind: 'folder'; folder: FolderSummary }
  | { kind: 'choose'; folders: FolderSummary[] }
  | { kind: 'none'; message: string };

/**
 * The folder of the Files view's filter when one is set, else the only watched folder,
 * else the user chooses among all of them.
 */
export function dropDestination(
  folders: readonly FolderSummary[] | null,
  preferredFolderId: string | null,
): DropDestination {
  if (folders === null) {
    return {
      kind: 'none',
      message: 'The watched folders are not loaded yet; drop the files again in a moment.',
    };
  }
  if (folders.length === 0) {
    return {
      kind: 'none',
      message: 'No folder is watched yet: add one under Folders, then drop the files again.',
    };
  }
  const preferred =
    preferredFolderId === null ? undefined : folders.find((f) => f.id === preferredFolderId);
  if (preferred) return { kind: 'folder', folder: preferred };
  if (folders.length === 1) return { kind: 'folder', folder: folders[0] as FolderSummary };
  return { kind: 'choose', folders: [...folders] };
}

/**
 * The name a dropped file gets inside the folder: its path within a dropped directory
 * (`/photos/a.jpg` from a directory entry) or else its own name.
 */
export function dropName(entryPath: string | null | undefined, fileName: string): string {
  const fromEntry = (entryPath ?? '').replace(/^\/+/, '');
  return fromEntry !== '' ? fromEntry : fileName;
}

/** `/drop/<folderId>?name=<name>`: where browser mode uploads a dropped file. */
export function dropUrl(folderId: string, name: string): string {
  return `/drop/${encodeURIComponent(folderId)}?name=${encodeURIComponent(name)}`;
}

/** The relative path from a 201 answer of the drop endpoint (`{"path": "…"}`). */
export function writtenPath(body: string, fallback: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null) {
      const value = (parsed as Record<string, unknown>).path;
      if (typeof value === 'string' && value !== '') return value;
    }
  } catch {
    // Not JSON: the name that was sent is the best answer.
  }
  return fallback;
}

export function copiedMessage(relPath: string, folder: Pick<FolderSummary, 'path'>): string {
  return `Copied ${relPath} into ${displayPath(folder.path)}`;
}

export function notCopiedMessage(
  name: string,
  folder: Pick<FolderSummary, 'path'>,
  reason: string,
): string {
  const why = reason.trim().replace(/\.$/, '');
  return `Could not copy ${name} into ${displayPath(folder.path)}: ${why}.`;
}

/** "Copy report.txt into which folder?" / "Copy 3 files into which folder?" */
export function chooserQuestion(names: readonly string[]): string {
  const what = names.length === 1 ? (names[0] as string) : `${names.length} files`;
  return `Copy ${what} into which folder?`;
}
