// S3's ReplicationConfiguration ↔ the rule model the UI edits (contract/replication.ts), and
// the buckets an account can see with their regions. Every field S3 has maps both ways:
// Filter Prefix / Tag / And{Prefix, Tags} (a legacy V1 <Prefix> under <Rule> reads as a filter
// prefix), Destination Account + AccessControlTranslation{Owner: Destination} (owner
// override), ReplicationTime + Metrics (15 minutes), DeleteMarkerReplication and
// SourceSelectionCriteria.ReplicaModifications. Fields the model does not carry (replica
// encryption, SSE-KMS source selection, existing-object replication) are kept from the rule
// with the same ID when the configuration is written again.
import {
  DeleteBucketReplicationCommand,
  GetBucketReplicationCommand,
  GetBucketVersioningCommand,
  PutBucketReplicationCommand,
  type ReplicationConfiguration,
  type ReplicationRule,
  type ReplicationRuleFilter,
  type S3Client,
  type StorageClass,
  type Tag,
} from '@aws-sdk/client-s3';
import type {
  BucketReplication,
  ReplicationRuleModel,
  TagPair,
  VersioningStatus,
} from '../../contract/replication.js';
import { classifyS3Error, S3OperationError } from '../transfer/s3-errors.js';
import type { BucketLocator } from './bucket-places.js';

// Kept here too: callers import the bucket lookups from rules.js.
export {
  bucketLocator,
  bucketRegion,
  listBucketsWithRegions,
  mapLimit,
  regionFromLocation,
  type BucketLocator,
} from './bucket-places.js';

const ARN_PREFIX = 'arn:aws:s3:::';
/** S3 accepts 15 minutes only, for both the RTC window and the metrics threshold. */
export const RTC_MINUTES = 15;

export interface BucketRef {
  bucket: string;
  region: string;
}

export function bucketArn(bucket: string): string {
  return ARN_PREFIX + bucket;
}

/** The bucket of an `arn:aws:s3:::name` ARN (a bare name is taken as is). */
export function bucketFromArn(arn: string): string {
  return arn.startsWith(ARN_PREFIX) ? arn.slice(ARN_PREFIX.length) : arn;
}

const tagPair = (t: Tag): TagPair => ({ key: t.Key ?? '', value: t.Value ?? '' });
const s3Tag = (t: TagPair): Tag => ({ Key: t.key, Value: t.value });

function filterFromS3(rule: ReplicationRule): {
  prefix: string;
  tags: TagPair[];
  legacy: boolean;
} {
  const f = rule.Filter;
  if (f === undefined) return { prefix: rule.Prefix ?? '', tags: [], legacy: true };
  if (f.And !== undefined)
    return { prefix: f.And.Prefix ?? '', tags: (f.And.Tags ?? []).map(tagPair), legacy: false };
  if (f.Tag !== undefined) return { prefix: '', tags: [tagPair(f.Tag)], legacy: false };
  return { prefix: f.Prefix ?? '', tags: [], legacy: false };
}

function filterToS3(filter: ReplicationRuleModel['filter']): ReplicationRuleFilter {
  const [first, ...more] = filter.tags;
  if (first === undefined) return { Prefix: filter.prefix };
  if (filter.prefix === '' && more.length === 0) return { Tag: s3Tag(first) };
  return {
    And: {
      ...(filter.prefix !== '' ? { Prefix: filter.prefix } : {}),
      Tags: filter.tags.map(s3Tag),
    },
  };
}

/**
 * One S3 rule as the model. `index` names a rule without ID and orders legacy V1 rules, which
 * have no Priority (V1 rules cannot overlap, so any distinct order is faithful).
 */
export function ruleFromS3(
  rule: ReplicationRule,
  index: number,
  destinationRegion: string | null = null,
): ReplicationRuleModel {
  const filter = filterFromS3(rule);
  const d = rule.Destination;
  const dmr = rule.DeleteMarkerReplication?.Status;
  return {
    id: rule.ID !== undefined && rule.ID !== '' ? rule.ID : `rule-${index + 1}`,
    priority: rule.Priority ?? index,
    enabled: rule.Status === 'Enabled',
    filter: { prefix: filter.prefix, tags: filter.tags },
    destination: {
      bucket: bucketFromArn(d?.Bucket ?? ''),
      region: destinationRegion,
      account: d?.Account ?? null,
      storageClass: d?.StorageClass ?? null,
      ownerOverride: d?.AccessControlTranslation?.Owner === 'Destination',
    },
    rtc: d?.ReplicationTime?.Status === 'Enabled',
    metrics: d?.Metrics?.Status === 'Enabled',
    // A V1 rule without the element replicates delete markers (S3's V1 behaviour).
    deleteMarkerReplication: dmr === undefined ? filter.legacy : dmr === 'Enabled',
    replicaModifications: rule.SourceSelectionCriteria?.ReplicaModifications?.Status === 'Enabled',
  };
}

/**
 * The model as an S3 rule (always the V2 schema: Filter, Priority, DeleteMarkerReplication).
 * `previous` is the stored rule with the same ID: its fields the model does not carry are kept.
 */
export function ruleToS3(model: ReplicationRuleModel, previous?: ReplicationRule): ReplicationRule {
  const d = model.destination;
  const prevSsc = previous?.SourceSelectionCriteria;
  const ssc = {
    ...(prevSsc?.SseKmsEncryptedObjects !== undefined
      ? { SseKmsEncryptedObjects: prevSsc.SseKmsEncryptedObjects }
      : {}),
    ...(model.replicaModifications ? { ReplicaModifications: { Status: 'Enabled' as const } } : {}),
  };
  const encryption = previous?.Destination?.EncryptionConfiguration;
  return {
    ID: model.id,
    Priority: model.priority,
    Status: model.enabled ? 'Enabled' : 'Disabled',
    Filter: filterToS3(model.filter),
    Destination: {
      Bucket: bucketArn(d.bucket),
      ...(d.account !== null ? { Account: d.account } : {}),
      ...(d.storageClass !== null ? { StorageClass: d.storageClass as StorageClass } : {}),
      ...(d.ownerOverride ? { AccessControlTranslation: { Owner: 'Destination' as const } } : {}),
      ...(encryption !== undefined ? { EncryptionConfiguration: encryption } : {}),
      ...(model.rtc
        ? { ReplicationTime: { Status: 'Enabled' as const, Time: { Minutes: RTC_MINUTES } } }
        : {}),
      ...(model.metrics
        ? {
            Metrics: {
              Status: 'Enabled' as const,
              EventThreshold: { Minutes: RTC_MINUTES },
            },
          }
        : {}),
    },
    DeleteMarkerReplication: { Status: model.deleteMarkerReplication ? 'Enabled' : 'Disabled' },
    ...(Object.keys(ssc).length > 0 ? { SourceSelectionCriteria: ssc } : {}),
    ...(previous?.ExistingObjectReplication !== undefined
      ? { ExistingObjectReplication: previous.ExistingObjectReplication }
      : {}),
  };
}

/** The rules of a stored configuration as models, destination regions looked up. */
export async function rulesFromS3(
  config: ReplicationConfiguration | null,
  locate: BucketLocator,
): Promise<ReplicationRuleModel[]> {
  const rules = config?.Rules ?? [];
  const regions = new Map<string, Promise<string | null>>();
  const regionOf = (bucket: string): Promise<string | null> => {
    let r = regions.get(bucket);
    if (!r) {
      r = locate(bucket).catch(() => null);
      regions.set(bucket, r);
    }
    return r;
  };
  return Promise.all(
    rules.map(async (r, i) =>
      ruleFromS3(r, i, await regionOf(bucketFromArn(r.Destination?.Bucket ?? ''))),
    ),
  );
}

/** The configuration to store; rules keep the unmodelled fields of `previous` rules by ID. */
export function configToS3(
  rules: ReplicationRuleModel[],
  role: string,
  previous: ReplicationConfiguration | null = null,
): ReplicationConfiguration {
  const byId = new Map((previous?.Rules ?? []).map((r) => [r.ID ?? '', r] as const));
  return { Role: role, Rules: rules.map((r) => ruleToS3(r, byId.get(r.id))) };
}

function isNotFound(err: unknown, code: string): boolean {
  const e = err as { name?: string; Code?: string };
  return e.name === code || e.Code === code;
}

/** The stored configuration as S3 returns it, or null when the bucket has none. */
export async function readReplicationConfig(
  client: S3Client,
  bucket: string,
): Promise<ReplicationConfiguration | null> {
  try {
    const out = await client.send(new GetBucketReplicationCommand({ Bucket: bucket }));
    return out.ReplicationConfiguration ?? null;
  } catch (err) {
    if (isNotFound(err, 'ReplicationConfigurationNotFoundError')) return null;
    throw classifyS3Error(err, { bucket, operation: 'read the replication rules of' });
  }
}

export async function readVersioning(client: S3Client, bucket: string): Promise<VersioningStatus> {
  try {
    const out = await client.send(new GetBucketVersioningCommand({ Bucket: bucket }));
    return out.Status ?? 'Off';
  } catch (err) {
    throw classifyS3Error(err, { bucket, operation: 'read versioning of' });
  }
}

/** A bucket's replication as the UI shows it. `client` is the client of the bucket's region. */
export async function readBucketReplication(
  client: S3Client,
  ref: { accountId: string; bucket: string; region: string; location?: string | null },
  locate: BucketLocator,
): Promise<BucketReplication> {
  const [versioning, config] = await Promise.all([
    readVersioning(client, ref.bucket),
    readReplicationConfig(client, ref.bucket),
  ]);
  return {
    accountId: ref.accountId,
    bucket: ref.bucket,
    region: ref.region,
    location: ref.location === undefined ? ref.region : ref.location,
    versioning,
    role: config?.Role ?? null,
    rules: await rulesFromS3(config, locate),
    replicating: null,
  };
}

/** Stores the configuration as is (used to restore a previous one), or deletes it when null. */
export async function putReplicationConfig(
  client: S3Client,
  bucket: string,
  config: ReplicationConfiguration | null,
): Promise<void> {
  if (config === null || (config.Rules ?? []).length === 0) {
    await deleteBucketReplication(client, bucket);
    return;
  }
  try {
    await client.send(
      new PutBucketReplicationCommand({ Bucket: bucket, ReplicationConfiguration: config }),
    );
  } catch (err) {
    const e = classifyS3Error(err, { bucket, operation: 'write the replication rules of' });
    if (e.code !== 'MethodNotAllowed') throw e;
    // Ceph RGW answers 405 while its zonegroup has no sync policy that allows bucket rules.
    throw new S3OperationError(
      {
        kind: e.kind,
        code: e.code,
        ...(e.status !== undefined ? { status: e.status } : {}),
        message: `This service does not take replication rules for bucket '${bucket}' (PutBucketReplication: 405 Method Not Allowed). On Ceph RGW, bucket replication needs a zonegroup sync policy whose status is "allowed" or "enabled".`,
      },
      { cause: err },
    );
  }
}

/**
 * Writes the rules as the bucket's whole configuration (no rules: deletes it, as S3 has no
 * empty configuration). Fields the model does not carry are kept from the stored rules.
 */
export async function writeBucketReplication(
  client: S3Client,
  bucket: string,
  rules: ReplicationRuleModel[],
  role: string,
): Promise<void> {
  if (rules.length === 0) {
    await deleteBucketReplication(client, bucket);
    return;
  }
  const previous = await readReplicationConfig(client, bucket);
  await putReplicationConfig(client, bucket, configToS3(rules, role, previous));
}

export async function deleteBucketReplication(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new DeleteBucketReplicationCommand({ Bucket: bucket }));
  } catch (err) {
    throw classifyS3Error(err, { bucket, operation: 'delete the replication rules of' });
  }
}

/** A new rule with S3's defaults: every key to `destination`, delete markers not replicated. */
export function newRule(
  destination: { bucket: string; region?: string | null },
  fields: Partial<Omit<ReplicationRuleModel, 'destination'>> = {},
): ReplicationRuleModel {
  return {
    id: fields.id ?? `to-${destination.bucket}`,
    priority: fields.priority ?? 1,
    enabled: fields.enabled ?? true,
    filter: fields.filter ?? { prefix: '', tags: [] },
    destination: {
      bucket: destination.bucket,
      region: destination.region ?? null,
      account: null,
      storageClass: null,
      ownerOverride: false,
    },
    rtc: fields.rtc ?? false,
    metrics: fields.metrics ?? false,
    deleteMarkerReplication: fields.deleteMarkerReplication ?? false,
    replicaModifications: fields.replicaModifications ?? false,
  };
}

function indexOf(rules: readonly ReplicationRuleModel[], id: string): number {
  const i = rules.findIndex((r) => r.id === id);
  if (i < 0) throw new Error(`There is no replication rule '${id}'.`);
  return i;
}

/** The rules with `rule` added, or replacing the rule with its ID. */
export function upsertRule(
  rules: readonly ReplicationRuleModel[],
  rule: ReplicationRuleModel,
): ReplicationRuleModel[] {
  const i = rules.findIndex((r) => r.id === rule.id);
  return i < 0 ? [...rules, rule] : rules.map((r, j) => (j === i ? rule : r));
}

/** The rules without rule `id`. */
export function removeRule(
  rules: readonly ReplicationRuleModel[],
  id: string,
): ReplicationRuleModel[] {
  indexOf(rules, id);
  return rules.filter((r) => r.id !== id);
}

/** The rules with rule `id` enabled or disabled. */
export function setRuleEnabled(
  rules: readonly ReplicationRuleModel[],
  id: string,
  enabled: boolean,
): ReplicationRuleModel[] {
  const i = indexOf(rules, id);
  return rules.map((r, j) => (j === i ? { ...r, enabled } : r));
}

/** The rules with rule `id` at `priority` (higher wins where rules to one bucket overlap). */
export function setRulePriority(
  rules: readonly ReplicationRuleModel[],
  id: string,
  priority: number,
): ReplicationRuleModel[] {
  const i = indexOf(rules, id);
  return rules.map((r, j) => (j === i ? { ...r, priority } : r));
}
