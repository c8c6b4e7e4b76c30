// "Test" of an account in Settings: do these credentials work? Without a bucket it lists
// the buckets (ListBuckets); with one it asks for that bucket (HeadBucket). A failure is
// S3's answer as core/transfer/s3-errors classifies it, so it names the fix.
import {
  HeadBucketCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { AccountTestResult } from '../../contract/index.js';
import { classifyS3Error, type S3ErrorContext } from '../transfer/s3-errors.js';

/** Codes whose classified message speaks of the credentials, not of a bucket. */
const CREDENTIAL_CODES = new Set([
  'CredentialsProviderError',
  'TokenProviderError',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'TokenRefreshRequired',
  'InvalidToken',
  'RequestTimeTooSkewed',
]);

/** Most buckets named in a result; the count in the message is the full one. */
const MAX_BUCKET_NAMES = 1000;

export interface AccountTestTarget {
  region: string;
  bucket?: string;
  /** The endpoint to name in messages (custom and local accounts). */
  endpoint?: string;
}

/** A classified failure as a test result; a test does not retry, so it says no "will retry". */
function failed(err: unknown, context: S3ErrorContext): AccountTestResult {
  const e = classifyS3Error(err, context);
  const message = e.message.replace(/\. Will retry\.$/, '.').replace(/: will retry\.$/, '.');
  return { ok: false, code: e.code, message };
}

function rawMessage(err: unknown): string {
  return err instanceof Error && err.message !== '' ? err.message : String(err);
}

async function testListing(
  client: S3Client,
  target: AccountTestTarget,
  send: { abortSignal?: AbortSignal },
): Promise<AccountTestResult> {
  const where = target.endpoint ?? `S3 in ${target.region}`;
  try {
    const out = await client.send(new ListBucketsCommand({}), send);
    const names = (out.Buckets ?? []).flatMap((b) => (b.Name ? [b.Name] : []));
    const n = names.length;
    return {
      ok: true,
      message: `These credentials work: ${where} lists ${n} bucket${n === 1 ? '' : 's'} for them.`,
      buckets: names.slice(0, MAX_BUCKET_NAMES),
    };
  } catch (err) {
    const context = {
      region: target.region,
      ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    };
    const e = classifyS3Error(err, context);
    if (e.code === 'AccessDenied') {
      // S3 checked the signature before the permission: the credentials themselves work.
      return {
        ok: true,
        code: 'AccessDenied',
        message:
          'These credentials work, but they may not list buckets (s3:ListAllMyBuckets): test with a bucket name to check access to that bucket.',
      };
    }
    if (e.kind === 'transient' || e.kind === 'cancelled' || CREDENTIAL_CODES.has(e.code))
      return failed(e, context);
    return {
      ok: false,
      code: e.code,
      message: `${where} refused to list the buckets (${e.code}): ${rawMessage(err)}`,
    };
  }
}

async function testBucket(
  client: S3Client,
  target: AccountTestTarget & { bucket: string },
  send: { abortSignal?: AbortSignal },
): Promise<AccountTestResult> {
  const context: S3ErrorContext = {
    bucket: target.bucket,
    region: target.region,
    operation: 'reach',
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
  };
  const ok: AccountTestResult = {
    ok: true,
    message: `These credentials work: they reach bucket '${target.bucket}' in ${target.region}.`,
  };
  try {
    await client.send(new HeadBucketCommand({ Bucket: target.bucket }), send);
    return ok;
  } catch (err) {
    const e = classifyS3Error(err, context);
    if (e.code !== 'AccessDenied') return failed(e, context);
  }
  // A HEAD answer has no body: a bare 403 may be a wrong secret or a missing permission.
  // A listing answers with the exact code.
  try {
    await client.send(new ListObjectsV2Command({ Bucket: target.bucket, MaxKeys: 1 }), send);
    return ok;
  } catch (err) {
    return failed(err, context);
  }
}

/** Tests the credentials of `client` (an account's client in target.region). */
export async function testAccountCredentials(
  client: S3Client,
  target: AccountTestTarget,
  signal?: AbortSignal,
): Promise<AccountTestResult> {
  const send = signal ? { abortSignal: signal } : {};
  return target.bucket !== undefined
    ? testBucket(client, { ...target, bucket: target.bucket }, send)
    : testListing(client, target, send);
}
