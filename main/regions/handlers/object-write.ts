// PutObject and CopyObject.
import { checksumClaim, receiveBody, MAX_PUT_SIZE } from '../body.js';
import {
  CHECKSUM_ALGORITHMS,
  checksumHeaderName,
  createHasher,
  type ChecksumAlgorithm,
} from '../checksums.js';
import { checkReadPreconditions, checkWriteConditions, writeConditions } from '../conditional.js';
import {
  header,
  requireBucket,
  requireKey,
  sendXml,
  versionHeader,
  type Ctx,
  type Headers,
} from '../context.js';
import { S3Error } from '../errors.js';
import {
  invalidArgument,
  invalidRequest,
  invalidVersionId,
  noSuchBucket,
  noSuchKey,
  noSuchVersion,
  preconditionFailed,
} from '../error-catalog.js';
import { isVersionIdSyntax } from '../ids.js';
import type { Bucket } from '../store/buckets.js';
import type { ObjectVersion, StoredChecksum } from '../store/objects.js';
import { parseTaggingHeader } from '../tags.js';
import { commitVersion } from './commit.js';
import { metadataFromRequest, storageClassFromRequest } from './object-meta.js';

/** S3 computes CRC64NVME for uploads that carry no checksum of their own. */
export const DEFAULT_CHECKSUM: ChecksumAlgorithm = 'CRC64NVME';

function checksumResponse(c: StoredChecksum | undefined): Headers {
  if (!c) return {};
  return { [checksumHeaderName(c.algorithm)]: c.value, 'x-amz-checksum-type': c.type };
}

export async function putObject(ctx: Ctx): Promise<void> {
  const bucket = requireBucket(ctx);
  const key = requireKey(ctx);
  if (Buffer.byteLength(key) > 1024)
    throw new S3Error('KeyTooLongError', 400, 'Your key is too long');
  const meta = metadataFromRequest(ctx);
  const storageClass = storageClassFromRequest(ctx);
  const tags = parseTaggingHeader(header(ctx, 'x-amz-tagging'));
  const conditions = writeConditions(ctx.req.headers);
  const ticket = conditions ? ctx.rt.writes.begin(bucket.name, key) : undefined;
  try {
    if (conditions) checkWriteConditions(conditions, key, ctx.rt.objects.current(bucket.name, key));
    // The default checksum is only computed when the client sends none of its own.
    const compute = checksumClaim(ctx) ? [] : [DEFAULT_CHECKSUM];
    const body = await receiveBody(ctx, { compute, requireLength: true });
    const algorithm = body.claimed?.algorithm ?? DEFAULT_CHECKSUM;
    const checksum: StoredChecksum = {
      algorithm,
      type: 'FULL_OBJECT',
      value: body.checksums[algorithm] as string,
    };
    const { version, bucket: b } = await commitVersion(
      ctx,
      bucket.name,
      key,
      {
        deleteMarker: false,
        lastModified: Date.now(),
        size: body.size,
        etag: `"${body.md5Hex}"`,
        ...meta,
        tags,
        storageClass,
        checksum,
      },
      { tmp: body.tmp, conditions, ticket },
    );
    ctx.res.writeHead(200, {
      ETag: version.etag,
      'Content-Length': 0,
      ...definedHeaders({
        'x-amz-version-id': versionHeader(b, version.versionId),
        ...checksumResponse(body.claimed ? checksum : undefined),
      }),
    });
    ctx.res.end();
  } finally {
    if (ticket) ctx.rt.writes.end(ticket);
  }
}

function definedHeaders(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = String(v);
  return out;
}

export interface CopySource {
  bucket: Bucket;
  version: ObjectVersion;
  /** Whether the request named the version explicitly. */
  explicitVersion: boolean;
}

/** Resolves x-amz-copy-source (`bucket/key` or `/bucket/key`, URL-encoded, `?versionId=`). */
export function resolveCopySource(ctx: Ctx): CopySource {
  const raw = header(ctx, 'x-amz-copy-source') ?? '';
  const q = raw.indexOf('?');
  let path: string;
  let versionId: string | undefined;
  try {
    path = decodeURIComponent(q >= 0 ? raw.slice(0, q) : raw).replace(/^\//, '');
    if (q >= 0) {
      const params = new URLSearchParams(raw.slice(q + 1));
      versionId = params.get('versionId') ?? undefined;
    }
  } catch {
    throw invalidArgument('Invalid copy source encoding.', 'x-amz-copy-source', raw);
  }
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) {
    throw invalidArgument(
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
      'x-amz-copy-source',
      raw,
    );
  }
  const bucketName = path.slice(0, slash);
  const key = path.slice(slash + 1);
  const bucket = ctx.rt.buckets.get(bucketName);
  if (!bucket) throw noSuchBucket(bucketName);
  if (versionId !== undefined && !isVersionIdSyntax(versionId)) throw invalidVersionId(versionId);
  const version =
    versionId !== undefined
      ? ctx.rt.objects.version(bucketName, key, versionId)
      : ctx.rt.objects.current(bucketName, key);
  if (!version) throw versionId !== undefined ? noSuchVersion(key, versionId) : noSuchKey(key);
  if (version.deleteMarker) {
    if (versionId !== undefined) {
      throw invalidRequest(
        'The source of a copy request may not specifically refer to a delete marker by version id.',
      );
    }
    throw noSuchKey(key);
  }
  // x-amz-copy-source-if-* conditions: any failure is 412 (never 304) for copies.
  if (checkReadPreconditions(ctx.req.headers, version, 'x-amz-copy-source-') === 304) {
    throw preconditionFailed(
      header(ctx, 'x-amz-copy-source-if-none-match') !== undefined
        ? 'x-amz-copy-source-If-None-Match'
        : 'x-amz-copy-source-If-Modified-Since',
    );
  }
  return { bucket, version, explicitVersion: versionId !== undefined };
}

function directive(ctx: Ctx, name: string): 'COPY' | 'REPLACE' {
  const v = header(ctx, name);
  if (v === undefined || v === 'COPY') return 'COPY';
  if (v === 'REPLACE') return 'REPLACE';
  throw invalidArgument(
    `Unknown ${name === 'x-amz-metadata-directive' ? 'metadata' : 'tagging'} directive.`,
    name,
    v,
  );
}

function requestedAlgorithm(ctx: Ctx): ChecksumAlgorithm | undefined {
  const v = header(ctx, 'x-amz-checksum-algorithm');
  if (v === undefined) return undefined;
  const alg = v.toUpperCase() as ChecksumAlgorithm;
  if (!CHECKSUM_ALGORITHMS.includes(alg))
    throw invalidRequest('Invalid x-amz-checksum-algorithm value.');
  return alg;
}

export async function copyObject(ctx: Ctx): Promise<void> {
  const bucket = requireBucket(ctx);
  const key = requireKey(ctx);
  const src = resolveCopySource(ctx);
  const metaDirective = directive(ctx, 'x-amz-metadata-directive');
  const tagDirective = directive(ctx, 'x-amz-tagging-directive');
  const storageClass = storageClassFromRequest(ctx, src.version.storageClass);
  const algorithm = requestedAlgorithm(ctx) ?? src.version.checksum?.algorithm ?? DEFAULT_CHECKSUM;
  const sameObject = src.bucket.name === bucket.name && src.version.key === key;
  if (
    sameObject &&
    !src.explicitVersion &&
    metaDirective === 'COPY' &&
    header(ctx, 'x-amz-storage-class') === undefined &&
    header(ctx, 'x-amz-checksum-algorithm') === undefined
  ) {
    throw invalidRequest(
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  if (src.version.size > MAX_PUT_SIZE) {
    throw invalidRequest(
      `The specified copy source is larger than the maximum allowable size for a copy source: ${MAX_PUT_SIZE}`,
    );
  }
  const meta =
    metaDirective === 'REPLACE'
      ? metadataFromRequest(ctx)
      : {
          contentType: src.version.contentType,
          headers: src.version.headers,
          meta: src.version.meta,
        };
  const tags =
    tagDirective === 'REPLACE'
      ? parseTaggingHeader(header(ctx, 'x-amz-tagging'))
      : src.version.tags;
  const conditions = writeConditions(ctx.req.headers);
  const ticket = conditions ? ctx.rt.writes.begin(bucket.name, key) : undefined;
  try {
    if (conditions) checkWriteConditions(conditions, key, ctx.rt.objects.current(bucket.name, key));
    const md5 = createHasher('MD5');
    const sum = createHasher(algorithm);
    const tmp = await ctx.rt.blobs.receive(
      ctx.rt.blobs.readObject(src.version, 0, src.version.size - 1),
      (chunk) => {
        md5.update(chunk);
        sum.update(chunk);
      },
    );
    const checksum: StoredChecksum = {
      algorithm,
      type: 'FULL_OBJECT',
      value: sum.digest().toString('base64'),
    };
    const now = Date.now();
    const { version, bucket: b } = await commitVersion(
      ctx,
      bucket.name,
      key,
      {
        deleteMarker: false,
        lastModified: now,
        size: tmp.size,
        etag: `"${md5.digest().toString('hex')}"`,
        ...(meta.contentType !== undefined ? { contentType: meta.contentType } : {}),
        headers: meta.headers,
        meta: meta.meta,
        tags,
        storageClass,
        checksum,
      },
      { tmp: tmp.tmp, conditions, ticket },
    );
    sendXml(
      ctx,
      200,
      'CopyObjectResult',
      {
        ETag: version.etag,
        LastModified: new Date(version.lastModified),
        ChecksumType: checksum.type,
        [`Checksum${algorithm}`]: checksum.value,
      },
      {
        'x-amz-version-id': versionHeader(b, version.versionId),
        'x-amz-copy-source-version-id': versionHeader(src.bucket, src.version.versionId),
      },
    );
  } finally {
    if (ticket) ctx.rt.writes.end(ticket);
  }
}
