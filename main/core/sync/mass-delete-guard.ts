// Stops a batch that would delete much of a folder until the user confirms: an unmounted
// drive or a wrong move looks like "everything was deleted" to the watcher.

export interface MassDeleteOptions {
  /** Ask when more files than this would be deleted. */
  maxFiles?: number;
  /** Ask when more than this percentage of the folder's files would be deleted. */
  maxPercent?: number;
  /**
   * The percentage rule starts at this many deletes, so deleting the one file of a new
   * folder is not a "mass" delete.
   */
  minFilesForPercent?: number;
}

export type MassDeleteVerdict =
  | { verdict: 'ok' }
  | { verdict: 'ask'; deletes: number; fileCount: number; percent: number; message: string };

export const DEFAULT_MAX_DELETE_FILES = 50;
export const DEFAULT_MAX_DELETE_PERCENT = 50;
export const DEFAULT_MIN_FILES_FOR_PERCENT = 5;

/**
 * deletes: the paths the batch would delete; fileCount: the folder's tracked files
 * before the batch (rows not already deleted); folder: how the user knows the folder.
 */
export function checkMassDelete(
  deletes: readonly string[],
  fileCount: number,
  folder: string,
  options: MassDeleteOptions = {},
): MassDeleteVerdict {
  const maxFiles = options.maxFiles ?? DEFAULT_MAX_DELETE_FILES;
  const maxPercent = options.maxPercent ?? DEFAULT_MAX_DELETE_PERCENT;
  const n = deletes.length;
  if (n === 0) return { verdict: 'ok' };
  // More deletes than known files (a stale count) counts as all of them.
  const total = Math.max(fileCount, n);
  const percent = (n / total) * 100;
  const minForPercent = options.minFilesForPercent ?? DEFAULT_MIN_FILES_FOR_PERCENT;
  if (n <= maxFiles && (percent <= maxPercent || n < minForPercent)) return { verdict: 'ok' };
  const files = (k: number) => `${k} file${k === 1 ? '' : 's'}`;
  const share = n === total ? 'all' : `${Math.round(percent)}%`;
  return {
    verdict: 'ask',
    deletes: n,
    fileCount: total,
    percent: Math.round(percent),
    message:
      `${files(n)} (${share} of ${files(total)}) were deleted in ${folder}. Delete them in ` +
      `the bucket too? If the folder's drive is disconnected or the files were moved by ` +
      `mistake, restore them first; nothing is deleted until you confirm.`,
  };
}
