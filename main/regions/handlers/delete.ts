// DeleteObject and DeleteObjects. Without a version id: a delete marker on a versioned bucket
// (a `null` one when suspended), a permanent delete of the `null` version otherwise. With a
// version id: that version is removed permanently (and never replicated).
import { readSmallBody } from '../body.js';
import { CHECKSUM_ALGORITHMS, checksumHeaderName } from '../checksums.js';
import { header, requireBucket, requireKey, sendEmpty, sendXml, type Ctx } from '../context.js';
import { S3Error } from '../errors.js';
import { invalidRequest, malformedXml } from '../error-catalog.js';
import { isVersionIdSyntax } from '../ids.js';
import type { Bucket } from '../store/buckets.js';
import { blobsOf } from '../store/objects.js';
import { children, parseRoot, text } from '../xml-read.js';
import { checkWriteConditions } from '../conditional.js';
import { commitVersion } from './commit.js';
import { requestedVersion } from './object-meta.js';

export interface DeleteOutcome {
  /** True when a delete marker was created or removed. */
  deleteMarker: boolean;
  /** Version id of the version removed, or of the delete marker created. */
  versionId?: string;
}

async function deleteOne(
  ctx: Ctx,
  bucket: Bucket,
  key: string,
  versionId: string | undefined,
): Promise<DeleteOutcome> {
  const { rt } = ctx;
  if (versionId !== undefined) {
    const removed = rt.db.transaction(() =>
      rt.objects.deleteVersion(bucket.name, key, versionId),
    )();
    if (!removed) return { deleteMarker: false, versionId };
    rt.writes.committed(bucket.name, key);
    for (const blob of blobsOf(removed)) await rt.blobs.remove(blob);
    return { deleteMarker: removed.deleteMarker, versionId };
  }
  if (bucket.versioning === '') {
    const removed = rt.db.transaction(() => rt.objects.deleteVersion(bucket.name, key, 'null'))();
    if (removed) {
      rt.writes.committed(bucket.name, key);
      for (const blob of blobsOf(removed)) await rt.blobs.remove(blob);
    }
    return { deleteMarker: false };
  }
  const { version } = await commitVersion(ctx, bucket.name, key, {
    deleteMarker: true,
    lastModified: Date.now(),
    size: 0,
    etag: '',
    headers: {},
    meta: {},
    tags: [],
    storageClass: 'STANDARD',
  });
  return { deleteMarker: true, versionId: version.versionId };
}

export async function deleteObject(ctx: Ctx): Promise<void> {
  const bucket = requireBucket(ctx);
  const key = requireKey(ctx);
  // Conditional delete, as S3 enforces it: If-Match names the ETag of the current version.
  const ifMatch = header(ctx, 'if-match');
  if (ifMatch !== undefined && requestedVersion(ctx) === undefined)
    checkWriteConditions({ ifMatch }, key, ctx.rt.objects.current(bucket.name, key));
  const out = await deleteOne(ctx, bucket, key, requestedVersion(ctx));
  sendEmpty(ctx, 204, {
    'x-amz-delete-marker': out.deleteMarker ? 'true' : undefined,
    'x-amz-version-id':
      bucket.versioning === '' && out.versionId === undefined ? undefined : out.versionId,
  });
}

export async function deleteObjects(ctx: Ctx): Promise<void> {
  const bucket = requireBucket(ctx);
  const integrity =
    header(ctx, 'content-md5') !== undefined ||
    header(ctx, 'x-amz-trailer') !== undefined ||
    CHECKSUM_ALGORITHMS.some((a) => header(ctx, checksumHeaderName(a)) !== undefined);
  if (!integrity) throw invalidRequest('Missing required header for this request: Content-MD5');
  const root = parseRoot(await readSmallBody(ctx, 2 * 1024 * 1024), 'Delete');
  const quiet = text(root, 'Quiet') === 'true';
  const objects = children(root, 'Object');
  if (objects.length === 0 || objects.length > 1000) throw malformedXml();
  const deleted: Record<string, unknown>[] = [];
  const errors: Record<string, unknown>[] = [];
  for (const o of objects) {
    const key = text(o, 'Key');
    if (key === undefined) throw malformedXml();
    const versionId = text(o, 'VersionId');
    try {
      if (versionId !== undefined && !isVersionIdSyntax(versionId)) {
        throw new S3Error('NoSuchVersion', 404, 'The specified version does not exist.');
      }
      const out = await deleteOne(ctx, bucket, key, versionId);
      if (quiet) continue;
      deleted.push({
        Key: key,
        VersionId: versionId,
        DeleteMarker: out.deleteMarker ? true : undefined,
        DeleteMarkerVersionId: out.deleteMarker ? out.versionId : undefined,
      });
    } catch (err) {
      if (!(err instanceof S3Error)) throw err;
      errors.push({ Key: key, VersionId: versionId, Code: err.code, Message: err.message });
    }
  }
  sendXml(ctx, 200, 'DeleteResult', { Deleted: deleted, Error: errors });
}
