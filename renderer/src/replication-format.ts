// How buckets and rules read in the Replication view. Pure, so it runs under Node for the unit
// tests.
import type {
  BucketReplication,
  ReplicationRuleModel,
  ReplicationVerdictState,
  VersioningStatus,
} from '../../main/contract/replication.js';
import { STORAGE_CLASSES } from './rule-form.js';

export const VERSIONING_LABELS: Record<VersioningStatus, string> = {
  Enabled: 'Versioning enabled',
  Suspended: 'Versioning suspended',
  Off: 'Versioning off',
};

/** What the service calls the location; an empty answer of a custom service is its default. */
export function locationLabel(location: string | null): string {
  return location ?? '(service default)';
}

/**
 * Where a bucket is, as shown: the region, or on a service that names its locations its own
 * way (RGW's zonegroup 'zg') the label with the region its client signs for.
 */
export function placeLabel(b: Pick<BucketReplication, 'region' | 'location'>): string {
  if (b.location === b.region) return b.region;
  return `${locationLabel(b.location)} (signed as ${b.region})`;
}

export const VERDICT_LABELS: Record<ReplicationVerdictState, string> = {
  checking: 'Checking replication…',
  replicating: 'Replicating',
  'not-replicating': 'Not replicating on this service',
  failing: 'Replication failing',
  unchecked: 'Replication not checked',
};

/** StateBadge tone per verdict. */
export const VERDICT_TONES: Record<ReplicationVerdictState, string> = {
  checking: 'pending',
  replicating: 'synced',
  'not-replicating': 'error',
  failing: 'error',
  unchecked: 'idle',
};

/** Buckets grouped by where they are (placeLabel), groups and buckets in name order. */
export function bucketsByRegion(
  buckets: readonly BucketReplication[],
): { region: string; buckets: BucketReplication[] }[] {
  const by = new Map<string, BucketReplication[]>();
  for (const b of buckets) by.set(placeLabel(b), [...(by.get(placeLabel(b)) ?? []), b]);
  return [...by.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([region, list]) => ({
      region,
      buckets: list.sort((a, b) => a.bucket.localeCompare(b.bucket)),
    }));
}

export function describePrefix(rule: ReplicationRuleModel): string {
  return rule.filter.prefix === '' ? 'Every key' : rule.filter.prefix;
}

export function describeTags(rule: ReplicationRuleModel): string {
  return rule.filter.tags.length === 0
    ? 'Any tags'
    : rule.filter.tags.map((t) => `${t.key}=${t.value}`).join(', ');
}

export function storageClassLabel(value: string | null): string {
  if (value === null || value === '') return 'Same as source';
  return STORAGE_CLASSES.find((c) => c.value === value)?.label ?? value;
}

export function yesNo(value: boolean): string {
  return value ? 'Yes' : 'No';
}

/** "On, with metrics", "Off, metrics on", "Off". */
export function describeRtc(rule: ReplicationRuleModel): string {
  if (rule.rtc) return rule.metrics ? 'On, with metrics' : 'On, metrics off';
  return rule.metrics ? 'Off, metrics on' : 'Off';
}

/** The buckets a destination input can offer: every other bucket of the account. */
export function destinationChoices(
  buckets: readonly BucketReplication[],
  source: { bucket: string; region: string },
): { bucket: string; region: string }[] {
  return buckets
    .filter((b) => !(b.bucket === source.bucket && b.region === source.region))
    .map((b) => ({ bucket: b.bucket, region: b.region }))
    .sort((a, b) => a.bucket.localeCompare(b.bucket));
}
