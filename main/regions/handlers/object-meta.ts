// What an object carries besides its bytes: reading content type, standard headers, user
// metadata, storage class and tags from a request; writing them back on GET/HEAD; choosing
// the version a request addresses.
import { checksumHeaderName } from '../checksums.js';
import { header, httpDate, versionHeader, type Ctx, type Headers } from '../context.js';
import { S3Error } from '../errors.js';
import { invalidVersionId, methodNotAllowed, noSuchKey, noSuchVersion } from '../error-catalog.js';
import { isVersionIdSyntax } from '../ids.js';
import { STORAGE_CLASSES } from '../storage-classes.js';
import type { Bucket } from '../store/buckets.js';
import type { ObjectVersion } from '../store/objects.js';

export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

const STANDARD_HEADERS = [
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'expires',
  'x-amz-website-redirect-location',
];

const MAX_META_BYTES = 2048;

export interface RequestMetadata {
  contentType?: string;
  headers: Record<string, string>;
  meta: Record<string, string>;
}

/** Content-Type, standard headers and x-amz-meta-* of an upload request. */
export function metadataFromRequest(ctx: Ctx): RequestMetadata {
  const out: RequestMetadata = { headers: {}, meta: {} };
  const ct = header(ctx, 'content-type');
  if (ct !== undefined && ct !== '') out.contentType = ct;
  for (const name of STANDARD_HEADERS) {
    let v = header(ctx, name);
    if (v === undefined) continue;
    if (name === 'content-encoding') {
      v = v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '' && s !== 'aws-chunked')
        .join(',');
      if (v === '') continue;
    }
    out.headers[name] = v;
  }
  let size = 0;
  for (const [name, value] of Object.entries(ctx.req.headers)) {
    if (!name.startsWith('x-amz-meta-') || value === undefined) continue;
    const v = Array.isArray(value) ? value.join(',') : value;
    const short = name.slice('x-amz-meta-'.length);
    out.meta[short] = v;
    size += Buffer.byteLength(short) + Buffer.byteLength(v);
  }
  if (size > MAX_META_BYTES) {
    throw new S3Error(
      'MetadataTooLarge',
      400,
      'Your metadata headers exceed the maximum allowed metadata size.',
      {
        Size: String(size),
        MaxSizeAllowed: String(MAX_META_BYTES),
      },
    );
  }
  return out;
}

export function storageClassFromRequest(ctx: Ctx, fallback = 'STANDARD'): string {
  const sc = header(ctx, 'x-amz-storage-class');
  if (sc === undefined || sc === '') return fallback;
  if (!STORAGE_CLASSES.has(sc)) {
    throw new S3Error('InvalidStorageClass', 400, 'The storage class you specified is not valid', {
      StorageClassRequested: sc,
    });
  }
  return sc;
}

const OVERRIDES: Record<string, string> = {
  'response-content-type': 'Content-Type',
  'response-content-language': 'Content-Language',
  'response-expires': 'Expires',
  'response-cache-control': 'Cache-Control',
  'response-content-disposition': 'Content-Disposition',
  'response-content-encoding': 'Content-Encoding',
};

/** Response headers describing a version on GET/HEAD (without Content-Length/Range). */
export function objectHeaders(ctx: Ctx, bucket: Bucket, v: ObjectVersion): Headers {
  const h: Headers = {
    'Last-Modified': httpDate(v.lastModified),
    ETag: v.etag,
    'Content-Type': v.contentType ?? DEFAULT_CONTENT_TYPE,
    'Accept-Ranges': 'bytes',
    'x-amz-version-id': versionHeader(bucket, v.versionId),
  };
  for (const [name, value] of Object.entries(v.headers)) h[name] = value;
  for (const [name, value] of Object.entries(v.meta)) h[`x-amz-meta-${name}`] = value;
  if (v.storageClass !== 'STANDARD') h['x-amz-storage-class'] = v.storageClass;
  if (v.replicationStatus) h['x-amz-replication-status'] = v.replicationStatus;
  if (v.tags.length > 0) h['x-amz-tagging-count'] = v.tags.length;
  for (const [param, name] of Object.entries(OVERRIDES)) {
    const value = ctx.query.get(param);
    if (value !== null) {
      delete h[name.toLowerCase()];
      h[name] = value;
    }
  }
  return h;
}

/** Checksum headers for a full-object response when the client asked for them. */
export function checksumHeaders(ctx: Ctx, v: ObjectVersion, partNumber?: number): Headers {
  if ((header(ctx, 'x-amz-checksum-mode') ?? '').toUpperCase() !== 'ENABLED' || !v.checksum)
    return {};
  const name = checksumHeaderName(v.checksum.algorithm);
  if (partNumber !== undefined) {
    const part = v.parts?.[partNumber - 1];
    if (!v.parts || !part?.checksum) return {};
    return { [name]: part.checksum, 'x-amz-checksum-type': 'COMPOSITE' };
  }
  return { [name]: v.checksum.value, 'x-amz-checksum-type': v.checksum.type };
}

/** The versionId query parameter, checked for syntax. */
export function requestedVersion(ctx: Ctx): string | undefined {
  const id = ctx.query.get('versionId');
  if (id === null) return undefined;
  if (!isVersionIdSyntax(id)) throw invalidVersionId(id);
  return id;
}

/**
 * The version a GET/HEAD/tagging request addresses. A current delete marker answers 404
 * NoSuchKey, a delete marker addressed by version id 405 MethodNotAllowed, both with
 * x-amz-delete-marker: true, as S3 does.
 */
export function selectVersion(ctx: Ctx, bucket: Bucket, key: string): ObjectVersion {
  const versionId = requestedVersion(ctx);
  const v =
    versionId !== undefined
      ? ctx.rt.objects.version(bucket.name, key, versionId)
      : ctx.rt.objects.current(bucket.name, key);
  if (!v) throw versionId !== undefined ? noSuchVersion(key, versionId) : noSuchKey(key);
  if (v.deleteMarker) {
    ctx.res.setHeader('x-amz-delete-marker', 'true');
    ctx.res.setHeader('x-amz-version-id', v.versionId);
    if (versionId === undefined) throw noSuchKey(key);
    ctx.res.setHeader('Last-Modified', httpDate(v.lastModified));
    ctx.res.setHeader('Allow', 'DELETE');
    throw methodNotAllowed(ctx.method, 'DeleteMarker');
  }
  return v;
}
