// Bucket operations: create/head/delete/list, location, versioning, replication, tagging, ACL.
import { readSmallBody } from '../body.js';
import { requireBucket, sendEmpty, sendRawXml, sendXml, type Ctx } from '../context.js';
import { S3Error } from '../errors.js';
import { invalidRequest, malformedXml } from '../error-catalog.js';
import { OWNER } from '../ids.js';
import {
  parseReplicationConfig,
  replicationConfigBody,
  validateDestinations,
} from '../replication-config.js';
import { UNCONFIGURED } from '../router.js';
import { parseTaggingXml, tagSetBody } from '../tags.js';
import { child, parseRoot, text } from '../xml-read.js';

export function isValidBucketName(name: string): boolean {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)) return false;
  if (/\.\.|\.-|-\./.test(name)) return false;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return false;
  if (/^(xn--|sthree-)/.test(name)) return false;
  if (/(-s3alias|--ol-s3|\.mrap|--x-s3)$/.test(name)) return false;
  return true;
}

export async function createBucket(ctx: Ctx): Promise<void> {
  const name = ctx.bucket ?? '';
  if (!isValidBucketName(name)) {
    throw new S3Error('InvalidBucketName', 400, 'The specified bucket is not valid.', {
      BucketName: name,
    });
  }
  const body = await readSmallBody(ctx);
  let location = ctx.region;
  if (body.toString('utf8').trim() !== '') {
    const conf = parseRoot(body, 'CreateBucketConfiguration');
    const lc = text(conf, 'LocationConstraint');
    if (lc !== undefined && lc !== '') {
      if (!ctx.rt.regions.has(lc)) {
        throw new S3Error(
          'InvalidLocationConstraint',
          400,
          'The specified location-constraint is not valid',
          {
            LocationConstraint: lc,
          },
        );
      }
      if (lc !== ctx.region) {
        throw new S3Error(
          'IllegalLocationConstraintException',
          400,
          `The ${lc} location constraint is incompatible for the region specific endpoint this request was sent to.`,
        );
      }
      location = lc;
    }
  }
  const existing = ctx.rt.buckets.get(name);
  if (existing) throw alreadyExists(name, existing.region === ctx.region);
  if (!ctx.rt.buckets.create(name, location)) throw alreadyExists(name, true);
  ctx.rt.log(`created bucket ${name} in ${location}`);
  sendEmpty(ctx, 200, { Location: `/${name}` });
}

function alreadyExists(name: string, sameRegion: boolean): S3Error {
  // One local account owns every bucket: a name taken in this region is "owned by you"; a name
  // taken in another local region cannot be created here (the namespace is global).
  return sameRegion
    ? new S3Error(
        'BucketAlreadyOwnedByYou',
        409,
        'Your previous request to create the named bucket succeeded and you already own it.',
        { BucketName: name },
      )
    : new S3Error(
        'BucketAlreadyExists',
        409,
        'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
        { BucketName: name },
      );
}

export function headBucket(ctx: Ctx): void {
  const b = requireBucket(ctx);
  sendEmpty(ctx, 200, { 'x-amz-bucket-region': b.region, 'x-amz-access-point-alias': 'false' });
}

export async function deleteBucket(ctx: Ctx): Promise<void> {
  const b = requireBucket(ctx);
  if (!ctx.rt.buckets.isEmpty(b.name)) {
    throw new S3Error(
      'BucketNotEmpty',
      409,
      b.versioning === ''
        ? 'The bucket you tried to delete is not empty'
        : 'The bucket you tried to delete is not empty. You must delete all versions in the bucket.',
      { BucketName: b.name },
    );
  }
  const parts = ctx.rt.buckets.delete(b.name);
  for (const blob of parts) await ctx.rt.blobs.remove(blob);
  ctx.rt.log(`deleted bucket ${b.name}`);
  sendEmpty(ctx, 204);
}

export function listBuckets(ctx: Ctx): void {
  const q = ctx.query;
  const prefix = q.get('prefix') ?? '';
  const regionFilter = q.get('bucket-region');
  const maxRaw = q.get('max-buckets');
  let max = 10000;
  if (maxRaw !== null) {
    if (!/^\d+$/.test(maxRaw) || Number(maxRaw) < 1 || Number(maxRaw) > 10000) {
      throw new S3Error(
        'InvalidArgument',
        400,
        'Argument max-buckets must be an integer between 1 and 10000',
        {
          ArgumentName: 'max-buckets',
          ArgumentValue: maxRaw,
        },
      );
    }
    max = Number(maxRaw);
  }
  const token = q.get('continuation-token');
  const after = token ? Buffer.from(token, 'base64url').toString('utf8') : '';
  const all = ctx.rt.buckets
    .list()
    .filter(
      (b) =>
        b.name.startsWith(prefix) && (!regionFilter || b.region === regionFilter) && b.name > after,
    );
  const page = all.slice(0, max);
  const more = all.length > max;
  sendXml(ctx, 200, 'ListAllMyBucketsResult', {
    Buckets: {
      Bucket: page.map((b) => ({
        Name: b.name,
        CreationDate: new Date(b.createdAt),
        BucketRegion: b.region,
      })),
    },
    Owner: { ID: OWNER.ID, DisplayName: OWNER.DisplayName },
    ContinuationToken: more
      ? Buffer.from(page[page.length - 1]?.name ?? '').toString('base64url')
      : undefined,
    Prefix: q.has('prefix') ? prefix : undefined,
  });
}

export function getBucketLocation(ctx: Ctx): void {
  const b = requireBucket(ctx);
  const ns = 'http://s3.amazonaws.com/doc/2006-03-01/';
  // us-east-1 is reported as an empty LocationConstraint, as S3 does.
  const value = b.region === 'us-east-1' ? '' : b.region;
  sendRawXml(
    ctx,
    200,
    `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="${ns}">${value}</LocationConstraint>`,
  );
}

export async function putBucketVersioning(ctx: Ctx): Promise<void> {
  const b = requireBucket(ctx);
  const conf = parseRoot(await readSmallBody(ctx), 'VersioningConfiguration');
  const status = text(conf, 'Status');
  if (status !== 'Enabled' && status !== 'Suspended') throw malformedXml();
  const mfa = text(conf, 'MfaDelete');
  if (mfa !== undefined && mfa !== 'Disabled' && mfa !== 'Enabled') throw malformedXml();
  if (mfa === 'Enabled') {
    throw invalidRequest('DevPay and Mfa are mutually exclusive authorization methods.');
  }
  if (status === 'Suspended' && b.replication) {
    throw new S3Error(
      'InvalidBucketState',
      409,
      'A replication configuration is present on this bucket, so the versioning state cannot be changed.',
      { BucketName: b.name },
    );
  }
  ctx.rt.buckets.setVersioning(b.name, status);
  sendEmpty(ctx, 200);
}

export function getBucketVersioning(ctx: Ctx): void {
  const b = requireBucket(ctx);
  sendXml(ctx, 200, 'VersioningConfiguration', {
    Status: b.versioning === '' ? undefined : b.versioning,
  });
}

export async function putBucketReplication(ctx: Ctx): Promise<void> {
  const b = requireBucket(ctx);
  const config = parseReplicationConfig(await readSmallBody(ctx));
  if (b.versioning !== 'Enabled') {
    throw invalidRequest(
      "Versioning must be 'Enabled' on the bucket to apply a replication configuration",
      {
        BucketName: b.name,
      },
    );
  }
  validateDestinations(config, b.name, (name) => ctx.rt.buckets.get(name));
  const { rt } = ctx;
  const queued = rt.db.transaction(() => {
    rt.buckets.setReplication(b.name, config);
    return rt.replication.replicateExisting(b, config);
  })();
  if (queued > 0) rt.replication.kick();
  sendEmpty(ctx, 200);
}

export function getBucketReplication(ctx: Ctx): void {
  const b = requireBucket(ctx);
  if (!b.replication) {
    throw new S3Error(
      'ReplicationConfigurationNotFoundError',
      404,
      'The replication configuration was not found',
      {
        BucketName: b.name,
      },
    );
  }
  sendXml(ctx, 200, 'ReplicationConfiguration', replicationConfigBody(b.replication));
}

export function deleteBucketReplication(ctx: Ctx): void {
  const b = requireBucket(ctx);
  ctx.rt.buckets.setReplication(b.name, null);
  sendEmpty(ctx, 204);
}

export async function putBucketTagging(ctx: Ctx): Promise<void> {
  const b = requireBucket(ctx);
  const tags = parseTaggingXml(await readSmallBody(ctx), 'bucket');
  ctx.rt.buckets.setTags(b.name, tags);
  sendEmpty(ctx, 204);
}

export function getBucketTagging(ctx: Ctx): void {
  const b = requireBucket(ctx);
  if (!b.tags || b.tags.length === 0) {
    throw new S3Error('NoSuchTagSet', 404, 'The TagSet does not exist', { BucketName: b.name });
  }
  sendXml(ctx, 200, 'Tagging', tagSetBody(b.tags));
}

export function deleteBucketTagging(ctx: Ctx): void {
  const b = requireBucket(ctx);
  ctx.rt.buckets.setTags(b.name, null);
  sendEmpty(ctx, 204);
}

/** The only ACL here: the local account has FULL_CONTROL. */
/** The owner's FULL_CONTROL; `owner` defaults to the local account. */
export function aclBody(
  owner: { ID: string; DisplayName: string } = OWNER,
): Record<string, unknown> {
  const who = { ID: owner.ID, DisplayName: owner.DisplayName };
  return {
    Owner: who,
    AccessControlList: { Grant: [{ Grantee: who, Permission: 'FULL_CONTROL' }] },
  };
}

export function getBucketAcl(ctx: Ctx): void {
  requireBucket(ctx);
  sendXml(ctx, 200, 'AccessControlPolicy', aclBody());
}

/** ACLs are not modelled: a canned private ACL (or an equivalent body) is accepted and ignored. */
export async function putAcl(ctx: Ctx): Promise<void> {
  requireBucket(ctx);
  const canned = ctx.req.headers['x-amz-acl'];
  const body = await readSmallBody(ctx);
  if (canned !== undefined && canned !== 'private' && canned !== 'bucket-owner-full-control') {
    throw new S3Error(
      'NotImplemented',
      501,
      'Only the private ACL is supported by the local regions.',
    );
  }
  if (body.length > 0) child(parseRoot(body, 'AccessControlPolicy'), 'AccessControlList');
  sendEmpty(ctx, 200);
}

export function getUnconfigured(ctx: Ctx): void {
  const b = requireBucket(ctx);
  const name = Object.keys(UNCONFIGURED).find((n) => ctx.query.has(n)) as string;
  const [code, message] = UNCONFIGURED[name] as [string, string];
  throw new S3Error(code, 404, message, { BucketName: b.name });
}

export function deleteUnconfigured(ctx: Ctx): void {
  requireBucket(ctx);
  sendEmpty(ctx, 204);
}
