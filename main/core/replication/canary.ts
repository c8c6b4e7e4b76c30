// Does this service replicate at all? Some store a replication configuration and never act on
// it (moto; Ceph RGW 16 without a multisite setup), so "rule saved" must not read as "pending
// forever". A tiny canary object is written under the folder's reserved area of the source and
// followed: HEAD in the source (x-amz-replication-status) and, by version id, in each
// destination, with backoff, up to a window. Its versions are deleted everywhere afterwards.
import {
  DeleteObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ReplicationVerdict } from '../../contract/replication.js';
import { reservedPrefix } from '../reserved-keys.js';
import type { BucketRef } from './rules.js';

export interface CanaryTuning {
  /** How long the canary is followed before the verdict. */
  windowMs: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_CANARY_TUNING: CanaryTuning = {
  windowMs: 3 * 60_000,
  firstDelayMs: 500,
  maxDelayMs: 15_000,
};

export interface CanaryInput {
  /** The source account's client in a region (the folder's own account). */
  clientFor(region: string): S3Client;
  source: BucketRef;
  /** The folder's key prefix ('' or ending in '/'): the canary goes in its reserved area. */
  prefix: string;
  device: string;
  /** Where the rules send the canary's key (the bucket's region known). */
  destinations: BucketRef[];
  /** Tags the canary carries so a tag-filtered rule picks it up. */
  tags?: { key: string; value: string }[];
  tuning?: Partial<CanaryTuning>;
  /** Aborted: stop following, clean up, and answer with what was seen. */
  signal?: AbortSignal;
  now?: () => number;
}

/** The canary's key: `<prefix>.replica-sync/canary/<device>-<time>`. */
export function canaryKey(prefix: string, device: string, at: number): string {
  return `${reservedPrefix(prefix)}canary/${device}-${at}`;
}

function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/** HEAD of one version: its replication status, or null when it is not there (yet). */
async function headVersion(
  client: S3Client,
  bucket: string,
  key: string,
  versionId: string,
): Promise<{ status: string | undefined } | null> {
  try {
    const h = await client.send(
      new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
    );
    return { status: h.ReplicationStatus };
  } catch (err) {
    // 404 (missing) and 400 (a version id this bucket never issued) both mean "not there".
    const status = httpStatus(err);
    if (status === 404 || status === 400) return null;
    throw err;
  }
}

/**
 * Deletes the canary's version (replicas keep the source's version id). By version id, not by
 * listing: some services (moto) refuse signatures on a ListObjectVersions prefix with '/'.
 * A DELETE with a version id is never replicated, and leaves no delete marker.
 */
async function deleteVersion(client: S3Client, bucket: string, key: string, versionId: string) {
  try {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  } catch (err) {
    const status = httpStatus(err);
    if (status !== 404 && status !== 400) throw err;
  }
}

const where = (r: BucketRef): string => `${r.bucket} (${r.region})`;

/** Writes the canary, follows it to a verdict, and cleans up after it. */
export async function runCanary(input: CanaryInput): Promise<ReplicationVerdict> {
  const tuning = { ...DEFAULT_CANARY_TUNING, ...input.tuning };
  const now = input.now ?? Date.now;
  const start = now();
  const key = canaryKey(input.prefix, input.device, start);
  const source = input.clientFor(input.source.region);
  const put = await source.send(
    new PutObjectCommand({
      Bucket: input.source.bucket,
      Key: key,
      Body: `replica-sync canary ${start}\n`,
      ContentType: 'text/plain',
      ...(input.tags && input.tags.length > 0
        ? {
            Tagging: input.tags
              .map((t) => `${encodeURIComponent(t.key)}=${encodeURIComponent(t.value)}`)
              .join('&'),
          }
        : {}),
    }),
  );
  const arrived = new Map<string, number>();
  let sourceStatus: string | undefined;
  try {
    const versionId = put.VersionId;
    if (versionId === undefined || versionId === 'null')
      return verdict('not-replicating', start, input, arrived, {
        message: `${input.source.bucket} did not give the canary a version id: versioning is off, and nothing replicates without it.`,
      });
    let delay = tuning.firstDelayMs;
    for (;;) {
      sourceStatus = (await headVersion(source, input.source.bucket, key, versionId))?.status;
      for (const d of input.destinations) {
        if (arrived.has(d.bucket)) continue;
        const seen = await headVersion(input.clientFor(d.region), d.bucket, key, versionId);
        if (seen !== null) arrived.set(d.bucket, now() - start);
      }
      if (arrived.size === input.destinations.length && input.destinations.length > 0) break;
      if (sourceStatus === 'FAILED' || sourceStatus === 'COMPLETED') break;
      if (now() + delay > start + tuning.windowMs || input.signal?.aborted) break;
      await sleep(delay, undefined, input.signal ? { signal: input.signal } : {}).catch(() => {});
      delay = Math.min(delay * 2, tuning.maxDelayMs);
    }
  } finally {
    if (put.VersionId !== undefined) await cleanUp(input, key, put.VersionId);
    // Unversioned: a plain DELETE removes the object itself.
    else await source.send(new DeleteObjectCommand({ Bucket: input.source.bucket, Key: key }));
  }
  const seconds = Math.round(tuning.windowMs / 1000);
  if (sourceStatus === 'FAILED')
    return verdict('failing', start, input, arrived, {
      message: `Replication from ${where(input.source)} fails: the canary object's status is FAILED. Check the rule's role and the destination's versioning.`,
    });
  if (arrived.size > 0 || sourceStatus === 'COMPLETED') {
    const missing = input.destinations.filter((d) => !arrived.has(d.bucket));
    return verdict('replicating', start, input, arrived, {
      message:
        missing.length === 0
          ? `Replicating: the canary object reached ${input.destinations.map(where).join(', ')}.`
          : `Replicating: the source says ${sourceStatus ?? 'nothing'}; the canary did not show up in ${missing.map(where).join(', ')} within ${seconds} s.`,
    });
  }
  return verdict('not-replicating', start, input, arrived, {
    message: `Not replicating on this service: the rules are stored, but a canary object written to ${where(input.source)} never reached ${input.destinations.map(where).join(', ') || 'any destination'} within ${seconds} s, and its replication status stayed ${sourceStatus ?? 'empty'}.${sourceStatus === 'PENDING' ? ' PENDING means the service queued it: if it is only slow, check again later.' : ''}`,
  });
}

async function cleanUp(input: CanaryInput, key: string, versionId: string): Promise<void> {
  for (const ref of [input.source, ...input.destinations]) {
    try {
      await deleteVersion(input.clientFor(ref.region), ref.bucket, key, versionId);
    } catch {
      // A replica arriving late stays in the reserved area, which is never synced or shown.
    }
  }
}

function verdict(
  state: ReplicationVerdict['state'],
  start: number,
  input: CanaryInput,
  arrived: Map<string, number>,
  o: { message: string },
): ReplicationVerdict {
  return {
    state,
    at: new Date(start).toISOString(),
    message: o.message,
    destinations: input.destinations.map((d) => ({
      bucket: d.bucket,
      region: d.region,
      arrived: arrived.has(d.bucket),
      latencyMs: arrived.get(d.bucket) ?? null,
    })),
  };
}
