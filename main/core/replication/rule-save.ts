// The rule editor's save: check the rules, write them, read the configuration back and name
// what the service did not keep (readback.ts).
import type { S3Client } from '@aws-sdk/client-s3';
import {
  ContractError,
  type ReplicationRuleModel,
  type SavedReplication,
} from '../../contract/index.js';
import type { BucketLocator, RegionPolicy } from './bucket-places.js';
import { checkRules, gatherCheckInput } from './checks.js';
import { LOCAL_ROLE_ARN } from './iam.js';
import { notKeptMessage, putAndReadBack } from './readback.js';
import {
  configToS3,
  deleteBucketReplication,
  readBucketReplication,
  readReplicationConfig,
} from './rules.js';

export interface SaveInput {
  accountId: string;
  local: boolean;
  bucket: string;
  region: string;
  location: string | null;
  rules: ReplicationRuleModel[];
  role?: string | undefined;
  clientFor(region: string): S3Client;
  locator(client: S3Client): BucketLocator;
  policy?: RegionPolicy;
}

export async function saveBucketRules(i: SaveInput): Promise<SavedReplication> {
  const client = i.clientFor(i.region);
  const input = await gatherCheckInput(i.clientFor, {
    source: { bucket: i.bucket, region: i.region },
    rules: i.rules,
    local: i.local,
    ...(i.role !== undefined ? { role: i.role } : {}),
    ...(i.policy ? { policy: i.policy } : {}),
  });
  const errors = checkRules(input).filter((c) => c.level === 'error');
  if (errors.length > 0)
    throw new ContractError({
      code: 'InvalidArguments',
      message: `The rules were not saved: ${errors.map((c) => c.message).join(' ')}`,
      issues: errors.map((c) => ({ path: c.field ?? 'rules', message: c.message })),
    });
  const previous = await readReplicationConfig(client, i.bucket);
  const useRole = i.local ? LOCAL_ROLE_ARN : (i.role ?? previous?.Role ?? null);
  if (!useRole && i.rules.length > 0)
    throw new ContractError({
      code: 'InvalidArguments',
      message: 'Pick the IAM role S3 assumes for replication, or let Replica Sync create one.',
      issues: [{ path: 'role', message: 'A replication role is needed on AWS.' }],
    });
  let notKept: SavedReplication['notKept'] = [];
  if (i.rules.length === 0) await deleteBucketReplication(client, i.bucket);
  else
    notKept = await putAndReadBack(
      client,
      i.bucket,
      configToS3(i.rules, useRole ?? LOCAL_ROLE_ARN, previous),
    );
  const stored = await readBucketReplication(
    client,
    { accountId: i.accountId, bucket: i.bucket, region: i.region, location: i.location },
    i.locator(client),
  );
  return { ...stored, notKept, notKeptMessage: notKeptMessage(notKept) };
}

/** The contract's rule arguments with optional fields made explicit. */
export function toModel(r: {
  id: string;
  priority: number;
  enabled: boolean;
  filter: { prefix: string; tags: { key: string; value: string }[] };
  destination: {
    bucket: string;
    region?: string | undefined;
    account?: string | undefined;
    storageClass?: string | undefined;
    ownerOverride: boolean;
  };
  rtc: boolean;
  metrics: boolean;
  deleteMarkerReplication: boolean;
  replicaModifications: boolean;
}): ReplicationRuleModel {
  return {
    ...r,
    destination: {
      bucket: r.destination.bucket,
      region: r.destination.region ?? null,
      account: r.destination.account ?? null,
      storageClass: r.destination.storageClass ?? null,
      ownerOverride: r.destination.ownerOverride,
    },
  };
}
