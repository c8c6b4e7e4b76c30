// Uploads one local file to one key (DESIGN.md sections 1 and 4): one PutObject below the
// multipart threshold, a resumable multipart upload above it. Every write carries the
// lineage metadata, a CRC64NVME checksum computed before sending (so S3 itself refuses
// bytes that differ from what was hashed) and a conditional header, so a concurrent write
// elsewhere surfaces as a conflict instead of being overwritten.
import {
  DeleteObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  digestFile,
  sameStamp,
  stampFile,
  type FileDigest,
  type FileStamp,
} from './content-hash.js';
import { buildLineage } from './lineage.js';
import { uploadMultipart } from './multipart-upload.js';
import { classifyS3Error, type S3ErrorContext } from './s3-errors.js';
import {
  choosePartSize,
  conditionHeaders,
  conflictReason,
  DEFAULT_MULTIPART_THRESHOLD,
  fail,
  FileReadError,
  fileStillIs,
  findOwnWrite,
  MAX_OBJECT,
  PROVEN_STRATEGY,
  MAX_SINGLE_PUT,
  stampOrGone,
  strategyOf,
  toFileReadError,
  type UploadedVersion,
  type UploadRequest,
  type UploadResult,
  type WriteStrategy,
} from './upload-common.js';
import { isTransient, sendRange } from './upload-body.js';
import { afterWrite, versionsOverwritten } from './write-check.js';

export {
  choosePartSize,
  CorruptUploadError,
  PROVEN_STRATEGY,
  UNPROVEN_STRATEGY,
  type WriteStrategy,
  DEFAULT_MIN_PART_SIZE,
  DEFAULT_MULTIPART_THRESHOLD,
  DEFAULT_PART_CONCURRENCY,
  FileReadError,
  type DonePart,
  type MultipartResume,
  type MultipartStarted,
  type UploadCondition,
  type UploadedVersion,
  type UploadRequest,
  type UploadResult,
} from './upload-common.js';

/** The integrity headers of a single PUT, by what the service verifies. */
function integrityHeaders(r: UploadRequest, digest: FileDigest) {
  switch (strategyOf(r).integrity) {
    case 'crc64nvme':
      return { ChecksumAlgorithm: 'CRC64NVME' as const, ChecksumCRC64NVME: digest.crc64 };
    case 'content-md5':
      return { ContentMD5: Buffer.from(digest.md5, 'hex').toString('base64') };
    case 'self':
      return {};
  }
}

async function uploadSingle(r: UploadRequest, stamp: FileStamp): Promise<UploadResult> {
  const digest = await digestFile(r.filePath, r.signal ? { signal: r.signal } : {}).catch((e) =>
    fail(e, r),
  );
  const after = await stampOrGone(r.filePath);
  if (digest.size !== stamp.size || after === undefined || !sameStamp(stamp, after)) {
    return { kind: 'changed-during-upload' };
  }
  // Unguarded writes cannot answer "412, it was you": an earlier attempt that landed (a crash
  // before the index was written) is found first, so it is not written twice.
  if (!strategyOf(r).conditional) {
    const own = await findOwnWrite(r, digest.sha256, digest.size);
    if (own) return { kind: 'uploaded', ...own };
  }
  const metadata = buildLineage({ device: r.device, bases: r.bases, sha256: digest.sha256 });
  let sent = 0;
  const out = await sendRange({
    filePath: r.filePath,
    start: 0,
    length: digest.size,
    signal: r.signal,
    maxAttempts: r.maxAttempts ?? 3,
    onBytes: (d) => {
      sent += d;
      r.onProgress?.(sent, digest.size);
    },
    retryable: (e) => isTransient(e) && classifyS3Error(e).code !== 'BadDigest',
    send: (body, abortSignal) =>
      r.client.send(
        new PutObjectCommand({
          Bucket: r.bucket,
          Key: r.key,
          Body: body,
          ContentLength: digest.size,
          ...integrityHeaders(r, digest),
          Metadata: metadata,
          ...(r.contentType !== undefined ? { ContentType: r.contentType } : {}),
          ...conditionHeaders(r.condition, strategyOf(r)),
        }),
        { abortSignal },
      ),
  });
  if (!out.ok) {
    if (out.fileChanged || classifyS3Error(out.error).code === 'BadDigest') {
      return { kind: 'changed-during-upload' };
    }
    const reason = conflictReason(out.error, r);
    if (reason !== undefined) {
      // Our own earlier write (a retried request, or a crash before the index was written)
      // also answers 412: it is ours when it carries exactly our lineage and size.
      const own = await findOwnWrite(r, digest.sha256, digest.size);
      return own ? { kind: 'uploaded', ...own } : { kind: 'conflict', reason };
    }
    fail(out.error, r);
  }
  const written: UploadedVersion = {
    versionId: out.value.VersionId ?? 'null',
    etag: out.value.ETag ?? '',
    sha256: digest.sha256,
    size: digest.size,
  };
  // Where S3 verified a checksum, what it stored is what was hashed; else the app checks.
  const forkedWith = await afterWrite(r, written, digest.md5).catch((e: unknown) => fail(e, r));
  if (out.sentSha256 !== digest.sha256 || !(await fileStillIs(r.filePath, stamp, digest.sha256))) {
    return { kind: 'changed-during-upload', written };
  }
  return { kind: 'uploaded', ...written, ...(forkedWith ? { forkedWith } : {}) };
}

/**
 * Uploads `filePath` to `key`. Returns uploaded / conflict / changed-during-upload; throws
 * an S3OperationError (classified; kind `cancelled` on abort, a multipart upload then stays
 * resumable) or a FileReadError.
 */
export async function uploadFile(r: UploadRequest): Promise<UploadResult> {
  const stamp = await stampFile(r.filePath).catch((e) => {
    throw toFileReadError(r.filePath, e) ?? e;
  });
  if (stamp.size > MAX_OBJECT) {
    throw new FileReadError(r.filePath, 'EFBIG', new Error('over 5 TiB'));
  }
  const threshold = Math.min(r.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD, MAX_SINGLE_PUT);
  if (stamp.size < threshold) return uploadSingle(r, stamp);
  return uploadMultipart(r, stamp, choosePartSize(stamp.size, r.minPartSize));
}

export type DeleteResult =
  | { kind: 'deleted'; versionId: string }
  | { kind: 'already-deleted' }
  | { kind: 'conflict'; reason: string; currentVersionId?: string };

/** The version the local copy was synced to; the delete only proceeds if it is still current. */
export interface DeleteLineage {
  base: string;
  /** ETag of the base: sent as If-Match, which AWS enforces on DeleteObject. */
  etag?: string;
}

/**
 * Writes a delete marker (DeleteObject without VersionId: never a version delete, so the
 * content stays recoverable). Delete markers carry no metadata; the lineage is used to make
 * sure nobody wrote a newer version the local delete never saw.
 */
export async function deleteKey(
  client: S3Client,
  bucket: string,
  key: string,
  lineage: DeleteLineage,
  opts: {
    region?: string;
    signal?: AbortSignal;
    strategy?: WriteStrategy;
    device?: string;
  } = {},
): Promise<DeleteResult> {
  const conditional = (opts.strategy ?? PROVEN_STRATEGY).conditional;
  const ctx: S3ErrorContext = {
    bucket,
    key,
    operation: 'delete',
    ...(opts.region ? { region: opts.region } : {}),
  };
  const send = { ...(opts.signal ? { abortSignal: opts.signal } : {}) };
  let current: string | undefined;
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), send);
    current = head.VersionId ?? 'null';
  } catch (err) {
    const c = classifyS3Error(err, ctx);
    if (c.code === 'NoSuchKey') return { kind: 'already-deleted' };
    throw c;
  }
  if (current !== lineage.base) {
    return {
      kind: 'conflict',
      reason: `'${key}' has a newer version in bucket '${bucket}' than the one deleted here: kept as a conflict.`,
      currentVersionId: current,
    };
  }
  try {
    const out = await client.send(
      new DeleteObjectCommand({
        Bucket: bucket,
        Key: key,
        ...(conditional && lineage.etag !== undefined ? { IfMatch: lineage.etag } : {}),
      }),
      send,
    );
    const marker = out.VersionId ?? 'null';
    if (!conditional) {
      // Unguarded: a version written between our HEAD and our delete is now hidden.
      const others = await versionsOverwritten({
        client,
        bucket,
        key,
        base: lineage.base,
        ours: marker,
        device: opts.device ?? '',
        sha256: '',
        ...(opts.signal ? { signal: opts.signal } : {}),
      }).catch(() => [] as string[]);
      if (others.length > 0)
        return {
          kind: 'conflict',
          reason: `'${key}' got a new version (${others.join(', ')}) in bucket '${bucket}' while it was deleted here: the delete marker hides it, kept as a conflict.`,
        };
    }
    return { kind: 'deleted', versionId: marker };
  } catch (err) {
    const c = classifyS3Error(err, ctx);
    if (c.kind === 'precondition-failed') return { kind: 'conflict', reason: c.message };
    throw c;
  }
}
