// Resolving a conflict (DESIGN.md sections 1 and 2): a resolution is a new version in the
// folder's source bucket whose rs-base names every head it merges; once it replicates, the
// version graph has one head again and the conflict disappears on every device by itself.
// Nothing is overwritten before the user decides: the resolution write is conditional on the
// current version (a 412 means a new version arrived: ConflictChangedError, nothing written),
// and the local files are staged in a private dir and put in place only after that write.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { localPathForKey } from '../transfer/downloader.js';
import { buildLineage, isVersionId, LINEAGE_KEYS, parseLineage } from '../transfer/lineage.js';
import { classifyS3Error, type S3ErrorContext } from '../transfer/s3-errors.js';
import { conditionHeaders, type WriteStrategy } from '../transfer/upload-common.js';
import {
  choosePartSize,
  uploadFile,
  type UploadCondition,
  type UploadedVersion,
} from '../transfer/uploader.js';
import {
  makeWorkDir,
  placeConflictCopy,
  replaceLocal,
  sameStampOrAbsent,
  stageOther,
  stageVersion,
  stampOrAbsent,
  type OtherSide,
} from './conflict-copy.js';

export { conflictCopyName, type OtherSide } from './conflict-copy.js';

/** One head of the conflict: a version no other version names as its base. */
export interface ConflictHead {
  versionId: string;
  /** ETag of the version, when known (informational: the write is conditioned on `currentEtag`). */
  etag?: string;
}

/** The content the resolution keeps: the local file, or a version of the key. */
export type KeepSide = { kind: 'local' } | { kind: 'version'; versionId: string };

export interface ResolveRequest {
  client: S3Client;
  /** The folder's source bucket: resolutions are written there and replicate from it. */
  bucket: string;
  key: string;
  folderPath: string;
  /** The folder's key prefix ('' or ending in '/'). */
  prefix: string;
  /** Installation id (rs-device of the resolution). */
  device: string;
  /** Every head the resolution merges (its rs-base). */
  heads: ConflictHead[];
  keep: KeepSide;
  /**
   * ETag of the key's current version in `bucket` when the user looked (If-Match). When left
   * out, the current version is read and must be one of `heads`.
   */
  currentEtag?: string;
  /** How this service takes writes (conditional only where proven). */
  strategy?: WriteStrategy;
  region?: string;
  signal?: AbortSignal;
  /** For the trash folder's day. */
  now?: () => Date;
}

export interface KeepBothRequest extends ResolveRequest {
  other: OtherSide;
}

/** The resolution version, and what the local folder now holds (for the index). */
export interface Resolution {
  versionId: string;
  etag: string;
  sha256: string;
  size: number;
  /** The key's path in the folder. */
  relPath: string;
  /** The local file once it holds the resolution; null when a newer local edit came in
   * meanwhile (left in place: it syncs as an edit of this version). */
  local: { size: number; mtimeMs: number } | null;
  /** Where replaced local content that no head holds was saved (the folder's trash). */
  savedTo?: string;
}

export interface KeepBothResolution extends Resolution {
  /** Relative path of the other side's content: a new file the engine uploads. */
  conflictCopy: string;
}

/** A new version (or a local edit) arrived while the user was deciding: look again. */
export class ConflictChangedError extends Error {
  override readonly name = 'ConflictChangedError';
  constructor(
    readonly key: string,
    readonly bucket: string,
    readonly where: 'remote' | 'local',
    cause?: unknown,
  ) {
    super(
      where === 'remote'
        ? `'${key}' changed again in bucket '${bucket}' while the conflict was open: nothing was written. Look at it again.`
        : `'${key}' changed again in this folder while the conflict was being resolved: nothing was written. Look at it again.`,
      cause === undefined ? undefined : { cause },
    );
  }
}

function checkHeads(heads: ConflictHead[]): string[] {
  if (heads.length === 0) throw new Error('A resolution needs the heads it merges: none given.');
  const ids = heads.map((h) => h.versionId);
  for (const id of ids) {
    if (!isVersionId(id)) throw new Error(`Invalid head version id '${id}'.`);
  }
  return [...new Set(ids)];
}

type Target = Pick<
  RestoreRequest,
  'client' | 'bucket' | 'key' | 'heads' | 'currentEtag' | 'region' | 'signal'
>;

const contextOf = (r: Target, operation: string): S3ErrorContext => ({
  bucket: r.bucket,
  key: r.key,
  operation,
  ...(r.region !== undefined ? { region: r.region } : {}),
});

/**
 * The condition of the resolution write: If-Match the current version's ETag. Without a
 * given ETag the current version is read; it must be one of the heads (If-None-Match `*` when
 * that head is a delete marker), else something newer arrived.
 */
export async function writeCondition(r: Target): Promise<UploadCondition> {
  if (r.currentEtag !== undefined) return { kind: 'edit', etag: r.currentEtag };
  const ids = new Set(r.heads.map((h) => h.versionId));
  try {
    const head = await r.client.send(
      new HeadObjectCommand({ Bucket: r.bucket, Key: r.key }),
      r.signal ? { abortSignal: r.signal } : {},
    );
    if (!ids.has(head.VersionId ?? 'null') || head.ETag === undefined) {
      throw new ConflictChangedError(r.key, r.bucket, 'remote');
    }
    return { kind: 'edit', etag: head.ETag };
  } catch (err) {
    if (err instanceof ConflictChangedError) throw err;
    const headers = (err as { $response?: { headers?: Record<string, string> } }).$response
      ?.headers;
    const c = classifyS3Error(err, contextOf(r, 'read'));
    if (c.status === 404) {
      const marker = headers?.['x-amz-delete-marker'] === 'true';
      const id = headers?.['x-amz-version-id'];
      if (marker && id !== undefined && ids.has(id)) return { kind: 'new' };
      throw new ConflictChangedError(r.key, r.bucket, 'remote', err);
    }
    throw c;
  }
}

/** Turns the answers that mean "someone wrote first" into ConflictChangedError. */
export function changedAgain(err: unknown, r: Target): unknown {
  if (err instanceof ConflictChangedError) return err;
  const c = classifyS3Error(err, contextOf(r, 'resolve'));
  if (
    c.kind === 'precondition-failed' ||
    c.kind === 'conditional-conflict' ||
    c.code === 'NoSuchKey'
  ) {
    return new ConflictChangedError(r.key, r.bucket, 'remote', err);
  }
  return err;
}

/** `fileStillIs` false: the local file changed after its content was sent. */
type Written = UploadedVersion & { fileStillIs: boolean };

/** Uploads `filePath` as the resolution: rs-base = every head, conditional on the current version. */
async function writeResolution(r: ResolveRequest, filePath: string): Promise<Written> {
  const bases = checkHeads(r.heads);
  const condition = await writeCondition(r);
  let out;
  try {
    out = await uploadFile({
      client: r.client,
      bucket: r.bucket,
      key: r.key,
      filePath,
      device: r.device,
      bases,
      condition,
      ...(r.strategy ? { strategy: r.strategy } : {}),
      ...(r.region !== undefined ? { region: r.region } : {}),
      ...(r.signal ? { signal: r.signal } : {}),
    });
  } catch (err) {
    throw changedAgain(err, r);
  }
  if (out.kind === 'uploaded') return { ...out, fileStillIs: true };
  if (out.kind === 'conflict') throw new ConflictChangedError(r.key, r.bucket, 'remote');
  // Only the local file can change under an upload: the staged copies are private.
  if (out.written) return { ...out.written, fileStillIs: false };
  throw new ConflictChangedError(r.key, r.bucket, 'local');
}

/** rs-sha256 of each head that has lineage (in the source bucket). */
async function headDigests(r: ResolveRequest): Promise<Set<string>> {
  const shas = await Promise.all(
    r.heads.map((h) =>
      r.client
        .send(new HeadObjectCommand({ Bucket: r.bucket, Key: r.key, VersionId: h.versionId }))
        .then((out) => parseLineage(out.Metadata)?.sha256)
        .catch(() => undefined),
    ),
  );
  return new Set(shas.filter((s): s is string => s !== undefined));
}

function validate(r: ResolveRequest, other?: OtherSide): void {
  checkHeads(r.heads);
  if (r.keep.kind === 'version' && !isVersionId(r.keep.versionId)) {
    throw new Error(`Invalid version id '${r.keep.versionId}' to keep.`);
  }
  if (!other) return;
  if (
    'local' in other
      ? r.keep.kind === 'local'
      : r.keep.kind === 'version' && r.keep.versionId === other.versionId
  ) {
    throw new Error(`Keep both: the kept side and the other side of '${r.key}' are the same.`);
  }
}

async function resolveWith(
  r: ResolveRequest,
  other: OtherSide | undefined,
): Promise<{ result: Resolution; conflictCopy?: string }> {
  validate(r, other);
  const { relPath, absPath } = localPathForKey(r.folderPath, r.key, r.prefix);
  const work = await makeWorkDir(r.folderPath);
  try {
    const before = await stampOrAbsent(absPath);
    // Stage every local result first: until the resolution exists, nothing local changes.
    const otherFile = other ? await stageOther(r, other, work, absPath, before) : undefined;
    if (other && otherFile === undefined) throw new ConflictChangedError(r.key, r.bucket, 'local');
    const keptFile =
      r.keep.kind === 'local'
        ? absPath
        : await stageVersion(r, r.keep.versionId, path.join(work, 'keep'));
    const { fileStillIs, ...version } = await writeResolution(r, keptFile);
    const result: Resolution = { ...version, relPath, local: null };
    // The other side first: the losing content is safe before anything is replaced.
    const conflictCopy =
      other && otherFile !== undefined
        ? await placeConflictCopy(r.folderPath, otherFile, relPath, other)
        : undefined;
    if (r.keep.kind === 'local') {
      // Unchanged since the start (uploadFile checked it did not change while sent).
      const now = await stampOrAbsent(absPath);
      if (fileStillIs && now && sameStampOrAbsent(before, now)) {
        result.local = { size: now.size, mtimeMs: now.mtimeMs };
      }
    } else {
      const placed = await replaceLocal({
        folder: r.folderPath,
        relPath,
        absPath,
        staged: keptFile,
        expect: before,
        // Content held by a head, or just saved as the conflict copy, needs no trash copy.
        isKept: async (sha) =>
          sha === version.sha256 ||
          (other !== undefined && 'local' in other) ||
          (await headDigests(r)).has(sha),
        now: r.now?.() ?? new Date(),
      });
      if (placed.local) result.local = placed.local;
      if (placed.savedTo !== undefined) result.savedTo = placed.savedTo;
    }
    return conflictCopy === undefined ? { result } : { result, conflictCopy };
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

/**
 * Keeps one side: writes its content (the local file, or a version downloaded and verified)
 * as a new version whose rs-base names every head, then makes the local file equal to it.
 * Throws ConflictChangedError when something newer arrived (nothing written anywhere).
 */
export async function resolveKeep(r: ResolveRequest): Promise<Resolution> {
  return (await resolveWith(r, undefined)).result;
}

/**
 * Keeps one side as resolveKeep does, and saves the other side's content in the folder under
 * its conflict-copy name (a new file: the engine uploads it).
 */
export async function resolveKeepBoth(r: KeepBothRequest): Promise<KeepBothResolution> {
  const { result, conflictCopy } = await resolveWith(r, r.other);
  if (conflictCopy === undefined) throw new Error('keep both: no conflict copy was written');
  return { ...result, conflictCopy };
}

export interface RestoreRequest {
  client: S3Client;
  bucket: string;
  key: string;
  /** The version whose content becomes current again. */
  versionId: string;
  /** Installation id (rs-device of the restored version). */
  device: string;
  /** The current head(s): the restored version's rs-base. */
  heads: ConflictHead[];
  /** ETag of the current version (If-Match); read and checked against `heads` when left out. */
  currentEtag?: string;
  strategy?: WriteStrategy;
  region?: string;
  signal?: AbortSignal;
  /** Largest version copied with one CopyObject (S3 allows 5 GiB); above, a multipart copy. */
  singleCopyLimit?: number;
  /** Part size of a multipart copy (at least 5 MiB; raised to stay within 10,000 parts). */
  copyPartSize?: number;
}

/** The restored version: its id, ETag, sha256 (rs-sha256) and size. */
export type RestoredVersion = UploadedVersion;

const MAX_SINGLE_COPY = 5 * 1024 ** 3;
const CONTENT_HEADERS = [
  'ContentType',
  'CacheControl',
  'ContentDisposition',
  'ContentEncoding',
  'ContentLanguage',
] as const;

/** sha256 of a stored version, read through (for versions written without lineage). */
async function versionSha256(r: RestoreRequest): Promise<string> {
  const out = await r.client.send(
    new GetObjectCommand({ Bucket: r.bucket, Key: r.key, VersionId: r.versionId }),
    r.signal ? { abortSignal: r.signal } : {},
  );
  const sha = createHash('sha256');
  for await (const chunk of out.Body as Readable) sha.update(chunk as Buffer);
  return sha.digest('hex');
}

/**
 * "Restore this version": copies it in place (CopyObject of that version onto the key, never
 * a delete) as a new version with this device's lineage, rs-base = the current head(s) and
 * the version's sha256. Every version is kept. Throws ConflictChangedError when the current
 * version is no longer the one the user saw.
 */
export async function restoreVersion(r: RestoreRequest): Promise<RestoredVersion> {
  const bases = checkHeads(r.heads);
  if (!isVersionId(r.versionId)) throw new Error(`Invalid version id '${r.versionId}' to restore.`);
  const send = r.signal ? { abortSignal: r.signal } : {};
  const ctx = contextOf(r, 'restore');
  const src = await r.client
    .send(new HeadObjectCommand({ Bucket: r.bucket, Key: r.key, VersionId: r.versionId }), send)
    .catch((err: unknown) => {
      const c = classifyS3Error(err, ctx);
      throw c.status === 405
        ? new Error(
            `Version ${r.versionId} of '${r.key}' is a delete marker: it has no content to restore.`,
          )
        : c;
    });
  const size = src.ContentLength ?? 0;
  const sha256 = parseLineage(src.Metadata)?.sha256 ?? (await versionSha256(r));
  const condition = conditionHeaders(await writeCondition(r), r.strategy);
  const kept = Object.entries(src.Metadata ?? {}).filter(
    ([k]) => !(Object.values(LINEAGE_KEYS) as string[]).includes(k.toLowerCase()),
  );
  const write = {
    Bucket: r.bucket,
    Key: r.key,
    Metadata: { ...Object.fromEntries(kept), ...buildLineage({ device: r.device, bases, sha256 }) },
    ...Object.fromEntries(CONTENT_HEADERS.map((h) => [h, src[h]]).filter(([, v]) => v)),
  };
  const copySource = `${r.bucket}/${encodeURIComponent(r.key)}?versionId=${encodeURIComponent(r.versionId)}`;
  try {
    if (size <= Math.min(r.singleCopyLimit ?? MAX_SINGLE_COPY, MAX_SINGLE_COPY)) {
      const out = await r.client.send(
        new CopyObjectCommand({
          ...write,
          CopySource: copySource,
          MetadataDirective: 'REPLACE',
          ...(r.strategy?.integrity === 'crc64nvme' || !r.strategy
            ? { ChecksumAlgorithm: 'CRC64NVME' as const }
            : {}),
          ...condition,
        }),
        send,
      );
      const etag = out.CopyObjectResult?.ETag ?? '';
      return { versionId: out.VersionId ?? 'null', etag, sha256, size };
    }
    const partSize = choosePartSize(size, r.copyPartSize);
    const { UploadId } = await r.client.send(new CreateMultipartUploadCommand(write), send);
    const upload = { Bucket: r.bucket, Key: r.key, UploadId };
    try {
      const parts = [];
      for (let start = 0, n = 1; start < size; start += partSize, n++) {
        const range = `bytes=${start}-${Math.min(size, start + partSize) - 1}`;
        const part = await r.client.send(
          new UploadPartCopyCommand({
            ...upload,
            PartNumber: n,
            CopySource: copySource,
            CopySourceRange: range,
          }),
          send,
        );
        parts.push({ PartNumber: n, ETag: part.CopyPartResult?.ETag });
      }
      const done = await r.client.send(
        new CompleteMultipartUploadCommand({
          ...upload,
          MultipartUpload: { Parts: parts },
          ...condition,
        }),
        send,
      );
      return { versionId: done.VersionId ?? 'null', etag: done.ETag ?? '', sha256, size };
    } catch (err) {
      await r.client.send(new AbortMultipartUploadCommand(upload)).catch(() => undefined);
      throw err;
    }
  } catch (err) {
    const e = changedAgain(err, r);
    throw e instanceof ConflictChangedError ? e : classifyS3Error(err, ctx);
  }
}
