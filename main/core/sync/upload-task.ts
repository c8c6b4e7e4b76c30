// One file's upload as a queue task, and what its result means for the index. Runs outside
// the folder's serial loop, so it re-reads the row before writing: a newer local change
// recorded meanwhile is never marked synced by an older upload.
import path from 'node:path';
import type { FileRecord } from '../index/file-index.js';
import { FileReadError } from '../transfer/upload-common.js';
import { stampFile } from '../transfer/content-hash.js';
import { uploadFile } from '../transfer/uploader.js';
import type { QueueTaskContext } from '../transfer/upload-queue.js';
import type { FolderConfig, FolderDeps } from './folder-types.js';
import { failureKind } from './retry-policy.js';

/**
 * retry: a transient failure (the service busy or down, the network): the row stays pending
 * and the loop tries again with backoff. fileError: this file's own problem (the row is in
 * error); `retry` says whether trying again alone may help (an unreadable file). folderError:
 * nothing in this folder can upload until it is fixed (credentials, the bucket).
 */
export type UploadOutcome =
  | 'synced'
  | 'conflict'
  | 'requeue'
  | 'gone'
  | 'cancelled'
  | { retry: string }
  | { fileError: string; retry: boolean }
  | { folderError: string };

export async function runUpload(
  folder: FolderConfig,
  deps: FolderDeps,
  relPath: string,
  ctx: QueueTaskContext,
): Promise<UploadOutcome> {
  const { index, parts } = deps;
  const row = index.get(folder.id, relPath);
  if (!row || !['pending', 'interrupted', 'error', 'uploading'].includes(row.state)) return 'gone';
  const filePath = path.join(folder.localPath, ...relPath.split('/'));
  const startStamp = await stampFile(filePath).catch(() => undefined);
  if (!startStamp) return 'gone';
  setRow(deps, folder, relPath, { state: 'uploading', error: null });

  const resume = row.uploadId ? parseResume(row.uploadId) : undefined;
  try {
    const result = await uploadFile({
      client: deps.client,
      bucket: folder.bucket,
      key: row.key,
      filePath,
      device: deps.device,
      bases: row.versionId ? [row.versionId] : [],
      condition: row.versionId && row.etag ? { kind: 'edit', etag: row.etag } : { kind: 'new' },
      strategy: deps.strategy(),
      onNote: (message) => deps.log('warn', message),
      region: folder.region,
      signal: ctx.signal,
      ...(deps.tuning.multipartThreshold !== undefined
        ? { multipartThreshold: deps.tuning.multipartThreshold }
        : {}),
      ...(resume
        ? {
            resume: {
              ...resume,
              // A part recorded without its checksum cannot be completed; send it again.
              parts: parts
                .list(folder.id, relPath, resume.uploadId)
                .flatMap((p) => (p.checksum ? [{ ...p, checksum: p.checksum }] : [])),
            },
          }
        : {}),
      onMultipartStarted: (started) => {
        index.update(folder.id, relPath, { uploadId: JSON.stringify(started) });
      },
      onPartDone: (part) => parts.record(folder.id, relPath, resumeId(folder, deps, relPath), part),
      onProgress: (sent, total) => ctx.progress(sent, total),
    });
    const current = index.get(folder.id, relPath);
    // A newer local change recorded while this ran: keep what S3 now has as its base.
    // Compared with what was actually sent, not with the row as read before sending.
    const superseded =
      !current || current.mtimeMs !== startStamp.mtimeMs || current.size !== startStamp.size;
    if (result.kind === 'uploaded') {
      parts.clear(folder.id, relPath);
      setRow(deps, folder, relPath, {
        versionId: result.versionId,
        etag: result.etag,
        uploadId: null,
        error: null,
        ...(superseded
          ? { state: 'pending' }
          : {
              state: 'synced',
              sha256: result.sha256,
              size: result.size,
              mtimeMs: startStamp.mtimeMs,
            }),
      });
      deps.onUploaded?.({
        folderId: folder.id,
        relPath,
        bucket: folder.bucket,
        region: folder.region,
        key: row.key,
        versionId: result.versionId,
        sha256: result.sha256,
        uploadedAt: Date.now(),
      });
      if (result.forkedWith) {
        // Written without a condition the service honours: someone else's version sits
        // between our base and ours. The lineage graph decides; the detector is told now.
        deps.log(
          'warn',
          `${relPath}: another version (${result.forkedWith.join(', ')}) was written at the same time as this device's; shown as a conflict`,
        );
        deps.onForkSuspected?.(folder.id, relPath);
      }
      return superseded ? 'requeue' : 'synced';
    }
    if (result.kind === 'conflict') {
      setRow(deps, folder, relPath, { state: 'conflict', error: result.reason, uploadId: null });
      deps.log('warn', `Conflict on ${relPath}: ${result.reason}`);
      return 'conflict';
    }
    // Changed while it was sent: what S3 stored (if anything) becomes the next base.
    setRow(deps, folder, relPath, {
      state: 'pending',
      uploadId: null,
      ...(result.written ? { versionId: result.written.versionId, etag: result.written.etag } : {}),
    });
    return 'requeue';
  } catch (err) {
    const kind = failureKind(err);
    if (kind === 'cancelled') {
      setRow(deps, folder, relPath, { state: 'pending' });
      return 'cancelled';
    }
    const message = err instanceof Error ? err.message : String(err);
    if (kind === 'file') {
      setRow(deps, folder, relPath, { state: 'error', error: message });
      return { fileError: message, retry: err instanceof FileReadError };
    }
    // Nothing is wrong with the file: it stays pending (shown with why it waits).
    setRow(deps, folder, relPath, { state: 'pending', error: message });
    return kind === 'folder' ? { folderError: message } : { retry: message };
  }
}

function setRow(
  deps: FolderDeps,
  folder: FolderConfig,
  relPath: string,
  patch: Parameters<FolderDeps['index']['update']>[2],
): void {
  deps.index.update(folder.id, relPath, patch);
  const row = deps.index.get(folder.id, relPath);
  if (row) deps.onRows([row]);
}

function parseResume(stored: string): { uploadId: string; fingerprint: string } | undefined {
  try {
    const v = JSON.parse(stored) as { uploadId?: unknown; fingerprint?: unknown };
    return typeof v.uploadId === 'string' && typeof v.fingerprint === 'string'
      ? { uploadId: v.uploadId, fingerprint: v.fingerprint }
      : undefined;
  } catch {
    return undefined;
  }
}

function resumeId(folder: FolderConfig, deps: FolderDeps, relPath: string): string {
  const row: FileRecord | undefined = deps.index.get(folder.id, relPath);
  return (row?.uploadId && parseResume(row.uploadId)?.uploadId) || '';
}
