// FAILED replication, guided: the likely cause in plain words (destination bucket gone,
// versioning suspended or off there, no permission, region unreachable), and the repair S3
// offers for a version it gave up on: write the version again in place, which makes a new
// version that S3 replicates again.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetBucketVersioningCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  UploadPartCopyCommand,
  type ChecksumAlgorithm,
  type CompletedPart,
  type HeadObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { buildLineage, parseLineage } from '../transfer/lineage.js';
import { classifyS3Error, type S3ErrorContext } from '../transfer/s3-errors.js';
import { readChecksums } from './replica-checksums.js';

export type ReplicationCause =
  | 'destination-missing'
  | 'versioning-suspended'
  | 'versioning-off'
  | 'permission'
  | 'unreachable'
  | 'unknown';

export interface Diagnosis {
  cause: ReplicationCause;
  bucket: string;
  region: string;
  /** The likely cause and the fix, in plain words. */
  message: string;
  /** A fix the app can apply itself. */
  fix: { kind: 'enable-versioning'; bucket: string; region: string } | null;
  /** The S3 error behind a permission or unknown cause. */
  error: string | null;
}

export interface DestinationRef {
  bucket: string;
  region: string;
}

/** True when the cause is still there, so a retry would fail the same way. */
export function blocksRetry(d: Diagnosis): boolean {
  return d.cause !== 'unknown';
}

/**
 * Why S3 could not replicate into `dest`: looks at the destination bucket (HeadBucket, then
 * GetBucketVersioning). A destination that looks healthy gives 'unknown', which on AWS most
 * often means the replication role lacks a permission this app cannot see.
 */
export async function diagnose(
  clientFor: (region: string) => S3Client,
  dest: DestinationRef,
): Promise<Diagnosis> {
  return diagnoseIn(clientFor, dest, true);
}

async function diagnoseIn(
  clientFor: (region: string) => S3Client,
  dest: DestinationRef,
  followRedirect: boolean,
): Promise<Diagnosis> {
  const { bucket, region } = dest;
  const client = clientFor(region);
  const named = `the destination bucket '${bucket}' (${region})`;
  const make = (
    cause: ReplicationCause,
    message: string,
    error: string | null = null,
  ): Diagnosis => ({
    cause,
    bucket,
    region,
    message,
    fix:
      cause === 'versioning-suspended' || cause === 'versioning-off'
        ? { kind: 'enable-versioning', bucket, region }
        : null,
    error,
  });
  const failure = async (err: unknown, operation: string): Promise<Diagnosis> => {
    const c = classifyS3Error(err, { bucket, region, operation });
    if (c.bucketRegion !== undefined && c.bucketRegion !== region && followRedirect)
      return diagnoseIn(clientFor, { bucket, region: c.bucketRegion }, false);
    if (c.code === 'NoSuchBucket' || c.status === 404)
      return make(
        'destination-missing',
        `${cap(named)} does not exist, so S3 has nowhere to put the copies. Create it again ` +
          `(with versioning enabled) or point the rule at another bucket, then retry.`,
      );
    if (c.code === 'AccessDenied' || c.status === 403)
      return make(
        'permission',
        `Access to ${named} is denied. Replication needs the rule's IAM role to be allowed to ` +
          `write replicas there (s3:ReplicateObject, s3:ReplicateDelete, s3:ReplicateTags) and ` +
          `no bucket policy denying it. Fix the permissions, then retry.`,
        c.message,
      );
    if (c.kind === 'transient')
      return make(
        'unreachable',
        `Region ${region} does not answer (${c.code}): the copies wait until it is back, ` +
          `there is nothing to repair yet.`,
        c.message,
      );
    return make('unknown', `Could not check ${named}: ${c.message}`, c.message);
  };

  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (err) {
    return failure(err, 'check');
  }
  let status: string | undefined;
  try {
    status = (await client.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status;
  } catch (err) {
    return failure(err, 'read the versioning of');
  }
  if (status === 'Suspended')
    return make(
      'versioning-suspended',
      `Versioning is suspended on ${named}. S3 replicates only into buckets with versioning ` +
        `enabled. Enable versioning on '${bucket}', then retry.`,
    );
  if (status !== 'Enabled')
    return make(
      'versioning-off',
      `Versioning was never enabled on ${named}. S3 replicates only into buckets with ` +
        `versioning enabled. Enable versioning on '${bucket}', then retry.`,
    );
  return make(
    'unknown',
    `${cap(named)} exists and has versioning enabled, so the cause is not visible from here. ` +
      `Most often the replication role lacks a permission (writing into '${bucket}', reading ` +
      `the source, or using its KMS key). Check the role, then retry.`,
  );
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export interface RetryTarget {
  bucket: string;
  key: string;
  /** The version S3 did not replicate; it must still be the current version. */
  versionId: string;
  region?: string;
}

export interface RetryOptions {
  /** rs-device of the new version (default: the device that wrote the original). */
  device?: string;
  /** Above this size the copy is a multipart copy (S3's CopyObject limit: 5 GiB). */
  maxCopySize?: number;
  /** Part size of a multipart copy (default: 512 MiB, more for huge objects). */
  partSize?: number;
  signal?: AbortSignal;
}

export type RetryResult =
  | { kind: 'rewritten'; versionId: string; etag: string | null; previousVersionId: string }
  /** A newer version (or a delete marker) was written since: nothing was copied. */
  | { kind: 'superseded'; currentVersionId: string | null; message: string };

const MAX_COPY_OBJECT = 5 * 1024 ** 3;
const MIN_COPY_PART = 512 * 1024 ** 2;
const COPY_ALGORITHMS: readonly ChecksumAlgorithm[] = [
  'CRC64NVME',
  'CRC32',
  'CRC32C',
  'SHA1',
  'SHA256',
];

/**
 * Writes `versionId` again onto the same key (a server-side copy: no bytes pass through this
 * computer), so S3 replicates the new version. Only while that version is still current: a
 * newer write is never reverted. The copy keeps content, content headers, tags, storage
 * class and user metadata; its rs-base names the original version, so the lineage graph
 * sees an edit with unchanged content, not a fork.
 */
export async function retryReplication(
  client: S3Client,
  target: RetryTarget,
  options: RetryOptions = {},
): Promise<RetryResult> {
  const { bucket, key, versionId } = target;
  const ctx: S3ErrorContext = {
    bucket,
    key,
    operation: 'retry replication of',
    ...(target.region !== undefined ? { region: target.region } : {}),
  };
  const send = options.signal ? { abortSignal: options.signal } : {};
  let head: HeadObjectCommandOutput;
  try {
    head = await client.send(
      new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }),
      send,
    );
  } catch (err) {
    const c = classifyS3Error(err, ctx);
    if (c.status === 404 || c.code === 'NoSuchKey')
      return superseded(
        null,
        `'${key}' was deleted in bucket '${bucket}' since: nothing to retry.`,
      );
    throw c;
  }
  const current = head.VersionId ?? 'null';
  if (current !== versionId)
    return superseded(
      current,
      `'${key}' has a newer version in bucket '${bucket}' than the one that failed: that one is the one to replicate.`,
    );

  const lineage = parseLineage(head.Metadata);
  const metadata: Record<string, string> = {
    ...head.Metadata,
    ...(lineage
      ? buildLineage({
          device: options.device ?? lineage.device,
          bases: [versionId],
          sha256: lineage.sha256,
        })
      : {}),
  };
  const copySource = `${bucket}/${encodeURIComponent(key)}?versionId=${encodeURIComponent(versionId)}`;
  const common = {
    Bucket: bucket,
    Key: key,
    Metadata: metadata,
    ...contentHeaders(head),
  };
  const size = head.ContentLength ?? 0;
  try {
    if (size <= (options.maxCopySize ?? MAX_COPY_OBJECT)) {
      const algorithm = COPY_ALGORITHMS.find((a) => readChecksums(head)[a] !== undefined);
      const out = await client.send(
        new CopyObjectCommand({
          ...common,
          CopySource: copySource,
          MetadataDirective: 'REPLACE',
          TaggingDirective: 'COPY',
          ChecksumAlgorithm: algorithm ?? 'CRC64NVME',
          ...(head.ETag !== undefined ? { IfMatch: head.ETag } : {}),
        }),
        send,
      );
      return {
        kind: 'rewritten',
        versionId: out.VersionId ?? 'null',
        etag: out.CopyObjectResult?.ETag ?? null,
        previousVersionId: versionId,
      };
    }
    return await copyInParts(client, { ...target, copySource, size, head, common }, options);
  } catch (err) {
    const c = classifyS3Error(err, ctx);
    if (c.kind === 'precondition-failed' || c.kind === 'conditional-conflict')
      return superseded(
        null,
        `'${key}' changed in bucket '${bucket}' while it was being written again: nothing was overwritten.`,
      );
    throw c;
  }
}

function superseded(currentVersionId: string | null, message: string): RetryResult {
  return { kind: 'superseded', currentVersionId, message };
}

/** The headers a copy with MetadataDirective REPLACE must send again to keep them. */
function contentHeaders(head: HeadObjectCommandOutput) {
  return {
    ...(head.ContentType !== undefined ? { ContentType: head.ContentType } : {}),
    ...(head.CacheControl !== undefined ? { CacheControl: head.CacheControl } : {}),
    ...(head.ContentDisposition !== undefined
      ? { ContentDisposition: head.ContentDisposition }
      : {}),
    ...(head.ContentEncoding !== undefined ? { ContentEncoding: head.ContentEncoding } : {}),
    ...(head.ContentLanguage !== undefined ? { ContentLanguage: head.ContentLanguage } : {}),
    ...(head.Expires !== undefined ? { Expires: head.Expires } : {}),
    ...(head.StorageClass !== undefined && head.StorageClass !== 'STANDARD'
      ? { StorageClass: head.StorageClass }
      : {}),
    ...(head.ServerSideEncryption === 'aws:kms' || head.ServerSideEncryption === 'aws:kms:dsse'
      ? {
          ServerSideEncryption: head.ServerSideEncryption,
          ...(head.SSEKMSKeyId !== undefined ? { SSEKMSKeyId: head.SSEKMSKeyId } : {}),
          ...(head.BucketKeyEnabled !== undefined
            ? { BucketKeyEnabled: head.BucketKeyEnabled }
            : {}),
        }
      : {}),
  };
}

/** Above CopyObject's limit: a multipart upload whose parts are server-side copies. */
async function copyInParts(
  client: S3Client,
  t: RetryTarget & {
    copySource: string;
    size: number;
    head: HeadObjectCommandOutput;
    common: ReturnType<typeof contentHeaders> & {
      Bucket: string;
      Key: string;
      Metadata: Record<string, string>;
    };
  },
  options: RetryOptions,
): Promise<RetryResult> {
  const send = options.signal ? { abortSignal: options.signal } : {};
  const tags = await client.send(
    new GetObjectTaggingCommand({ Bucket: t.bucket, Key: t.key, VersionId: t.versionId }),
    send,
  );
  const tagging = new URLSearchParams(
    (tags.TagSet ?? []).map((tag): [string, string] => [tag.Key ?? '', tag.Value ?? '']),
  ).toString();
  const created = await client.send(
    new CreateMultipartUploadCommand({
      ...t.common,
      ...(tagging !== '' ? { Tagging: tagging } : {}),
    }),
    send,
  );
  const uploadId = created.UploadId;
  if (uploadId === undefined) throw new Error(`S3 started no multipart upload for '${t.key}'`);
  const partSize = options.partSize ?? Math.max(MIN_COPY_PART, Math.ceil(t.size / 10_000));
  try {
    const parts: CompletedPart[] = [];
    for (let start = 0, n = 1; start < t.size; start += partSize, n++) {
      const end = Math.min(t.size, start + partSize) - 1;
      const out = await client.send(
        new UploadPartCopyCommand({
          Bucket: t.bucket,
          Key: t.key,
          UploadId: uploadId,
          PartNumber: n,
          CopySource: t.copySource,
          CopySourceRange: `bytes=${start}-${end}`,
        }),
        send,
      );
      parts.push({ PartNumber: n, ETag: out.CopyPartResult?.ETag });
    }
    const done = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: t.bucket,
        Key: t.key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
        ...(t.head.ETag !== undefined ? { IfMatch: t.head.ETag } : {}),
      }),
      send,
    );
    return {
      kind: 'rewritten',
      versionId: done.VersionId ?? 'null',
      etag: done.ETag ?? null,
      previousVersionId: t.versionId,
    };
  } catch (err) {
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: t.bucket, Key: t.key, UploadId: uploadId }))
      .catch(() => undefined);
    throw err;
  }
}
