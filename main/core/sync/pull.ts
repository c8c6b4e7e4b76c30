// Brings down what other devices wrote (DESIGN.md section 4, step 5). Lists the prefix by
// version, and for the keys whose current version is not the one the index knows, reads the
// lineage (one HEAD per changed key only) and decides: download, trash, adopt or conflict.
import fs from 'node:fs/promises';
import path from 'node:path';
import { HeadObjectCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { isReservedKey } from '../reserved-keys.js';
import type { FileRecord } from '../index/file-index.js';
import {
  applyDeleteMarker,
  downloadVersion,
  localPathForKey,
  UnsafeKeyError,
} from '../transfer/downloader.js';
import { parseLineage } from '../transfer/lineage.js';
import { classifyS3Error } from '../transfer/s3-errors.js';
import type { FolderConfig, FolderDeps } from './folder-types.js';

interface Head {
  key: string;
  versionId: string;
  etag: string | undefined;
  deleteMarker: boolean;
  size: number;
}

export interface PullReport {
  downloaded: number;
  trashed: number;
  conflicts: number;
  refused: string[];
}

/** The current version of every key under the folder's prefix. */
async function listHeads(
  folder: FolderConfig,
  deps: FolderDeps,
  signal?: AbortSignal,
): Promise<Head[]> {
  const heads: Head[] = [];
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  do {
    const page = await deps.client.send(
      new ListObjectVersionsCommand({
        Bucket: folder.bucket,
        ...(folder.prefix ? { Prefix: folder.prefix } : {}),
        ...(keyMarker ? { KeyMarker: keyMarker } : {}),
        ...(versionMarker ? { VersionIdMarker: versionMarker } : {}),
      }),
      signal ? { abortSignal: signal } : {},
    );
    for (const v of page.Versions ?? [])
      if (v.IsLatest && v.Key && !isReservedKey(v.Key, folder.prefix))
        heads.push({
          key: v.Key,
          versionId: v.VersionId ?? 'null',
          etag: v.ETag,
          deleteMarker: false,
          size: v.Size ?? 0,
        });
    for (const m of page.DeleteMarkers ?? [])
      if (m.IsLatest && m.Key && !isReservedKey(m.Key, folder.prefix))
        heads.push({
          key: m.Key,
          versionId: m.VersionId ?? 'null',
          etag: undefined,
          deleteMarker: true,
          size: 0,
        });
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker);
  return heads;
}

async function localStat(absPath: string): Promise<{ size: number; mtimeMs: number } | undefined> {
  const st = await fs.lstat(absPath).catch(() => undefined);
  return st?.isFile() ? { size: st.size, mtimeMs: st.mtimeMs } : undefined;
}

/** The local copy is the one the index last synced (nothing changed here since). */
function unchangedSince(
  row: FileRecord,
  st: { size: number; mtimeMs: number } | undefined,
): boolean {
  return (
    row.state === 'synced' && st !== undefined && st.size === row.size && st.mtimeMs === row.mtimeMs
  );
}

export async function pullRemote(
  folder: FolderConfig,
  deps: FolderDeps,
  signal?: AbortSignal,
): Promise<PullReport> {
  const report: PullReport = { downloaded: 0, trashed: 0, conflicts: 0, refused: [] };
  const { index } = deps;
  const ctx = { bucket: folder.bucket, region: folder.region, operation: 'list' };
  let heads: Head[];
  try {
    heads = await listHeads(folder, deps, signal);
  } catch (err) {
    throw classifyS3Error(err, ctx);
  }
  for (const head of heads) {
    if (signal?.aborted) break;
    let relPath: string;
    let absPath: string;
    try {
      ({ relPath, absPath } = localPathForKey(folder.localPath, head.key, folder.prefix));
    } catch (err) {
      if (err instanceof UnsafeKeyError) {
        report.refused.push(err.message);
        continue;
      }
      throw err;
    }
    const row = index.get(folder.id, relPath);
    if (row && row.versionId === head.versionId) continue;
    // Our own upload is in flight or queued: its conditional write settles who wins.
    if (
      row &&
      (row.state === 'uploading' || row.state === 'pending' || row.state === 'interrupted')
    )
      continue;
    const st = await localStat(absPath);

    if (head.deleteMarker) {
      if (!row || row.state === 'deleted') continue;
      if (!unchangedSince(row, st)) {
        markConflict(folder, deps, row, 'deleted in the bucket while it changed here');
        report.conflicts++;
        continue;
      }
      const r = await applyDeleteMarker(folder.localPath, head.key, {
        prefix: folder.prefix,
        ...(st ? { expectLocal: st } : {}),
      });
      if (r.kind === 'local-changed') continue;
      index.update(folder.id, relPath, {
        state: 'deleted',
        versionId: head.versionId,
        etag: null,
        error: null,
      });
      deps.onRows(rowsOf(deps, folder, relPath));
      if (r.kind === 'trashed') {
        report.trashed++;
        deps.log(
          'info',
          `${relPath} was deleted elsewhere; moved to ${path.relative(folder.localPath, r.trashPath)}`,
        );
      }
      continue;
    }

    const meta = await deps.client
      .send(
        new HeadObjectCommand({ Bucket: folder.bucket, Key: head.key, VersionId: head.versionId }),
      )
      .catch((err: unknown) => {
        throw classifyS3Error(err, { ...ctx, key: head.key, operation: 'read' });
      });
    const lineage = parseLineage(meta.Metadata);
    const ours = lineage?.device === deps.device;
    const fastForward =
      !row ||
      row.state === 'deleted' ||
      !row.versionId ||
      (lineage?.bases.includes(row.versionId) ?? true);

    if (ours && st && row?.sha256 && lineage?.sha256 === row.sha256) {
      // Written by us (e.g. before a crash lost the index write): adopt it.
      index.update(folder.id, relPath, {
        state: 'synced',
        versionId: head.versionId,
        etag: head.etag ?? null,
      });
      deps.onRows(rowsOf(deps, folder, relPath));
      continue;
    }
    const localFree = !st || (row !== undefined && unchangedSince(row, st));
    if (!localFree) {
      // Changed here and in the bucket: a local–remote conflict; nothing is overwritten.
      if (row) markConflict(folder, deps, row, 'changed here and in the bucket');
      report.conflicts++;
      continue;
    }
    if (!fastForward) {
      // The bucket's version is not based on ours: a fork between versions, which the
      // conflict detector reports from the lineage graph. The local file stays as it is
      // until a resolution (based on every head, ours included) comes down.
      report.conflicts++;
      continue;
    }
    const result = await downloadVersion({
      client: deps.client,
      bucket: folder.bucket,
      key: head.key,
      versionId: head.versionId,
      folder: folder.localPath,
      prefix: folder.prefix,
      region: folder.region,
      expectLocal: st ?? 'absent',
      ...(signal ? { signal } : {}),
    });
    if (result.kind !== 'downloaded') continue;
    const written = await localStat(result.path);
    index.upsert({
      folderId: folder.id,
      relPath,
      key: head.key,
      size: result.size,
      mtimeMs: written?.mtimeMs ?? result.lastModified.getTime(),
      sha256: result.sha256,
      state: 'synced',
      versionId: result.versionId,
      etag: result.etag,
      error: null,
    });
    deps.onRows(rowsOf(deps, folder, relPath));
    report.downloaded++;
  }
  return report;
}

function markConflict(folder: FolderConfig, deps: FolderDeps, row: FileRecord, why: string): void {
  if (row.state === 'conflict') return;
  deps.index.update(folder.id, row.relPath, { state: 'conflict', error: `${row.relPath}: ${why}` });
  deps.onRows(rowsOf(deps, folder, row.relPath));
  deps.log('warn', `Conflict on ${row.relPath}: ${why}; nothing was overwritten`);
}

function rowsOf(deps: FolderDeps, folder: FolderConfig, relPath: string): FileRecord[] {
  const r = deps.index.get(folder.id, relPath);
  return r ? [r] : [];
}
