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
  ensureFolder,
  localPathForKey,
} from '../transfer/downloader.js';
import { parseLineage } from '../transfer/lineage.js';
import { classifyS3Error } from '../transfer/s3-errors.js';
import type { FolderConfig, FolderDeps } from './folder-types.js';
import {
  classifyPullFault,
  firstReport,
  isPullErrorRow,
  keyProblemMessage,
  lineageProblem,
  pullMemory,
  type PullMemory,
} from './pull-problems.js';

export { isPullErrorRow } from './pull-problems.js';

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
  /** Kept for callers that log it; a key's problem is logged by the pull itself, once. */
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
  // A row the pull marked keeps the size and mtime of the file it last synced.
  return (
    (row.state === 'synced' || (isPullErrorRow(row) && row.versionId !== null)) &&
    st !== undefined &&
    st.size === row.size &&
    st.mtimeMs === row.mtimeMs
  );
}

export async function pullRemote(
  folder: FolderConfig,
  deps: FolderDeps,
  signal?: AbortSignal,
): Promise<PullReport> {
  const report: PullReport = { downloaded: 0, trashed: 0, conflicts: 0, refused: [] };
  const memory = pullMemory(deps.index, folder.id);
  const ctx = { bucket: folder.bucket, region: folder.region, operation: 'list' };
  let heads: Head[];
  try {
    heads = await listHeads(folder, deps, signal);
  } catch (err) {
    throw classifyS3Error(err, ctx);
  }
  const listed = new Set<string>();
  for (const head of heads) {
    if (signal?.aborted) break;
    listed.add(head.key);
    try {
      await pullOne(folder, deps, memory, head, report, signal);
    } catch (err) {
      if (signal?.aborted) throw err;
      const fault = classifyPullFault(err);
      if (fault === 'folder') throw err;
      if (fault === 'gone') continue;
      keyProblem(folder, deps, memory, head, err);
    }
  }
  if (!signal?.aborted) forgetVanished(folder, deps, memory, listed);
  return report;
}

/** The relative path of a key, or undefined when it cannot be one (the key is unsafe). */
function relPathOf(folder: FolderConfig, key: string): string | undefined {
  try {
    return localPathForKey(folder.localPath, key, folder.prefix).relPath;
  } catch {
    return undefined;
  }
}

/** A key that cannot come down: its row says why, its message is logged once. */
function keyProblem(
  folder: FolderConfig,
  deps: FolderDeps,
  memory: PullMemory,
  head: Head,
  err: unknown,
): void {
  const message = keyProblemMessage(head.key, head.versionId, err);
  const marker = isFolderMarker(head);
  const relPath = marker ? undefined : relPathOf(folder, head.key);
  if (relPath !== undefined) {
    const row = deps.index.get(folder.id, relPath);
    if (!row) {
      deps.index.upsert({
        folderId: folder.id,
        relPath,
        key: head.key,
        size: head.size,
        mtimeMs: 0,
        state: 'error',
        versionId: null,
        etag: null,
        error: message,
      });
      deps.onRows(rowsOf(deps, folder, relPath));
    } else if (row.state !== 'conflict' && (row.state !== 'error' || row.error !== message)) {
      // The synced version, size and mtime stay: they are what the local file still is.
      deps.index.update(folder.id, relPath, { state: 'error', error: message });
      deps.onRows(rowsOf(deps, folder, relPath));
    }
  }
  if (firstReport(memory, head.key, head.versionId, message)) deps.log('error', message);
}

/** The key came down (or needs nothing): its problem, if it had one, is over. */
function keyFine(memory: PullMemory, key: string): void {
  memory.reported.delete(key);
}

/**
 * Error rows of keys no longer in the bucket clear by themselves: a row that never had a
 * local file goes, a row of a synced file is synced again (the file is what it was).
 */
function forgetVanished(
  folder: FolderConfig,
  deps: FolderDeps,
  memory: PullMemory,
  listed: Set<string>,
): void {
  for (const row of deps.index.list(folder.id, { state: 'error', limit: 100_000 })) {
    if (!isPullErrorRow(row) || listed.has(row.key)) continue;
    clearPullError(folder, deps, row);
  }
  for (const key of [...memory.reported.keys()]) if (!listed.has(key)) memory.reported.delete(key);
  for (const key of [...memory.dirs.keys()]) if (!listed.has(key)) memory.dirs.delete(key);
}

function clearPullError(folder: FolderConfig, deps: FolderDeps, row: FileRecord): void {
  if (row.versionId === null) {
    deps.index.remove(folder.id, row.relPath);
    deps.onRows([{ ...row, state: 'deleted', error: null }]);
  } else {
    deps.index.update(folder.id, row.relPath, { state: 'synced', error: null });
    deps.onRows(rowsOf(deps, folder, row.relPath));
  }
}

/** A zero-byte key ending in '/' (the S3 console's "Create folder"). */
function isFolderMarker(head: Head): boolean {
  return head.key.endsWith('/') && (head.deleteMarker || head.size === 0);
}

async function pullOne(
  folder: FolderConfig,
  deps: FolderDeps,
  memory: PullMemory,
  head: Head,
  report: PullReport,
  signal: AbortSignal | undefined,
): Promise<void> {
  const { index } = deps;
  const ctx = { bucket: folder.bucket, region: folder.region, operation: 'list' };
  if (isFolderMarker(head)) {
    // A folder marker becomes a directory (once per version: one the user removed here is
    // not made again on every poll); its delete marker leaves the directory alone.
    if (head.deleteMarker || head.key === folder.prefix) return;
    if (memory.dirs.get(head.key) === head.versionId) return;
    const { absPath } = localPathForKey(folder.localPath, head.key.slice(0, -1), folder.prefix);
    await ensureFolder(folder.localPath, absPath, head.key);
    memory.dirs.set(head.key, head.versionId);
    keyFine(memory, head.key);
    return;
  }
  const { relPath, absPath } = localPathForKey(folder.localPath, head.key, folder.prefix);
  const row = index.get(folder.id, relPath);
  if (row && row.versionId === head.versionId) {
    // The bad version went and the one this file was synced from is current again.
    if (isPullErrorRow(row)) clearPullError(folder, deps, row);
    keyFine(memory, head.key);
    return;
  }
  // Our own upload is in flight or queued: its conditional write settles who wins.
  if (row && (row.state === 'uploading' || row.state === 'pending' || row.state === 'interrupted'))
    return;
  const st = await localStat(absPath);

  if (head.deleteMarker) {
    if (!row || row.state === 'deleted') return;
    if (isPullErrorRow(row) && row.versionId === null) {
      // It never came down: the delete ends its problem, there is nothing to trash.
      clearPullError(folder, deps, row);
      keyFine(memory, head.key);
      return;
    }
    if (!unchangedSince(row, st)) {
      markConflict(folder, deps, row, 'deleted in the bucket while it changed here');
      report.conflicts++;
      return;
    }
    const r = await applyDeleteMarker(folder.localPath, head.key, {
      prefix: folder.prefix,
      ...(st ? { expectLocal: st } : {}),
    });
    if (r.kind === 'local-changed') return;
    index.update(folder.id, relPath, {
      state: 'deleted',
      versionId: head.versionId,
      etag: null,
      error: null,
    });
    deps.onRows(rowsOf(deps, folder, relPath));
    keyFine(memory, head.key);
    if (r.kind === 'trashed') {
      report.trashed++;
      deps.log(
        'info',
        `${relPath} was deleted elsewhere; moved to ${path.relative(folder.localPath, r.trashPath)}`,
      );
    }
    return;
  }

  const meta = await deps.client
    .send(
      new HeadObjectCommand({ Bucket: folder.bucket, Key: head.key, VersionId: head.versionId }),
      signal ? { abortSignal: signal } : {},
    )
    .catch((err: unknown) => {
      throw classifyS3Error(err, { ...ctx, key: head.key, operation: 'read' });
    });
  const lineage = parseLineage(meta.Metadata);
  if (lineage === undefined) {
    const wrong = lineageProblem(meta.Metadata);
    const id = `${head.key}\n${head.versionId}`;
    if (wrong !== undefined && !memory.lineage.has(id)) {
      memory.lineage.add(id);
      deps.log(
        'warn',
        `'${head.key}' (version ${head.versionId}) has lineage metadata that cannot be read (${wrong}): it is treated as written by another tool.`,
      );
    }
  }
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
      error: null,
    });
    deps.onRows(rowsOf(deps, folder, relPath));
    keyFine(memory, head.key);
    return;
  }
  const localFree = !st || (row !== undefined && unchangedSince(row, st));
  if (!localFree) {
    // Changed here and in the bucket: a local–remote conflict; nothing is overwritten.
    if (row) markConflict(folder, deps, row, 'changed here and in the bucket');
    report.conflicts++;
    return;
  }
  if (!fastForward) {
    // The bucket's version is not based on ours: a fork between versions, which the
    // conflict detector reports from the lineage graph. The local file stays as it is
    // until a resolution (based on every head, ours included) comes down.
    report.conflicts++;
    return;
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
  if (result.kind !== 'downloaded') return;
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
  keyFine(memory, head.key);
  report.downloaded++;
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
