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
import type { Bucket } from '../store/buckets.js';
import type { ObjectVersion } from '../store/objects.js';
import { parseTaggingXml, tagSetBody, type Tag } from '../tags.js';
import { accountOwner } from '../ids.js';
import { aclBody } from './bucket.js';
import { selectVersion } from './object-meta.js';

/** Stores the tags and queues their replication (to replicas, or back from a replica). */
function setTags(ctx: Ctx, bucket: Bucket, v: ObjectVersion, tags: Tag[]): void {
  const { rt } = ctx;
  const queued = rt.db.transaction(() => {
    rt.objects.setTags(bucket.name, v.key, v.versionId, tags);
    return rt.replication.tagsChanged(bucket, { ...v, tags });
  })();
  if (queued) rt.replication.kick();
}

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
  setTags(ctx, bucket, v, tags);
  sendEmpty(ctx, 200, { 'x-amz-version-id': versionHeader(bucket, v.versionId) });
}

export function deleteObjectTagging(ctx: Ctx): void {
  const bucket = requireBucket(ctx);
  const key = requireKey(ctx);
  const v = selectVersion(ctx, bucket, key);
  setTags(ctx, bucket, v, []);
  sendEmpty(ctx, 204, { 'x-amz-version-id': versionHeader(bucket, v.versionId) });
}

export function getObjectAcl(ctx: Ctx): void {
  const bucket = requireBucket(ctx);
  const v = selectVersion(ctx, bucket, requireKey(ctx));
  const owner = v.ownerAccount ? accountOwner(v.ownerAccount) : undefined;
  sendXml(ctx, 200, 'AccessControlPolicy', aclBody(owner), {
    'x-amz-version-id': versionHeader(bucket, v.versionId),
  });
}
