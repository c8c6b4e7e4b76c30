// A two-way replication pair (us-east-1 ↔ eu-west-1) on the local regions for the conflict
// detection tests: devices that write versions with lineage metadata (or none, like another
// tool), a wait for replication to settle, and S3 clients that count the requests they send.
import { PutObjectCommand, S3Client, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { buildLineage } from '../../main/core/transfer/lineage.js';
import {
  putReplication,
  replicationBucket,
  replicationRule,
  waitFor,
  type TestRegions,
} from './regions.js';

export const US = 'us-east-1';
export const EU = 'eu-west-1';

export interface TwoWayPair {
  us: string;
  eu: string;
  /** Bucket → its region. */
  regionOf(bucket: string): string;
}

/** Versioned buckets in us-east-1 and eu-west-1 that replicate into each other. */
export async function twoWayPair(t: TestRegions): Promise<TwoWayPair> {
  const us = await replicationBucket(t, US);
  const eu = await replicationBucket(t, EU);
  await putReplication(t, US, us, [replicationRule(eu)]);
  await putReplication(t, EU, eu, [replicationRule(us)]);
  return { us, eu, regionOf: (b) => (b === us ? US : EU) };
}

/** Per-region clients of their own whose requests are counted by command name. */
export function countingClients(t: TestRegions): {
  clientFor(region: string): S3Client;
  counts: Map<string, number>;
  reset(): void;
  destroy(): void;
} {
  const counts = new Map<string, number>();
  const clients = new Map<string, S3Client>();
  return {
    counts,
    clientFor(region) {
      let c = clients.get(region);
      if (!c) {
        c = new S3Client({
          endpoint: t.endpoint(region),
          region,
          credentials: {
            accessKeyId: t.handle.accessKeyId,
            secretAccessKey: t.handle.secretAccessKey,
          },
        });
        c.middlewareStack.add(
          (next, context) => (args) => {
            const name = context.commandName ?? 'unknown';
            counts.set(name, (counts.get(name) ?? 0) + 1);
            return next(args);
          },
          { step: 'initialize', name: 'countRequests' },
        );
        clients.set(region, c);
      }
      return c;
    },
    reset: () => counts.clear(),
    destroy() {
      for (const c of clients.values()) c.destroy();
      clients.clear();
    },
  };
}

export const sha256 = (body: string): string => createHash('sha256').update(body).digest('hex');

/**
 * PutObject as a Replica Sync device would write it (rs-device, rs-base, rs-sha256), or with
 * no lineage at all when `device` is null (another tool). Returns the new version id.
 */
export async function writeVersion(
  t: TestRegions,
  region: string,
  bucket: string,
  key: string,
  body: string,
  device: string | null,
  bases: string[] = [],
): Promise<string> {
  const input: PutObjectCommandInput = { Bucket: bucket, Key: key, Body: body };
  if (device !== null) input.Metadata = buildLineage({ device, bases, sha256: sha256(body) });
  const out = await t.client(region).send(new PutObjectCommand(input));
  if (!out.VersionId) throw new Error(`no version id for ${key} in ${bucket}`);
  return out.VersionId;
}

/** Waits until the regions have no replication task left pending. */
export async function replicationSettled(t: TestRegions, timeoutMs = 10_000): Promise<void> {
  await waitFor(() => t.handle.replicationStats().pending === 0, timeoutMs, 'replication');
}
