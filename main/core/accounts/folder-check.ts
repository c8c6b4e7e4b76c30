// Before the first upload of a folder: does the bucket exist, in this region, can these
// credentials reach it, and is versioning enabled (DESIGN.md section 1: every version is
// kept and conflicts are found through version ids). Each failure says exactly what is
// wrong and what fixes it; versioning off comes with the fix the app can apply itself.
import {
  GetBucketVersioningCommand,
  HeadBucketCommand,
  PutBucketVersioningCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { classifyS3Error, type S3OperationError } from '../transfer/s3-errors.js';

export type FolderProblem =
  | 'invalid-bucket-name'
  | 'unreachable'
  | 'no-credentials'
  | 'bad-credentials'
  | 'access-denied'
  | 'bucket-missing'
  | 'wrong-region'
  | 'versioning-off'
  | 'versioning-suspended'
  | 'error';

export type FolderFix =
  | { kind: 'enable-versioning' }
  | { kind: 'use-region'; region: string }
  | { kind: 'create-bucket' }
  | { kind: 'edit-account' }
  | { kind: 'retry' };

export type FolderCheckResult =
  | { ok: true; bucket: string; region: string }
  | {
      ok: false;
      problem: FolderProblem;
      message: string;
      /** What the UI offers; `enable-versioning` is applied with enableVersioning(). */
      fix?: FolderFix;
      /** True when waiting and checking again may be enough (network, outage). */
      retryable: boolean;
    };

export interface BucketRef {
  bucket: string;
  region: string;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Why a name cannot be an S3 bucket, or undefined when it can. */
export function bucketNameProblem(name: string): string | undefined {
  if (!BUCKET_NAME.test(name)) {
    return 'use 3-63 lower-case letters, digits, dots or hyphens, starting and ending with a letter or digit';
  }
  if (name.includes('..')) return 'two dots in a row are not allowed';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'it must not look like an IP address';
  if (/^xn--|^sthree-|-s3alias$|--ol-s3$/.test(name))
    return 'it uses a prefix or suffix S3 reserves';
  return undefined;
}

function failure(
  problem: FolderProblem,
  message: string,
  fix?: FolderFix,
  retryable = false,
): FolderCheckResult {
  return { ok: false, problem, message, retryable, ...(fix ? { fix } : {}) };
}

/** Maps a classified error of the bucket checks to a folder problem. */
function fromError(e: S3OperationError, ref: BucketRef, what: string): FolderCheckResult {
  const b = `bucket '${ref.bucket}' in ${ref.region}`;
  if (e.kind === 'transient') return failure('unreachable', e.message, { kind: 'retry' }, true);
  switch (e.code) {
    case 'CredentialsProviderError':
    case 'TokenProviderError':
      return failure('no-credentials', e.message, { kind: 'edit-account' });
    case 'InvalidAccessKeyId':
    case 'SignatureDoesNotMatch':
    case 'ExpiredToken':
    case 'InvalidToken':
      return failure('bad-credentials', e.message, { kind: 'edit-account' });
    case 'NoSuchBucket':
      return failure('bucket-missing', e.message, { kind: 'create-bucket' });
    case 'PermanentRedirect':
    case 'AuthorizationHeaderMalformed':
      return failure(
        'wrong-region',
        e.message,
        e.bucketRegion !== undefined ? { kind: 'use-region', region: e.bucketRegion } : undefined,
      );
    case 'AccessDenied':
      return failure(
        'access-denied',
        `These credentials may not ${what} ${b} (AccessDenied): ask the bucket owner for access, or use an account that has it.`,
        { kind: 'edit-account' },
      );
    default:
      return failure('error', e.message);
  }
}

async function readVersioning(
  client: S3Client,
  ref: BucketRef,
  signal?: AbortSignal,
): Promise<'Enabled' | 'Suspended' | 'Off'> {
  const out = await client.send(
    new GetBucketVersioningCommand({ Bucket: ref.bucket }),
    signal ? { abortSignal: signal } : {},
  );
  return out.Status ?? 'Off';
}

/** Runs the checks in order; the first failure is the answer. */
export async function checkFolderBucket(
  client: S3Client,
  ref: BucketRef,
  opts: { signal?: AbortSignal } = {},
): Promise<FolderCheckResult> {
  const nameProblem = bucketNameProblem(ref.bucket);
  if (nameProblem !== undefined) {
    return failure(
      'invalid-bucket-name',
      `'${ref.bucket}' is not a valid bucket name: ${nameProblem}.`,
    );
  }
  const ctx = { bucket: ref.bucket, region: ref.region, operation: 'reach' };
  const send = opts.signal ? { abortSignal: opts.signal } : {};
  try {
    await client.send(new HeadBucketCommand({ Bucket: ref.bucket }), send);
  } catch (err) {
    const e = classifyS3Error(err, ctx);
    // A HEAD answer has no body: a bare 403 may be a bad key or a missing permission.
    if (e.code !== 'AccessDenied') return fromError(e, ref, 'reach');
    try {
      await readVersioning(client, ref, opts.signal);
    } catch (detail) {
      return fromError(classifyS3Error(detail, ctx), ref, 'reach');
    }
  }
  let status: 'Enabled' | 'Suspended' | 'Off';
  try {
    status = await readVersioning(client, ref, opts.signal);
  } catch (err) {
    return fromError(
      classifyS3Error(err, { ...ctx, operation: 'read versioning of' }),
      ref,
      'read the versioning setting (s3:GetBucketVersioning) of',
    );
  }
  if (status === 'Enabled') return { ok: true, bucket: ref.bucket, region: ref.region };
  const why =
    'Replica Sync needs it to keep every version, replicate, and detect conflicts. Enable versioning for this bucket';
  return status === 'Suspended'
    ? failure(
        'versioning-suspended',
        `Versioning is suspended on bucket '${ref.bucket}' in ${ref.region}: ${why} (the app can do it if these credentials allow).`,
        { kind: 'enable-versioning' },
      )
    : failure(
        'versioning-off',
        `Versioning is off on bucket '${ref.bucket}' in ${ref.region}: ${why} (the app can do it if these credentials allow).`,
        { kind: 'enable-versioning' },
      );
}

export type EnableVersioningResult =
  { ok: true } | { ok: false; problem: FolderProblem; message: string; retryable: boolean };

/** The message when the credentials may not change versioning. */
export function versioningDeniedMessage(ref: BucketRef): string {
  return `These credentials may not change versioning of bucket '${ref.bucket}' in ${ref.region} (s3:PutBucketVersioning is denied): ask the bucket owner to enable versioning, or use an account that may.`;
}

/** The fix offered for versioning-off/suspended: PutBucketVersioning, then reads it back. */
export async function enableVersioning(
  client: S3Client,
  ref: BucketRef,
  opts: { signal?: AbortSignal } = {},
): Promise<EnableVersioningResult> {
  const send = opts.signal ? { abortSignal: opts.signal } : {};
  try {
    await client.send(
      new PutBucketVersioningCommand({
        Bucket: ref.bucket,
        VersioningConfiguration: { Status: 'Enabled' },
      }),
      send,
    );
  } catch (err) {
    const e = classifyS3Error(err, { ...ref, operation: 'enable versioning of' });
    if (e.code === 'AccessDenied') {
      return {
        ok: false,
        problem: 'access-denied',
        message: versioningDeniedMessage(ref),
        retryable: false,
      };
    }
    const f = fromError(e, ref, 'enable versioning of');
    return f.ok
      ? { ok: true }
      : { ok: false, problem: f.problem, message: f.message, retryable: f.retryable };
  }
  const check = await checkFolderBucket(client, ref, opts);
  return check.ok
    ? { ok: true }
    : { ok: false, problem: check.problem, message: check.message, retryable: check.retryable };
}
