// Where buckets live, kept as two things that services conflate: the region a client SIGNS
// with (AWS: the bucket's region; a custom service: the account's signing region) and the
// LOCATION label the service reports (GetBucketLocation: RGW answers its zonegroup name, e.g.
// 'zg', many services answer empty). A label is shown, never used to build a client of a
// custom account that has a signing region (the request would be signed for the wrong region).
import { GetBucketLocationCommand, ListBucketsCommand, type S3Client } from '@aws-sdk/client-s3';
import { classifyS3Error } from '../transfer/s3-errors.js';

/** How an account's service names regions. AWS and the local regions: the location is the region. */
export interface RegionPolicy {
  kind: 'local' | 'aws-profile' | 'aws-keys' | 'custom';
  /** Custom accounts: the region the service wants signatures for. */
  signingRegion?: string | undefined;
}

export const AWS_POLICY: RegionPolicy = { kind: 'aws-keys' };
/** A custom service without a signing region is signed for this (the client factory's default). */
export const DEFAULT_SIGNING_REGION = 'us-east-1';

export interface BucketPlace {
  /** The region to build the account's client with for this bucket. */
  region: string;
  /** What the service calls the bucket's location; null: it answered empty (its default). */
  location: string | null;
}

/** A bucket as listed: its name, client region and location label. */
export interface ListedBucket extends BucketPlace {
  bucket: string;
}

/** GetBucketLocation's answer as an AWS region: none/'' is us-east-1, legacy 'EU' is eu-west-1. */
export function regionFromLocation(constraint: string | undefined | null): string {
  if (constraint === undefined || constraint === null || constraint === '') return 'us-east-1';
  if (constraint === 'EU') return 'eu-west-1';
  return constraint;
}

/** GetBucketLocation's answer, mapped for the account's kind of service. */
export function placeFromLocation(
  constraint: string | undefined | null,
  policy: RegionPolicy,
): BucketPlace {
  if (policy.kind !== 'custom') {
    const region = regionFromLocation(constraint);
    return { region, location: region };
  }
  const location =
    constraint === undefined || constraint === null || constraint === '' ? null : constraint;
  // Without a signing region the service's own name is the best guess (MinIO with a region).
  return { region: policy.signingRegion ?? location ?? DEFAULT_SIGNING_REGION, location };
}

/** How a location is shown: a custom service's empty answer is its default, not us-east-1. */
export function locationLabel(location: string | null): string {
  return location ?? '(service default)';
}

/** Where one bucket lives (GetBucketLocation answers from any region). */
export async function bucketPlace(
  client: S3Client,
  bucket: string,
  policy: RegionPolicy = AWS_POLICY,
): Promise<BucketPlace> {
  try {
    const out = await client.send(new GetBucketLocationCommand({ Bucket: bucket }));
    return placeFromLocation(out.LocationConstraint, policy);
  } catch (err) {
    throw classifyS3Error(err, { bucket, operation: 'find the region of' });
  }
}

/** The client region of one bucket. */
export async function bucketRegion(
  client: S3Client,
  bucket: string,
  policy: RegionPolicy = AWS_POLICY,
): Promise<string> {
  return (await bucketPlace(client, bucket, policy)).region;
}

/** Where a bucket lives (client region), or null when it cannot be found or seen. */
export type BucketLocator = (bucket: string) => Promise<string | null>;

/** A cached locator: null for a bucket that is missing or that these credentials cannot see. */
export function bucketLocator(client: S3Client, policy: RegionPolicy = AWS_POLICY): BucketLocator {
  const cache = new Map<string, Promise<string | null>>();
  return (bucket) => {
    let r = cache.get(bucket);
    if (!r) {
      r = bucketRegion(client, bucket, policy).catch(() => null);
      cache.set(bucket, r);
    }
    return r;
  };
}

/** Runs `fn` over `items` with at most `limit` at a time, results in order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Every bucket the account lists, with its place (ListBuckets, then GetBucketLocation). */
export async function listBucketsWithRegions(
  client: S3Client,
  policy: RegionPolicy = AWS_POLICY,
): Promise<ListedBucket[]> {
  const names: string[] = [];
  let token: string | undefined;
  try {
    do {
      const out = await client.send(
        new ListBucketsCommand({ ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const b of out.Buckets ?? []) if (b.Name) names.push(b.Name);
      token = out.ContinuationToken;
    } while (token);
  } catch (err) {
    throw classifyS3Error(err, { operation: 'list the buckets' });
  }
  const places = await mapLimit(names, 8, (name) => bucketPlace(client, name, policy));
  return names
    .map((bucket, i) => ({ bucket, ...(places[i] as BucketPlace) }))
    .sort((a, b) => a.bucket.localeCompare(b.bucket));
}
