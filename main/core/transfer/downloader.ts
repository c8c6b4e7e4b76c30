// Brings one version of a key into the local folder (DESIGN.md section 4, step 5): the key
// becomes a path only if it stays inside the folder; the bytes go to a temp file beside the
// target, are verified (lineage sha256, else the S3 checksum, else the single-part ETag MD5),
// fsynced and renamed over the target, so a reader never sees half a file. A delete marker
// moves the local file into the folder's trash, never erases it.
import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { createDigest, type Digest, type S3ChecksumAlgorithm } from './content-hash.js';
import { parseLineage, type Lineage } from './lineage.js';
import { checkPath, makeDirs, UnsafeKeyError } from './safe-paths.js';
import { cancelledError, classifyS3Error, type S3ErrorContext } from './s3-errors.js';

export { NAME_MAX_BYTES, UnsafeKeyError } from './safe-paths.js';

export const TRASH_DIR = '.replica-sync-trash';
export const TEMP_PREFIX = '.rs-tmp-';

/** Downloaded bytes that do not match what the version claims. Nothing was written. */
export class ChecksumMismatchError extends Error {
  override readonly name = 'ChecksumMismatchError';
  constructor(
    readonly key: string,
    readonly versionId: string,
    readonly check: string,
  ) {
    super(
      `Version ${versionId} of '${key}' arrived damaged (${check} does not match): the local file was left unchanged; it will be downloaded again.`,
    );
  }
}

/** A local write that failed (disk full, permissions), naming the place and the fix. */
export class LocalWriteError extends Error {
  override readonly name = 'LocalWriteError';
  constructor(
    readonly filePath: string,
    readonly code: string,
    cause: unknown,
  ) {
    const why =
      code === 'ENOSPC' || code === 'EDQUOT'
        ? 'the disk is full: free some space'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied: check the permissions of the folder'
          : code === 'EROFS'
            ? 'the disk is read-only'
            : code === 'EBUSY'
              ? 'the file is locked by another program: close it there'
              : code === 'ENAMETOOLONG'
                ? 'the name is longer than this file system allows: rename the object in the bucket'
                : code === 'ENOTDIR' || code === 'EEXIST' || code === 'EISDIR'
                  ? 'a file or folder of the same name is in the way: rename one of them'
                  : `write error ${code}`;
    super(`Cannot write '${filePath}': ${why}. The download will be retried.`, { cause });
  }
}

function localError(filePath: string, err: unknown): LocalWriteError | undefined {
  const e = err as { code?: unknown; $metadata?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (code === undefined || e?.$metadata !== undefined || !/^E[A-Z]+$/.test(code)) return undefined;
  if (['ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE'].includes(code)) return undefined;
  return new LocalWriteError(filePath, code, err);
}

/** Maps a key to a path inside `folder`, or throws UnsafeKeyError. */
export function localPathForKey(
  folder: string,
  key: string,
  prefix = '',
): { relPath: string; absPath: string } {
  if (!key.startsWith(prefix))
    throw new UnsafeKeyError(key, `it is outside the prefix '${prefix}'`);
  const rel = key.slice(prefix.length);
  if (rel.includes('\0')) throw new UnsafeKeyError(key, 'it contains a NUL character');
  if (rel.includes('\\')) {
    throw new UnsafeKeyError(
      key,
      'it contains a backslash, which Windows reads as a folder separator',
    );
  }
  if (rel === '') throw new UnsafeKeyError(key, 'it names the folder itself');
  if (rel.startsWith('/')) throw new UnsafeKeyError(key, 'it is an absolute path');
  const segments = rel.split('/');
  for (const s of segments) {
    if (s === '')
      throw new UnsafeKeyError(key, "it has an empty path segment ('//' or a trailing '/')");
    if (s === '..' || s === '.') {
      throw new UnsafeKeyError(
        key,
        `it has a '${s}' segment that would place it outside the folder`,
      );
    }
    if (/^[A-Za-z]:/.test(s))
      throw new UnsafeKeyError(key, `it contains a drive letter ('${s.slice(0, 2)}')`);
    if (s.startsWith(TEMP_PREFIX))
      throw new UnsafeKeyError(key, 'it uses a name reserved by Replica Sync');
  }
  if (segments[0] === TRASH_DIR) {
    throw new UnsafeKeyError(key, `it would land in Replica Sync's trash folder '${TRASH_DIR}'`);
  }
  const root = path.resolve(folder);
  const absPath = path.resolve(root, ...segments);
  if (!absPath.startsWith(root + path.sep))
    throw new UnsafeKeyError(key, 'it resolves outside the folder');
  return { relPath: segments.join('/'), absPath };
}

/** Makes the target's directory after checking every segment (see checkPath). */
async function safeParent(folder: string, absPath: string, key: string): Promise<string> {
  await checkPath(folder, absPath, key, 'file');
  const dir = path.dirname(absPath);
  await makeDirs(folder, dir, key);
  return dir;
}

/**
 * A folder marker (a zero-byte key ending in '/', as the S3 console's "Create folder" makes)
 * becomes a directory, through the same link checks as a file.
 */
export async function ensureFolder(folder: string, absPath: string, key: string): Promise<void> {
  await checkPath(folder, absPath, key, 'folder');
  try {
    await makeDirs(folder, absPath, key);
  } catch (err) {
    if (err instanceof UnsafeKeyError) throw err;
    throw localError(absPath, err) ?? err;
  }
}

const ALGORITHMS: S3ChecksumAlgorithm[] = ['CRC64NVME', 'CRC32', 'CRC32C', 'SHA1', 'SHA256'];

interface Check {
  label: string;
  digest: Digest;
  expected: string;
  encoding: 'base64' | 'hex';
}

/** The strongest check the version offers: rs-sha256, a full-object checksum, the ETag MD5. */
function chooseCheck(out: GetObjectCommandOutput, lineage: Lineage | undefined): Check | undefined {
  if (lineage) {
    return {
      label: 'rs-sha256',
      digest: createDigest('SHA256'),
      expected: lineage.sha256,
      encoding: 'hex',
    };
  }
  for (const alg of ALGORITHMS) {
    const value = out[`Checksum${alg}`];
    // A composite multipart checksum ("…-N") is a checksum of part checksums, not of the bytes.
    if (value !== undefined && out.ChecksumType !== 'COMPOSITE' && !value.includes('-')) {
      return {
        label: `checksum-${alg}`,
        digest: createDigest(alg),
        expected: value,
        encoding: 'base64',
      };
    }
  }
  const etag = out.ETag?.replace(/"/g, '');
  if (etag !== undefined && /^[0-9a-f]{32}$/.test(etag)) {
    return { label: 'etag-md5', digest: createDigest('MD5'), expected: etag, encoding: 'hex' };
  }
  return undefined;
}

export interface DownloadRequest {
  client: S3Client;
  bucket: string;
  key: string;
  versionId: string;
  folder: string;
  /** The folder's key prefix ('' or ending in '/'). */
  prefix?: string;
  region?: string;
  signal?: AbortSignal;
  onProgress?: (received: number, total: number) => void;
  /**
   * What the local file looked like when the download was decided. If it changed since, the
   * download does not replace it (a local edit wins the race; the caller sees local-changed).
   */
  expectLocal?: { size: number; mtimeMs: number } | 'absent';
  now?: Date;
}

export type DownloadResult =
  | {
      kind: 'downloaded';
      path: string;
      relPath: string;
      versionId: string;
      etag: string;
      size: number;
      sha256: string;
      lastModified: Date;
      /** rs-sha256, checksum-<ALGORITHM>, etag-md5, or unverified (composite, no lineage). */
      verifiedBy: string;
      lineage: Lineage | undefined;
    }
  | { kind: 'trashed'; path: string; trashPath: string }
  | { kind: 'absent'; path: string }
  | { kind: 'local-changed'; path: string };

async function localMatches(
  absPath: string,
  expect: DownloadRequest['expectLocal'],
): Promise<boolean> {
  if (expect === undefined) return true;
  const st = await fs.stat(absPath).catch(() => undefined);
  if (expect === 'absent') return st === undefined;
  return st !== undefined && st.size === expect.size && st.mtimeMs === expect.mtimeMs;
}

/** Where a file deleted remotely goes: `<folder>/.replica-sync-trash/<yyyy-mm-dd>/<relPath>`. */
async function trashTarget(folder: string, relPath: string, now: Date): Promise<string> {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const day = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  const base = path.join(path.resolve(folder), TRASH_DIR, day, ...relPath.split('/'));
  const ext = path.extname(base);
  const stem = base.slice(0, base.length - ext.length);
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${stem} (${n})${ext}`;
    if ((await fs.lstat(candidate).catch(() => undefined)) === undefined) return candidate;
  }
}

/** Moves the local file of `key` into the trash; `absent` when there is none. */
export async function applyDeleteMarker(
  folder: string,
  key: string,
  opts: { prefix?: string; now?: Date; expectLocal?: DownloadRequest['expectLocal'] } = {},
): Promise<DownloadResult> {
  const { relPath, absPath } = localPathForKey(folder, key, opts.prefix ?? '');
  const st = await fs.lstat(absPath).catch(() => undefined);
  if (st === undefined) return { kind: 'absent', path: absPath };
  // Nothing is moved through a link, and a link itself is left where it is.
  await checkPath(folder, absPath, key, 'file');
  if (!(await localMatches(absPath, opts.expectLocal)))
    return { kind: 'local-changed', path: absPath };
  const trashPath = await trashTarget(folder, relPath, opts.now ?? new Date());
  await checkPath(folder, trashPath, key, 'file');
  await makeDirs(folder, path.dirname(trashPath), key);
  await fs.rename(absPath, trashPath);
  return { kind: 'trashed', path: absPath, trashPath };
}

async function fsyncDir(dir: string): Promise<void> {
  // Makes the rename durable; directories cannot be opened for sync on Windows.
  const fh = await fs.open(dir, 'r').catch(() => undefined);
  await fh?.sync().catch(() => undefined);
  await fh?.close();
}

/** Downloads `versionId` of `key` into the folder atomically, or trashes on a delete marker. */
export async function downloadVersion(r: DownloadRequest): Promise<DownloadResult> {
  const { relPath, absPath } = localPathForKey(r.folder, r.key, r.prefix ?? '');
  const ctx: S3ErrorContext = {
    bucket: r.bucket,
    key: r.key,
    operation: 'download',
    ...(r.region !== undefined ? { region: r.region } : {}),
  };
  const opts = r.signal ? { abortSignal: r.signal } : {};
  // Links and things in the way are refused before anything is downloaded or created.
  await checkPath(r.folder, absPath, r.key, 'file').catch((err: unknown) => {
    throw err instanceof UnsafeKeyError ? err : (localError(absPath, err) ?? err);
  });
  let out: GetObjectCommandOutput;
  try {
    out = await r.client.send(
      new GetObjectCommand({
        Bucket: r.bucket,
        Key: r.key,
        VersionId: r.versionId,
        ChecksumMode: 'ENABLED',
      }),
      opts,
    );
  } catch (err) {
    const headers = (err as { $response?: { headers?: Record<string, string> } }).$response
      ?.headers;
    if (headers?.['x-amz-delete-marker'] === 'true') {
      return applyDeleteMarker(r.folder, r.key, {
        prefix: r.prefix ?? '',
        ...(r.now ? { now: r.now } : {}),
        ...(r.expectLocal !== undefined ? { expectLocal: r.expectLocal } : {}),
      });
    }
    throw classifyS3Error(err, ctx);
  }
  const body = out.Body as Readable;
  let tmp: string | undefined;
  try {
    const dir = await safeParent(r.folder, absPath, r.key);
    const lineage = parseLineage(out.Metadata);
    const check = chooseCheck(out, lineage);
    const sha = createHash('sha256');
    const total = out.ContentLength ?? -1;
    tmp = path.join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    const fh = await fs.open(tmp, 'wx');
    let received = 0;
    try {
      for await (const chunk of body) {
        const buf = chunk as Buffer;
        sha.update(buf);
        check?.digest.update(buf);
        await fh.write(buf);
        received += buf.length;
        r.onProgress?.(received, total);
      }
      if (total >= 0 && received !== total) {
        throw new ChecksumMismatchError(r.key, r.versionId, `size ${received} of ${total}`);
      }
      if (check) {
        const actual = (await check.digest.digest()).toString(check.encoding);
        if (actual !== check.expected) {
          throw new ChecksumMismatchError(r.key, r.versionId, check.label);
        }
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    const lastModified = out.LastModified ?? new Date();
    await fs.utimes(tmp, new Date(), lastModified);
    if (!(await localMatches(absPath, r.expectLocal))) {
      await fs.rm(tmp, { force: true });
      return { kind: 'local-changed', path: absPath };
    }
    // Again just before the rename: a link made meanwhile is never replaced.
    await checkPath(r.folder, absPath, r.key, 'file');
    await fs.rename(tmp, absPath);
    tmp = undefined;
    await fsyncDir(dir);
    return {
      kind: 'downloaded',
      path: absPath,
      relPath,
      versionId: out.VersionId ?? r.versionId,
      etag: out.ETag ?? '',
      size: received,
      sha256: sha.digest('hex'),
      lastModified,
      verifiedBy: check?.label ?? 'unverified',
      lineage,
    };
  } catch (err) {
    body.destroy();
    if (tmp !== undefined) await fs.rm(tmp, { force: true });
    if (err instanceof ChecksumMismatchError || err instanceof UnsafeKeyError) throw err;
    if (r.signal?.aborted) throw cancelledError(ctx, err);
    // The SDK's own response-checksum validation fails the stream on a mismatch.
    if (err instanceof Error && /checksum mismatch/i.test(err.message)) {
      throw new ChecksumMismatchError(r.key, r.versionId, 'S3 checksum');
    }
    throw localError(absPath, err) ?? classifyS3Error(err, ctx);
  }
}
