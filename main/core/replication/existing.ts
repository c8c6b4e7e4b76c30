// Objects written before a rule existed are never replicated by S3 (it replicates new writes
// only). listUnreplicated finds the current versions a rule applies to that carry no
// replication status; replicateInPlace copies each onto itself, which is a new write that S3
// then replicates. On AWS, S3 Batch Replication does the same without new versions.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  UploadPartCopyCommand,
  type ChecksumAlgorithm,
  type CompletedPart,
  type HeadObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ReplicationRuleModel, TagPair } from '../../contract/replication.js';
import { classifyS3Error } from '../transfer/s3-errors.js';
import { mapLimit } from './rules.js';
import { ruleMismatch } from './simulator.js';

export interface UnreplicatedObject {
  key: string;
  versionId: string;
  size: number;
}

export interface UnreplicatedList {
  /** At most `limit`, in key order. */
  keys: UnreplicatedObject[];
  /** All found (the list may be shorter). */
  total: number;
  /** On AWS: S3 Batch Replication as the alternative to copying in place. */
  batchAlternative: string | null;
}

export const BATCH_REPLICATION_NOTE =
  'Alternative on AWS: S3 Batch Replication (a Batch Operations job, from the S3 console or "aws s3control create-job" with a manifest of these objects) replicates existing objects without writing new versions; it bills per object and needs the replication role to allow batch operations.';

/** S3's largest single CopyObject. */
const MAX_COPY_OBJECT = 5 * 1024 ** 3;

function tagPairs(tags: { Key?: string; Value?: string }[] | undefined): TagPair[] {
  return (tags ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' }));
}

/** The longest prefix every enabled rule starts with: the listing needs nothing outside it. */
function commonPrefix(rules: ReplicationRuleModel[]): string {
  const prefixes = rules.map((r) => r.filter.prefix);
  let p = prefixes[0] ?? '';
  for (const q of prefixes) while (!q.startsWith(p)) p = p.slice(0, -1);
  return p;
}

async function appliesTo(
  client: S3Client,
  bucket: string,
  rules: ReplicationRuleModel[],
  key: string,
  versionId: string,
): Promise<boolean> {
  const byPrefix = rules.filter((r) => key.startsWith(r.filter.prefix));
  if (byPrefix.length === 0) return false;
  if (byPrefix.some((r) => r.filter.tags.length === 0)) return true;
  const out = await client.send(
    new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
  );
  const tags = tagPairs(out.TagSet);
  return byPrefix.some((r) => ruleMismatch(r, key, tags) === null);
}

/**
 * Current versions (not delete markers) that an enabled rule applies to and that have no
 * replication status: written before the rule, so S3 will never replicate them. Replicas
 * (status REPLICA) are not listed: S3 never replicates them again, by design.
 */
export async function listUnreplicated(
  client: S3Client,
  bucket: string,
  rules: ReplicationRuleModel[],
  opts: { limit?: number; local?: boolean; concurrency?: number } = {},
): Promise<UnreplicatedList> {
  const limit = opts.limit ?? 1000;
  const batchAlternative = opts.local ? null : BATCH_REPLICATION_NOTE;
  const enabled = rules.filter((r) => r.enabled);
  if (enabled.length === 0) return { keys: [], total: 0, batchAlternative };
  const prefix = commonPrefix(enabled);
  const found: UnreplicatedObject[] = [];
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  const ctx = { bucket, operation: 'list the objects of' };
  try {
    do {
      const page = await client.send(
        new ListObjectVersionsCommand({
          Bucket: bucket,
          ...(prefix !== '' ? { Prefix: prefix } : {}),
          ...(keyMarker !== undefined ? { KeyMarker: keyMarker } : {}),
          ...(versionMarker !== undefined ? { VersionIdMarker: versionMarker } : {}),
        }),
      );
      const current = (page.Versions ?? []).filter(
        (v) => v.IsLatest && v.Key !== undefined && v.VersionId !== undefined,
      );
      const results = await mapLimit(current, opts.concurrency ?? 8, async (v) => {
        const key = v.Key as string;
        const versionId = v.VersionId as string;
        if (!(await appliesTo(client, bucket, enabled, key, versionId))) return null;
        const head = await client.send(
          new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
        );
        if (head.ReplicationStatus !== undefined) return null;
        return { key, versionId, size: v.Size ?? head.ContentLength ?? 0 };
      });
      for (const r of results) if (r !== null) found.push(r);
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (keyMarker !== undefined);
  } catch (err) {
    throw classifyS3Error(err, ctx);
  }
  return { keys: found.slice(0, limit), total: found.length, batchAlternative };
}

export interface ReplicateInPlaceOptions {
  /** Above this size the copy goes in parts (UploadPartCopy). Default 5 GiB, S3's limit. */
  multipartAbove?: number;
  /** Part size of a copy in parts. Default 512 MiB. */
  partSize?: number;
  concurrency?: number;
}

function copySource(bucket: string, key: string, versionId: string): string {
  const path = key.split('/').map(encodeURIComponent).join('/');
  return `${bucket}/${path}?versionId=${encodeURIComponent(versionId)}`;
}

const CHECKSUM_FIELDS: [keyof HeadObjectCommandOutput, ChecksumAlgorithm][] = [
  ['ChecksumCRC64NVME', 'CRC64NVME'],
  ['ChecksumCRC32', 'CRC32'],
  ['ChecksumCRC32C', 'CRC32C'],
  ['ChecksumSHA1', 'SHA1'],
  ['ChecksumSHA256', 'SHA256'],
];

function checksumAlgorithm(head: HeadObjectCommandOutput): ChecksumAlgorithm | undefined {
  return CHECKSUM_FIELDS.find(([field]) => head[field] !== undefined)?.[1];
}

/**
 * The headers that make the copy the same object as `head`. A version written by the app
 * (lineage metadata rs-sha256) gets rs-base = the copied version: the copy is that version's
 * content, written again, so the lineage stays one line and no fork appears.
 */
function objectHeaders(head: HeadObjectCommandOutput) {
  const metadata = { ...(head.Metadata ?? {}) };
  const lineage = metadata['rs-sha256'] !== undefined && head.VersionId !== undefined;
  if (lineage) metadata['rs-base'] = head.VersionId as string;
  return {
    lineage,
    headers: {
      Metadata: metadata,
      ...(head.ContentType !== undefined ? { ContentType: head.ContentType } : {}),
      ...(head.CacheControl !== undefined ? { CacheControl: head.CacheControl } : {}),
      ...(head.ContentDisposition !== undefined
        ? { ContentDisposition: head.ContentDisposition }
        : {}),
      ...(head.ContentEncoding !== undefined ? { ContentEncoding: head.ContentEncoding } : {}),
      ...(head.ContentLanguage !== undefined ? { ContentLanguage: head.ContentLanguage } : {}),
      ...(head.Expires !== undefined ? { Expires: head.Expires } : {}),
      ...(head.WebsiteRedirectLocation !== undefined
        ? { WebsiteRedirectLocation: head.WebsiteRedirectLocation }
        : {}),
      // Without it S3 would write the copy as STANDARD.
      ...(head.StorageClass !== undefined ? { StorageClass: head.StorageClass } : {}),
      ...(head.ServerSideEncryption !== undefined
        ? { ServerSideEncryption: head.ServerSideEncryption }
        : {}),
      ...(head.SSEKMSKeyId !== undefined ? { SSEKMSKeyId: head.SSEKMSKeyId } : {}),
      ...(head.BucketKeyEnabled !== undefined ? { BucketKeyEnabled: head.BucketKeyEnabled } : {}),
    },
  };
}

async function copyInParts(
  client: S3Client,
  bucket: string,
  key: string,
  head: HeadObjectCommandOutput,
  partSize: number,
): Promise<void> {
  const size = head.ContentLength ?? 0;
  const etag = head.ETag as string;
  const source = copySource(bucket, key, head.VersionId as string);
  const algorithm = checksumAlgorithm(head) ?? 'CRC64NVME';
  const fullObject = algorithm.startsWith('CRC');
  const { headers } = objectHeaders(head);
  const created = await client.send(
    new CreateMultipartUploadCommand({
      Bucket: bucket,
      Key: key,
      ...headers,
      ChecksumAlgorithm: algorithm,
      ChecksumType: fullObject ? 'FULL_OBJECT' : 'COMPOSITE',
    }),
  );
  const uploadId = created.UploadId as string;
  try {
    const ranges: [number, number][] = [];
    for (let start = 0; start < size; start += partSize)
      ranges.push([start, Math.min(size, start + partSize) - 1]);
    const parts = await mapLimit(ranges, 4, async ([start, end], i): Promise<CompletedPart> => {
      const out = await client.send(
        new UploadPartCopyCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: i + 1,
          CopySource: source,
          CopySourceRange: `bytes=${start}-${end}`,
          CopySourceIfMatch: etag,
        }),
      );
      const r = out.CopyPartResult ?? {};
      return {
        PartNumber: i + 1,
        ETag: r.ETag,
        ...(r.ChecksumCRC32 !== undefined ? { ChecksumCRC32: r.ChecksumCRC32 } : {}),
        ...(r.ChecksumCRC32C !== undefined ? { ChecksumCRC32C: r.ChecksumCRC32C } : {}),
        ...(r.ChecksumCRC64NVME !== undefined ? { ChecksumCRC64NVME: r.ChecksumCRC64NVME } : {}),
        ...(r.ChecksumSHA1 !== undefined ? { ChecksumSHA1: r.ChecksumSHA1 } : {}),
        ...(r.ChecksumSHA256 !== undefined ? { ChecksumSHA256: r.ChecksumSHA256 } : {}),
      };
    });
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
        ...(fullObject ? { ChecksumType: 'FULL_OBJECT' as const } : {}),
        IfMatch: etag,
      }),
    );
  } catch (err) {
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
      .catch(() => undefined);
    throw err;
  }
}

/** Copies the current version of `key` onto itself; throws a classified error. */
async function copyInPlace(
  client: S3Client,
  bucket: string,
  key: string,
  opts: ReplicateInPlaceOptions,
): Promise<void> {
  const ctx = { bucket, key, operation: 'copy in place' };
  let head: HeadObjectCommandOutput;
  try {
    head = await client.send(
      new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }),
    );
  } catch (err) {
    throw classifyS3Error(err, ctx);
  }
  if (head.VersionId === undefined || head.ETag === undefined) {
    throw new Error(`S3 did not say which version of '${key}' is current: nothing was copied.`);
  }
  if ((head.ContentLength ?? 0) > (opts.multipartAbove ?? MAX_COPY_OBJECT)) {
    try {
      await copyInParts(client, bucket, key, head, opts.partSize ?? 512 * 1024 ** 2);
    } catch (err) {
      throw classifyS3Error(err, ctx);
    }
    return;
  }
  const { lineage, headers } = objectHeaders(head);
  const algorithm = checksumAlgorithm(head);
  try {
    await client.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: key,
        CopySource: copySource(bucket, key, head.VersionId),
        // Only this exact content; and only while it is still the current version.
        CopySourceIfMatch: head.ETag,
        IfMatch: head.ETag,
        ...(lineage
          ? { MetadataDirective: 'REPLACE' as const, ...headers }
          : {
              MetadataDirective: 'COPY' as const,
              ...(head.StorageClass !== undefined ? { StorageClass: head.StorageClass } : {}),
              ...(head.ServerSideEncryption !== undefined
                ? { ServerSideEncryption: head.ServerSideEncryption }
                : {}),
              ...(head.SSEKMSKeyId !== undefined ? { SSEKMSKeyId: head.SSEKMSKeyId } : {}),
            }),
        ...(algorithm !== undefined ? { ChecksumAlgorithm: algorithm } : {}),
      }),
    );
  } catch (err) {
    throw classifyS3Error(err, ctx);
  }
}

function copyFailure(err: unknown, bucket: string, key: string): string {
  const kind = (err as { kind?: string }).kind;
  if (kind === 'precondition-failed' || kind === 'conditional-conflict')
    return `'${key}' in bucket '${bucket}' changed while it was being copied: not copied (a new write is replicated anyway).`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Writes the current version of each key again (CopyObject onto itself: same bytes, metadata,
 * tags, content headers and storage class), so S3 replicates it like any new write. A key
 * that changed meanwhile is not copied (If-Match) and is reported as failed.
 */
export async function replicateInPlace(
  client: S3Client,
  bucket: string,
  keys: string[],
  opts: ReplicateInPlaceOptions = {},
): Promise<{ copied: number; failed: { key: string; message: string }[] }> {
  const failed: { key: string; message: string }[] = [];
  let copied = 0;
  await mapLimit([...new Set(keys)], opts.concurrency ?? 4, async (key) => {
    try {
      await copyInPlace(client, bucket, key, opts);
      copied++;
    } catch (err) {
      failed.push({ key, message: copyFailure(err, bucket, key) });
    }
  });
  failed.sort((a, b) => a.key.localeCompare(b.key));
  return { copied, failed };
}
