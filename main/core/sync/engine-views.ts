// How the engine's records look to the UI: folder summaries and file rows.
import type { FileRow, FolderCounts, FolderSummary } from '../../contract/index.js';
import type { FileIndex, FileRecord, SyncState } from '../index/file-index.js';
import type { QueueItemInfo } from '../transfer/upload-queue.js';
import type { FolderLoop } from './folder-loop.js';

export function queueIdOf(folderId: string, relPath: string): string {
  return `${folderId}:${relPath}`;
}

export function toFileRow(r: FileRecord, queued: Map<string, QueueItemInfo>): FileRow {
  const item = queued.get(queueIdOf(r.folderId, r.relPath));
  return {
    folderId: r.folderId,
    relPath: r.relPath,
    size: r.size,
    mtimeMs: r.mtimeMs,
    state: r.state,
    versionId: r.versionId,
    error: r.error,
    progress:
      item && item.state === 'running' && item.total > 0
        ? Math.min(1, item.sent / item.total)
        : null,
  };
}

/** A folder's counts from its rows per state: interrupted counts as pending, deleted not in total. */
export function folderCounts(c: Record<SyncState, number>): FolderCounts {
  return {
    total: c.pending + c.uploading + c.synced + c.interrupted + c.conflict + c.error,
    synced: c.synced,
    pending: c.pending + c.interrupted,
    uploading: c.uploading,
    conflict: c.conflict,
    error: c.error,
    deleted: c.deleted,
  };
}

export function summarize(
  loop: FolderLoop,
  index: FileIndex,
  items: QueueItemInfo[],
): FolderSummary {
  const f = loop.folder;
  const mine = items.filter((i) => i.id.startsWith(`${f.id}:`));
  return {
    id: f.id,
    path: f.localPath,
    accountId: f.accountId,
    bucket: f.bucket,
    prefix: f.prefix,
    region: f.region,
    state: loop.state,
    userPaused: loop.userPaused,
    error: loop.error,
    massDelete: loop.massDelete,
    counts: folderCounts(index.countsByState(f.id)),
    progress: {
      bytesDone: mine.reduce((n, i) => n + i.sent, 0),
      bytesTotal: mine.reduce((n, i) => n + i.total, 0),
      files: mine.length,
    },
    nameProblems: loop.nameProblems,
  };
}
