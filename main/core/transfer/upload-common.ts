// Types and helpers shared by the single-request and the multipart upload paths.
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { digestFile, sameStamp, stampFile, type FileStamp } from './content-hash.js';
import { parseLineage } from './lineage.js';
import { cancelledError, classifyS3Error, type S3ErrorContext } from './s3-errors.js';

const MiB = 1024 * 1024;
export const DEFAULT_MULTIPART_THRESHOLD = 16 * MiB;
export const DEFAULT_MIN_PART_SIZE = 8 * MiB;
export const DEFAULT_PART_CONCURRENCY = 4;
const MAX_PARTS = 10_000;
export const MAX_SINGLE_PUT = 5 * 1024 * MiB;
export const MAX_OBJECT = 5 * 1024 * 1024 * MiB;

/** `new`: If-None-Match `*`; `edit`: If-Match with the ETag of the version it was edited from. */
export type UploadCondition = { kind: 'new' } | { kind: 'edit'; etag: string };

/**
 * How a write is made on this service, chosen from its measured capabilities (never from
 * what was sent): conditional headers only where proven; the checksum S3 verifies, or the
 * app's own check of the stored bytes where the service verifies none.
 */
export interface WriteStrategy {
  /** If-Match / If-None-Match are sent and a 412 means someone wrote first. */
  conditional: boolean;
  /**
   * `crc64nvme`: the service verifies CRC64NVME. `content-md5`: it verifies Content-MD5 (and
   * part ETags are checked). `self`: it verifies nothing; the app checks ETags against its
   * MD5s and reads the object back where the ETag is not an MD5.
   */
  integrity: 'crc64nvme' | 'content-md5' | 'self';
}

/** The strategy where every header is proven (local regions, AWS). */
export const PROVEN_STRATEGY: WriteStrategy = { conditional: true, integrity: 'crc64nvme' };

/** Before anything is measured: nothing is assumed. */
export const UNPROVEN_STRATEGY: WriteStrategy = { conditional: false, integrity: 'self' };

export interface DonePart {
  partNumber: number;
  etag: string;
  /** Base64 CRC64NVME of the part. */
  checksum: string;
  size: number;
}

/** What to persist once a multipart upload exists, to resume it after a restart. */
export interface MultipartStarted {
  uploadId: string;
  /** Digest of content + metadata + part size: a resume with another fingerprint starts over. */
  fingerprint: string;
}

export interface MultipartResume extends MultipartStarted {
  parts: DonePart[];
}

export interface UploadRequest {
  client: S3Client;
  bucket: string;
  key: string;
  filePath: string;
  /** Installation id (rs-device). */
  device: string;
  /** Version ids this content was edited from (rs-base); empty for a new file. */
  bases: string[];
  condition: UploadCondition;
  /** Default PROVEN_STRATEGY. */
  strategy?: WriteStrategy;
  /** For messages only. */
  region?: string;
  contentType?: string;
  multipartThreshold?: number;
  minPartSize?: number;
  partConcurrency?: number;
  /** Attempts per streamed request (the SDK does not retry streamed bodies). Default 3. */
  maxAttempts?: number;
  resume?: MultipartResume;
  onMultipartStarted?: (started: MultipartStarted) => void | Promise<void>;
  onPartDone?: (part: DonePart) => void | Promise<void>;
  /** Something the user may want to know that does not stop the upload. */
  onNote?: (message: string) => void;
  /** Bytes sent so far (may step back when a failed attempt is retried). */
  onProgress?: (sent: number, total: number) => void;
  signal?: AbortSignal;
}

export interface UploadedVersion {
  versionId: string;
  etag: string;
  sha256: string;
  size: number;
}

export type UploadResult =
  | ({
      kind: 'uploaded';
      /** Unconditional writes: versions others wrote between our base and ours (a fork). */
      forkedWith?: string[];
    } & UploadedVersion)
  | { kind: 'conflict'; reason: string }
  /**
   * The local file changed while it was sent. Nothing is recorded as synced. `written` is
   * set when S3 had already stored a version (content and rs-sha256 consistent, just no
   * longer the local file): the next upload must use it as its base.
   */
  | { kind: 'changed-during-upload'; written?: UploadedVersion };

/** A local file that cannot be read, with a message naming it and the fix. */
export class FileReadError extends Error {
  override readonly name = 'FileReadError';
  constructor(
    readonly filePath: string,
    readonly code: string,
    cause: unknown,
  ) {
    const why =
      code === 'ENOENT'
        ? 'it no longer exists'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied: check the file permissions'
          : code === 'EISDIR'
            ? 'it is not a regular file'
            : code === 'EBUSY'
              ? 'it is locked by another program: close it there'
              : `read error ${code}`;
    super(`Cannot read '${filePath}': ${why}`, { cause });
  }
}

export function toFileReadError(filePath: string, err: unknown): FileReadError | undefined {
  const e = err as { code?: unknown; $metadata?: unknown } | undefined;
  if (e && typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code) && e.$metadata === undefined) {
    if (['ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE'].includes(e.code)) return undefined;
    return new FileReadError(filePath, e.code, err);
  }
  return undefined;
}

/** Part size for a file: at least `minPartSize`, whole MiB, at most 10,000 parts. */
export function choosePartSize(size: number, minPartSize = DEFAULT_MIN_PART_SIZE): number {
  const needed = Math.ceil(size / MAX_PARTS / MiB) * MiB;
  return Math.max(minPartSize, needed);
}

export function strategyOf(r: UploadRequest): WriteStrategy {
  return r.strategy ?? PROVEN_STRATEGY;
}

/** The conditional header of a write, only where the service was proven to honour it. */
export function conditionHeaders(
  c: UploadCondition,
  strategy: WriteStrategy = PROVEN_STRATEGY,
): { IfNoneMatch?: string; IfMatch?: string } {
  if (!strategy.conditional) return {};
  return c.kind === 'new' ? { IfNoneMatch: '*' } : { IfMatch: c.etag };
}

/** An ETag as the hex MD5 it usually is, or undefined (multipart, SSE-KMS, other services). */
export function etagMd5(etag: string | undefined): string | undefined {
  const m = /^"?([0-9a-f]{32})"?$/i.exec(etag ?? '');
  return m?.[1]?.toLowerCase();
}

/** The bytes S3 stored differ from what was sent: caught by the app's own check. */
export class CorruptUploadError extends Error {
  override readonly name = 'CorruptUploadError';
  constructor(key: string, detail: string) {
    super(
      `The upload of '${key}' arrived damaged (${detail}); the damaged version was removed and the file will be sent again.`,
    );
  }
}

export function contextOf(r: UploadRequest): S3ErrorContext {
  return {
    bucket: r.bucket,
    key: r.key,
    operation: 'upload',
    ...(r.region !== undefined ? { region: r.region } : {}),
  };
}

/** 412, or 404 on If-Match (the base was deleted remotely): someone else wrote first. */
export function conflictReason(err: unknown, r: UploadRequest): string | undefined {
  const c = classifyS3Error(err, contextOf(r));
  if (c.kind === 'precondition-failed') return c.message;
  if (r.condition.kind === 'edit' && (c.code === 'NoSuchKey' || c.status === 404)) {
    return `'${r.key}' was deleted in bucket '${r.bucket}' since this device last synced it: kept as a conflict.`;
  }
  return undefined;
}

/**
 * After a retried write answers 412 (or NoSuchUpload), the earlier attempt may have landed:
 * the current version is ours if it carries exactly our lineage and size.
 */
export async function findOwnWrite(
  r: UploadRequest,
  sha256: string,
  size: number,
): Promise<UploadedVersion | undefined> {
  try {
    const head = await r.client.send(new HeadObjectCommand({ Bucket: r.bucket, Key: r.key }));
    const l = parseLineage(head.Metadata);
    const sameBases =
      l !== undefined &&
      l.bases.length === r.bases.length &&
      r.bases.every((b) => l.bases.includes(b));
    if (l?.device === r.device && l.sha256 === sha256 && sameBases && head.ContentLength === size) {
      return { versionId: head.VersionId ?? 'null', etag: head.ETag ?? '', sha256, size };
    }
  } catch {
    // No current version, or unreachable: not provably ours.
  }
  return undefined;
}

/** Re-reads the file after sending: same stamp and same sha256, or it changed meanwhile. */
export async function fileStillIs(
  filePath: string,
  stamp: FileStamp,
  sha256: string,
): Promise<boolean> {
  try {
    if (!sameStamp(stamp, await stampFile(filePath))) return false;
    return (await digestFile(filePath)).sha256 === sha256;
  } catch {
    return false;
  }
}

/** Throws the error as a FileReadError (local read problem) or a classified S3 error. */
export function fail(err: unknown, r: UploadRequest): never {
  if (r.signal?.aborted) throw cancelledError(contextOf(r), err);
  if (err instanceof CorruptUploadError) throw err;
  throw toFileReadError(r.filePath, err) ?? classifyS3Error(err, contextOf(r));
}

/** The file's stamp, or undefined when it is gone or unreadable. */
export async function stampOrGone(filePath: string): Promise<FileStamp | undefined> {
  return stampFile(filePath).catch(() => undefined);
}
