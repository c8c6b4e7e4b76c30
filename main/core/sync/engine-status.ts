// The app's overall state for the status bar and the tray, from the folders' summaries.
import path from 'node:path';
import type { AppState, FolderSummary } from '../../contract/index.js';

/** The first matching case wins: an error, then pause, then deletes to confirm, then work. */
export function overallStatus(folders: FolderSummary[], paused: boolean): Partial<AppState> {
  // The conflict count is the conflict service's: it sees forks the index cannot.
  const base = { folders: folders.map((f) => f.path) };
  const failing = folders.find((f) => f.state === 'error');
  if (failing)
    return {
      ...base,
      status: 'error',
      message: `${path.basename(failing.path)}: ${failing.error ?? 'error'}`,
    };
  if (paused) return { ...base, status: 'paused', message: 'Paused' };
  const asking = folders.find((f) => f.massDelete);
  if (asking)
    return {
      ...base,
      status: 'paused',
      message: `${path.basename(asking.path)}: waiting for you to confirm deletes`,
    };
  const waiting = folders.reduce((n, f) => n + f.counts.pending + f.counts.uploading, 0);
  const busy = folders.some((f) => f.state === 'scanning' || f.state === 'syncing');
  if (waiting > 0)
    return {
      ...base,
      status: 'syncing',
      message: `Syncing ${waiting} file${waiting === 1 ? '' : 's'}`,
    };
  if (busy) return { ...base, status: 'syncing', message: 'Checking for changes' };
  return { ...base, status: 'idle', message: 'Up to date' };
}
