// Get/Put/DeleteObjectTagging and the object ACL (always the owner's FULL_CONTROL).
import { readSmallBody } from '../body.js';
import {
  requireBucket,
  requireKey,
  sendEmpty,
  sendXml,
  versionHeader,
  type Ctx,
} from '../context.js';
import { parseTaggingXml, tagSetBody } from '../tags.js';
import { aclBody } from './bucket.js';
import { selectVersion } from './object-meta.js';

export function getObjectTagging(ctx: Ctx): void {
  const bucket = requireBucket(ctx);
  const v = selectVersion(ctx, bucket, requireKey(ctx));
  sendXml(ctx, 200, 'Tagging', tagSetBody(v.tags), {
    'x-amz-version-id': versionHeader(bucket, v.versionId),
  });
}

export async function putObjectTagging(ctx: Ctx): Promise<void> {
  const bucket = requireBucket(ctx);
  const key = requireKey(ctx);
  const tags = parseTaggingXml(await readSmallBody(ctx), 'object');
  const v = selectVersion(ctx, bucket, key);
  ctx.rt.objects.setTags(bucket.name, key, v.versionId, tags);
  sendEmpty(ctx, 200, { 'x-amz-version-id': versionHeader(bucket, v.versionId) });
}

export function deleteObjectTagging(ctx: Ctx): void {
  const bucket = requireBucket(ctx);
  const key = requireKey(ctx);
  const v = selectVersion(ctx, bucket, key);
  ctx.rt.objects.setTags(bucket.name, key, v.versionId, []);
  sendEmpty(ctx, 204, { 'x-amz-version-id': versionHeader(bucket, v.versionId) });
}

export function getObjectAcl(ctx: Ctx): void {
  const bucket = requireBucket(ctx);
  const v = selectVersion(ctx, bucket, requireKey(ctx));
  sendXml(ctx, 200, 'AccessControlPolicy', aclBody(), {
    'x-amz-version-id': versionHeader(bucket, v.versionId),
  });
}
