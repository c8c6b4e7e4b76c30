// Turns the change detector's decisions into index rows and bucket operations: uploads are
// queued, renames are a server-side copy plus a delete marker (the bytes are not sent
// again), deletes are delete markers behind the mass-delete guard.
import { CopyObjectCommand } from '@aws-sdk/client-s3';
import type { FileRecord } from '../index/file-index.js';
import { buildLineage } from '../transfer/lineage.js';
import { classifyS3Error } from '../transfer/s3-errors.js';
import { conditionHeaders } from '../transfer/upload-common.js';
import { versionsOverwritten } from '../transfer/write-check.js';
import { deleteKey } from '../transfer/uploader.js';
import { objectKey } from '../watch/key-names.js';
import { limitConcurrency } from '../watch/scanner.js';
import type { Decision } from './change-detector.js';
import { applyTouches } from './change-detector.js';
import type { FolderConfig, FolderDeps } from './folder-types.js';

export type DeleteDecision = Extract<Decision, { kind: 'delete' }>;

export interface ApplyResult {
  /** Paths to hand to the upload queue. */
  uploads: string[];
  /** Deletes held back for the user (the mass-delete guard). */
  deletes: DeleteDecision[];
}

/** Records every decision but the deletes; returns what to upload and what to delete. */
export async function applyDecisions(
  folder: FolderConfig,
  deps: FolderDeps,
  decisions: readonly Decision[],
): Promise<ApplyResult> {
  const { index } = deps;
  const uploads: string[] = [];
  const deletes: DeleteDecision[] = [];
  const changed: string[] = [];
  applyTouches(index, folder.id, decisions);
  index.transaction(() => {
    for (const d of decisions) {
      if (d.kind === 'upload') {
        index.upsert({
          folderId: folder.id,
          relPath: d.relPath,
          key: objectKey(folder.prefix, d.relPath),
          size: d.size,
          mtimeMs: d.mtimeMs,
          sha256: d.sha256,
          state: 'pending',
          versionId: d.record?.versionId ?? null,
          etag: d.record?.etag ?? null,
          uploadId: d.record?.uploadId ?? null,
          error: null,
        });
        uploads.push(d.relPath);
        changed.push(d.relPath);
      } else if (d.kind === 'unreadable') {
        const existing = index.get(folder.id, d.relPath);
        index.upsert({
          folderId: folder.id,
          relPath: d.relPath,
          key: objectKey(folder.prefix, d.relPath),
          size: existing?.size ?? 0,
          mtimeMs: existing?.mtimeMs ?? 0,
          sha256: existing?.sha256 ?? null,
          versionId: existing?.versionId ?? null,
          etag: existing?.etag ?? null,
          state: 'error',
          error: d.message,
        });
        changed.push(d.relPath);
      } else if (d.kind === 'delete') {
        deletes.push(d);
      }
    }
  });
  for (const d of decisions)
    if (d.kind === 'rename') uploads.push(...(await applyRename(folder, deps, d)));
  emitRows(folder, deps, changed);
  return { uploads, deletes };
}

/** A rename: copy the known version to the new key in the bucket, then a delete marker on the old. */
async function applyRename(
  folder: FolderConfig,
  deps: FolderDeps,
  d: Extract<Decision, { kind: 'rename' }>,
): Promise<string[]> {
  const { index } = deps;
  const key = objectKey(folder.prefix, d.to);
  const base = {
    folderId: folder.id,
    relPath: d.to,
    key,
    size: d.size,
    mtimeMs: d.mtimeMs,
    sha256: d.sha256,
  };
  if (!d.record.versionId) {
    index.upsert({ ...base, state: 'pending' });
    return [d.to];
  }
  try {
    const out = await deps.client.send(
      new CopyObjectCommand({
        Bucket: folder.bucket,
        Key: key,
        CopySource: `${folder.bucket}/${encodeURIComponent(d.record.key)}?versionId=${encodeURIComponent(d.record.versionId)}`,
        MetadataDirective: 'REPLACE',
        Metadata: buildLineage({ device: deps.device, bases: [], sha256: d.sha256 }),
        ...conditionHeaders({ kind: 'new' }, deps.strategy()),
      }),
    );
    const etag = out.CopyObjectResult?.ETag;
    if (!deps.strategy().conditional) {
      const others = await versionsOverwritten({
        client: deps.client,
        bucket: folder.bucket,
        key,
        base: undefined,
        ours: out.VersionId ?? 'null',
        device: deps.device,
        sha256: d.sha256,
      }).catch(() => [] as string[]);
      if (others.length > 0) deps.onForkSuspected?.(folder.id, d.to);
    }
    index.upsert({
      ...base,
      state: 'synced',
      versionId: out.VersionId ?? 'null',
      etag: etag ?? null,
    });
    deps.onUploaded?.({
      folderId: folder.id,
      relPath: d.to,
      bucket: folder.bucket,
      region: folder.region,
      key,
      versionId: out.VersionId ?? 'null',
      sha256: d.sha256,
      uploadedAt: Date.now(),
    });
  } catch (err) {
    // The new key exists already, or the copy failed: upload it the ordinary way.
    const c = classifyS3Error(err, { bucket: folder.bucket, key, operation: 'copy' });
    deps.log(
      'warn',
      `Rename of ${d.from} to ${d.to} could not be copied in the bucket (${c.message}); uploading it`,
    );
    index.upsert({ ...base, state: 'pending' });
    emitRows(folder, deps, [d.to]);
    await deleteOne(folder, deps, d.record);
    return [d.to];
  }
  emitRows(folder, deps, [d.to]);
  await deleteOne(folder, deps, d.record);
  deps.log('info', `Renamed ${d.from} to ${d.to}`);
  return [];
}

/** Writes delete markers for these rows, a few at a time. */
export async function applyDeletes(
  folder: FolderConfig,
  deps: FolderDeps,
  deletes: readonly DeleteDecision[],
): Promise<void> {
  const limit = limitConcurrency(8);
  await Promise.all(deletes.map((d) => limit(() => deleteOne(folder, deps, d.record))));
  if (deletes.length > 0)
    deps.log(
      'info',
      `Deleted ${deletes.length} file${deletes.length === 1 ? '' : 's'} in ${folder.bucket} (delete markers; every version is kept)`,
    );
}

async function deleteOne(
  folder: FolderConfig,
  deps: FolderDeps,
  record: FileRecord,
): Promise<void> {
  const { index } = deps;
  if (!record.versionId) {
    // Never uploaded: nothing to delete in the bucket.
    index.remove(folder.id, record.relPath);
    deps.onRows([{ ...record, state: 'deleted' }]);
    return;
  }
  try {
    const r = await deleteKey(
      deps.client,
      folder.bucket,
      record.key,
      { base: record.versionId, ...(record.etag ? { etag: record.etag } : {}) },
      { region: folder.region, strategy: deps.strategy(), device: deps.device },
    );
    if (r.kind === 'conflict') {
      index.update(folder.id, record.relPath, { state: 'conflict', error: r.reason });
      deps.log('warn', r.reason);
    } else {
      index.update(folder.id, record.relPath, {
        state: 'deleted',
        error: null,
        ...(r.kind === 'deleted' ? { versionId: r.versionId, etag: null } : {}),
      });
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    index.update(folder.id, record.relPath, { state: 'error', error: message });
  }
  emitRows(folder, deps, [record.relPath]);
}

function emitRows(folder: FolderConfig, deps: FolderDeps, relPaths: string[]): void {
  const rows = relPaths
    .map((p) => deps.index.get(folder.id, p))
    .filter((r): r is FileRecord => r !== undefined);
  if (rows.length > 0) deps.onRows(rows);
}
