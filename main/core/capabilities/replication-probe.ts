// Does the service keep a replication rule as it was set? Some accept PutBucketReplication
// and give back less than they were sent (no filter, no delete-marker setting, no role):
// a rule that looks set up but does not do what the user chose. Measured on a scratch
// bucket, so the user's own bucket's rules are never touched.
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketReplicationCommand,
  GetBucketReplicationCommand,
  PutBucketReplicationCommand,
  PutBucketVersioningCommand,
  type BucketLocationConstraint,
  type ReplicationConfiguration,
  type ReplicationRule,
  type S3Client,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import type { ServiceCapabilities } from '../../contract/capabilities.js';
import { describeFailure, probeSender, type Outcome } from './probe-requests.js';

export const PROBE_BUCKET_PREFIX = 'rs-probe-';
export const PROBE_ROLE = 'arn:aws:iam::000000000000:role/replica-sync-probe';
const RULE_ID = 'replica-sync-probe';
const RULE_PREFIX = 'replica-sync-probe/';

type ReplicationApi = ServiceCapabilities['replicationApi'];

function sentConfig(destinationBucket: string): ReplicationConfiguration {
  return {
    Role: PROBE_ROLE,
    Rules: [
      {
        ID: RULE_ID,
        Priority: 1,
        Status: 'Enabled',
        Filter: { Prefix: RULE_PREFIX },
        Destination: { Bucket: `arn:aws:s3:::${destinationBucket}`, StorageClass: 'STANDARD' },
        DeleteMarkerReplication: { Status: 'Enabled' },
      },
    ],
  };
}

/** Names of the fields of `sent` that `got` does not give back as they were sent. */
export function droppedFields(
  sent: ReplicationConfiguration,
  got: ReplicationConfiguration | undefined,
): string[] {
  const s: Partial<ReplicationRule> = sent.Rules?.[0] ?? {};
  const g = got?.Rules?.find((r) => r.ID === s.ID) ?? got?.Rules?.[0];
  const dropped: string[] = [];
  if (got?.Role !== sent.Role) dropped.push('Role');
  if (!g) return [...dropped, 'Rules'];
  if (g.ID !== s.ID) dropped.push('ID');
  if (g.Priority !== s.Priority) dropped.push('Priority');
  if (g.Status !== s.Status) dropped.push('Status');
  // A legacy rule-level Prefix is not the Filter that was sent.
  if (g.Filter?.Prefix !== s.Filter?.Prefix) dropped.push('Filter');
  if (g.Destination?.Bucket !== s.Destination?.Bucket) dropped.push('Destination');
  if (g.Destination?.StorageClass !== s.Destination?.StorageClass) dropped.push('StorageClass');
  if (g.DeleteMarkerReplication?.Status !== s.DeleteMarkerReplication?.Status)
    dropped.push('DeleteMarkerReplication');
  return dropped;
}

function isUnsupported(r: Exclude<Outcome<unknown>, { kind: 'ok' }>): boolean {
  return (
    r.status === 501 ||
    r.status === 405 ||
    /NotImplemented|NotSupported|MethodNotAllowed|Unsupported/i.test(r.code)
  );
}

export async function probeReplicationApi(o: {
  client: S3Client;
  /** The folder's bucket: the rule's destination (it is versioned, as a destination must be). */
  bucket: string;
  region: string;
  signal?: AbortSignal;
  log: (line: string) => void;
}): Promise<ReplicationApi> {
  const s3 = probeSender(o.client, o.signal);
  const scratch = `${PROBE_BUCKET_PREFIX}${randomBytes(8).toString('hex')}`;
  const inUsEast1 = o.region === '' || o.region === 'us-east-1';
  const created = await s3.send(
    new CreateBucketCommand({
      Bucket: scratch,
      ...(inUsEast1
        ? {}
        : {
            CreateBucketConfiguration: {
              LocationConstraint: o.region as BucketLocationConstraint,
            },
          }),
    }),
  );
  if (created.kind !== 'ok') {
    return {
      state: 'not-probed',
      dropped: [],
      detail: `could not create a scratch bucket to try a rule on (${describeFailure(created)}: ${created.message})`,
    };
  }
  o.log(`capability probe: scratch bucket ${scratch} for the replication API`);
  try {
    const versioned = await s3.send(
      new PutBucketVersioningCommand({
        Bucket: scratch,
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
    if (versioned.kind !== 'ok') {
      return {
        state: 'not-probed',
        dropped: [],
        detail: `could not enable versioning on the scratch bucket (${describeFailure(versioned)})`,
      };
    }
    const sent = sentConfig(o.bucket);
    const put = await s3.send(
      new PutBucketReplicationCommand({ Bucket: scratch, ReplicationConfiguration: sent }),
    );
    if (put.kind !== 'ok') {
      if (put.kind === 'refused' && isUnsupported(put))
        return {
          state: 'unsupported',
          dropped: [],
          detail: `${describeFailure(put)}: ${put.message}`,
        };
      return {
        state: 'not-probed',
        dropped: [],
        detail: `the service did not take the rule (${describeFailure(put)}: ${put.message})`,
      };
    }
    const got = await s3.send(new GetBucketReplicationCommand({ Bucket: scratch }));
    if (got.kind !== 'ok') {
      if (got.kind === 'refused' && isUnsupported(got))
        return {
          state: 'unsupported',
          dropped: [],
          detail: `${describeFailure(got)}: ${got.message}`,
        };
      // Took the rule and cannot give it back: as if it dropped all of it.
      if (got.kind === 'refused')
        return {
          state: 'drops-fields',
          dropped: ['Rules'],
          detail: `the rule was accepted but reading it back failed (${describeFailure(got)})`,
        };
      return {
        state: 'not-probed',
        dropped: [],
        detail: `reading the rule back failed (${describeFailure(got)})`,
      };
    }
    const dropped = droppedFields(sent, got.out.ReplicationConfiguration);
    return dropped.length === 0
      ? { state: 'round-trips', dropped, detail: 'the rule was read back as it was set' }
      : {
          state: 'drops-fields',
          dropped,
          detail: `read back without ${dropped.join(', ')}`,
        };
  } finally {
    await removeScratchBucket(o.client, scratch, o.log);
  }
}

async function removeScratchBucket(
  client: S3Client,
  bucket: string,
  log: (line: string) => void,
): Promise<void> {
  // Never the caller's stop signal: the scratch bucket must go whatever happened.
  const s3 = probeSender(client, undefined);
  const rules = await s3.send(new DeleteBucketReplicationCommand({ Bucket: bucket }));
  if (rules.kind === 'unknown')
    log(`capability probe clean-up: delete replication of ${bucket}: ${describeFailure(rules)}`);
  const del = await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  if (del.kind !== 'ok')
    log(
      `capability probe clean-up: could not delete scratch bucket ${bucket}: ${describeFailure(del)}`,
    );
}
