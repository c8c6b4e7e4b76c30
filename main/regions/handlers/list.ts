// ListObjects (v1), ListObjectsV2, ListObjectVersions and ListMultipartUploads.
import { requireBucket, sendXml, type Ctx } from '../context.js';
import { invalidArgument, invalidVersionId } from '../error-catalog.js';
import { accountOwner, isVersionIdSyntax, OWNER } from '../ids.js';
import type { ListOptions, Listed } from '../store/listing.js';
import type { ObjectVersion } from '../store/objects.js';

/** The local account, or the destination account of a replica made with an owner override. */
const owner = (v?: ObjectVersion): Record<string, string> =>
  v?.ownerAccount ? accountOwner(v.ownerAccount) : { ID: OWNER.ID, DisplayName: OWNER.DisplayName };

interface Common {
  prefix: string;
  delimiter: string;
  maxKeys: number;
  encode: (s: string | undefined) => string | undefined;
  encodingType: string | undefined;
}

function common(ctx: Ctx, maxParam = 'max-keys'): Common {
  const q = ctx.query;
  const encodingType = q.get('encoding-type') ?? undefined;
  if (encodingType !== undefined && encodingType !== 'url') {
    throw invalidArgument(
      'Invalid Encoding Method specified in Request',
      'encoding-type',
      encodingType,
    );
  }
  const raw = q.get(maxParam);
  let maxKeys = 1000;
  if (raw !== null) {
    if (!/^-?\d+$/.test(raw) || Number(raw) < 0 || Number(raw) > 2147483647) {
      throw invalidArgument(
        'Provided max-keys not an integer or within integer range',
        maxParam,
        raw,
      );
    }
    maxKeys = Math.min(Number(raw), 1000);
  }
  return {
    prefix: q.get('prefix') ?? '',
    delimiter: q.get('delimiter') ?? '',
    maxKeys,
    encodingType,
    encode: (s) => (s === undefined || encodingType === undefined ? s : encodeURIComponent(s)),
  };
}

function contents(c: Common, v: ObjectVersion, withOwner: boolean): Record<string, unknown> {
  return {
    Key: c.encode(v.key),
    LastModified: new Date(v.lastModified),
    ETag: v.etag,
    ChecksumAlgorithm: v.checksum?.algorithm,
    ChecksumType: v.checksum?.type,
    Size: v.size,
    Owner: withOwner ? owner(v) : undefined,
    StorageClass: v.storageClass,
  };
}

const prefixes = (c: Common, list: string[]): Record<string, unknown>[] =>
  list.map((p) => ({ Prefix: c.encode(p) }));

/** The key or common prefix a listing ended on: where the next page starts. */
function lastKey<T extends { key: string }>(listed: Listed<T>): string | undefined {
  return listed.last?.prefix ?? listed.last?.row?.key;
}

/** Runs a listing with the request's prefix, delimiter and max-keys; max-keys 0 lists nothing. */
function page<T>(c: Common, list: (opts: ListOptions) => Listed<T>): Listed<T> {
  if (c.maxKeys === 0) return { items: [], prefixes: [], truncated: false };
  return list({ prefix: c.prefix, delimiter: c.delimiter, maxKeys: c.maxKeys });
}

export function listObjectsV2(ctx: Ctx): void {
  const bucket = requireBucket(ctx);
  const c = common(ctx);
  const q = ctx.query;
  const token = q.get('continuation-token');
  const startAfter = q.get('start-after') ?? undefined;
  let after = startAfter ?? '';
  if (token !== null) {
    const decoded = Buffer.from(token, 'base64url').toString('utf8');
    if (token === '' || !decoded.startsWith('k:')) {
      throw invalidArgument(
        'The continuation token provided is incorrect',
        'continuation-token',
        token,
      );
    }
    after = decoded.slice(2);
  }
  const listed = page(c, (o) => ctx.rt.objects.listCurrent(bucket.name, after, o));
  const last = listed.truncated ? lastKey(listed) : undefined;
  sendXml(ctx, 200, 'ListBucketResult', {
    Name: bucket.name,
    Prefix: c.encode(c.prefix),
    Delimiter: c.delimiter === '' ? undefined : c.encode(c.delimiter),
    MaxKeys: c.maxKeys,
    KeyCount: listed.items.length + listed.prefixes.length,
    IsTruncated: listed.truncated,
    ContinuationToken: token ?? undefined,
    NextContinuationToken:
      last !== undefined ? Buffer.from(`k:${last}`).toString('base64url') : undefined,
    StartAfter: c.encode(startAfter),
    EncodingType: c.encodingType,
    Contents: listed.items.map((v) => contents(c, v, q.get('fetch-owner') === 'true')),
    CommonPrefixes: prefixes(c, listed.prefixes),
  });
}

export function listObjects(ctx: Ctx): void {
  const bucket = requireBucket(ctx);
  const c = common(ctx);
  const marker = ctx.query.get('marker') ?? '';
  const listed = page(c, (o) => ctx.rt.objects.listCurrent(bucket.name, marker, o));
  const last = lastKey(listed);
  sendXml(ctx, 200, 'ListBucketResult', {
    Name: bucket.name,
    Prefix: c.encode(c.prefix),
    Marker: c.encode(marker),
    NextMarker: listed.truncated && c.delimiter !== '' ? c.encode(last) : undefined,
    MaxKeys: c.maxKeys,
    Delimiter: c.delimiter === '' ? undefined : c.encode(c.delimiter),
    IsTruncated: listed.truncated,
    EncodingType: c.encodingType,
    Contents: listed.items.map((v) => contents(c, v, true)),
    CommonPrefixes: prefixes(c, listed.prefixes),
  });
}

export function listObjectVersions(ctx: Ctx): void {
  const bucket = requireBucket(ctx);
  const c = common(ctx);
  const q = ctx.query;
  const keyMarker = q.get('key-marker') ?? '';
  const vidMarker = q.get('version-id-marker') ?? undefined;
  let afterOrd: string | undefined;
  if (vidMarker !== undefined && vidMarker !== '') {
    if (keyMarker === '') {
      throw invalidArgument(
        'A version-id marker cannot be specified without a key marker.',
        'version-id-marker',
        vidMarker,
      );
    }
    if (!isVersionIdSyntax(vidMarker)) throw invalidVersionId(vidMarker);
    afterOrd = ctx.rt.objects.version(bucket.name, keyMarker, vidMarker)?.ord;
  }
  const listed = page(c, (o) => ctx.rt.objects.listVersions(bucket.name, keyMarker, afterOrd, o));
  const versions = listed.items.filter((v) => !v.deleteMarker);
  const markers = listed.items.filter((v) => v.deleteMarker);
  sendXml(ctx, 200, 'ListVersionsResult', {
    Name: bucket.name,
    Prefix: c.encode(c.prefix),
    KeyMarker: c.encode(keyMarker),
    VersionIdMarker: vidMarker ?? '',
    NextKeyMarker: listed.truncated ? c.encode(lastKey(listed)) : undefined,
    NextVersionIdMarker: listed.truncated ? listed.last?.row?.versionId : undefined,
    MaxKeys: c.maxKeys,
    Delimiter: c.delimiter === '' ? undefined : c.encode(c.delimiter),
    IsTruncated: listed.truncated,
    EncodingType: c.encodingType,
    Version: versions.map((v) => ({
      Key: c.encode(v.key),
      VersionId: v.versionId,
      IsLatest: v.isLatest,
      LastModified: new Date(v.lastModified),
      ETag: v.etag,
      ChecksumAlgorithm: v.checksum?.algorithm,
      ChecksumType: v.checksum?.type,
      Size: v.size,
      Owner: owner(v),
      StorageClass: v.storageClass,
    })),
    DeleteMarker: markers.map((v) => ({
      Key: c.encode(v.key),
      VersionId: v.versionId,
      IsLatest: v.isLatest,
      LastModified: new Date(v.lastModified),
      Owner: owner(),
    })),
    CommonPrefixes: prefixes(c, listed.prefixes),
  });
}

export function listMultipartUploads(ctx: Ctx): void {
  const bucket = requireBucket(ctx);
  const c = common(ctx, 'max-uploads');
  const q = ctx.query;
  const keyMarker = q.get('key-marker') ?? '';
  const uploadIdMarker = q.get('upload-id-marker') || undefined;
  const listed = page(c, (o) =>
    ctx.rt.multipart.listUploads(
      bucket.name,
      keyMarker,
      keyMarker === '' ? undefined : uploadIdMarker,
      o,
    ),
  );
  sendXml(ctx, 200, 'ListMultipartUploadsResult', {
    Bucket: bucket.name,
    KeyMarker: c.encode(keyMarker),
    UploadIdMarker: uploadIdMarker ?? '',
    NextKeyMarker: listed.truncated ? c.encode(lastKey(listed)) : undefined,
    NextUploadIdMarker: listed.truncated ? listed.last?.row?.uploadId : undefined,
    Prefix: c.encode(c.prefix),
    Delimiter: c.delimiter === '' ? undefined : c.encode(c.delimiter),
    MaxUploads: c.maxKeys,
    IsTruncated: listed.truncated,
    EncodingType: c.encodingType,
    Upload: listed.items.map((u) => ({
      Key: c.encode(u.key),
      UploadId: u.uploadId,
      Initiator: owner(),
      Owner: owner(),
      StorageClass: u.storageClass,
      Initiated: new Date(u.initiated),
      ChecksumAlgorithm: u.checksumAlgorithm,
      ChecksumType: u.checksumType,
    })),
    CommonPrefixes: prefixes(c, listed.prefixes),
  });
}
