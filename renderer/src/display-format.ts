// How sizes, versions, paths, states and counts read in the UI. Pure, so it runs under Node
// for the unit tests.
import type { FileSyncState, FolderCounts, FolderState } from '../../main/contract/sync.js';

const UNITS = ['KB', 'MB', 'GB', 'TB', 'PB'] as const;

/** 0 bytes, 999 bytes, 1.0 KB, 12.3 MB, 512 GB (binary multiples, one decimal below 100). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1000) return bytes === 1 ? '1 byte' : `${Math.round(bytes)} bytes`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 999.95 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = value < 99.95 ? 1 : 0;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** The first characters of a version id, enough to tell versions apart at a glance. */
export function shortVersionId(versionId: string | null, length = 8): string {
  if (versionId === null || versionId === '') return '—';
  return versionId.length <= length + 1 ? versionId : `${versionId.slice(0, length)}…`;
}

/** `/home/ann/Replica Sync` → `~/Replica Sync`; the same for macOS and Windows homes. */
export function displayPath(path: string): string {
  const posix = /^\/(?:home|Users)\/[^/]+(?=\/|$)/.exec(path);
  if (posix) return `~${path.slice(posix[0].length)}`;
  const windows = /^[A-Za-z]:\\Users\\[^\\]+(?=\\|$)/.exec(path);
  if (windows) return `~${path.slice(windows[0].length)}`;
  return path;
}

/** The last segment of a relative or absolute path. */
export function baseName(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, '');
  const cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return cut >= 0 ? trimmed.slice(cut + 1) : trimmed;
}

/** Whole percent of done/total, clamped; null when there is nothing to measure. */
export function percentOf(done: number, total: number): number | null {
  if (!Number.isFinite(done) || !Number.isFinite(total) || total <= 0) return null;
  return Math.min(100, Math.max(0, Math.floor((done / total) * 100)));
}

export const FILE_STATE_LABELS: Record<FileSyncState, string> = {
  pending: 'Pending',
  uploading: 'Uploading',
  synced: 'Synced',
  interrupted: 'Interrupted',
  conflict: 'Conflict',
  error: 'Error',
  deleted: 'Deleted',
};

export const FILE_STATES = Object.keys(FILE_STATE_LABELS) as FileSyncState[];

export const FOLDER_STATE_LABELS: Record<FolderState, string> = {
  idle: 'Idle',
  scanning: 'Scanning',
  syncing: 'Syncing',
  paused: 'Paused',
  error: 'Error',
};

/** "1 file" / "1,204 files". */
export function countFiles(count: number): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? 'file' : 'files'}`;
}

/** "12 files: 10 synced, 1 pending, 1 uploading", leaving out the zero counts. */
export function describeCounts(counts: FolderCounts): string {
  const parts: string[] = [];
  const add = (n: number, word: string, plural = word): void => {
    if (n > 0) parts.push(`${n.toLocaleString('en-US')} ${n === 1 ? word : plural}`);
  };
  add(counts.synced, 'synced');
  add(counts.pending, 'pending');
  add(counts.uploading, 'uploading');
  add(counts.conflict, 'conflict', 'conflicts');
  add(counts.error, 'error', 'errors');
  add(counts.deleted, 'deleted');
  const head = countFiles(counts.total);
  return parts.length > 0 ? `${head}: ${parts.join(', ')}` : head;
}
