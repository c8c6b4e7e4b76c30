// After a PutBucketReplication the stored configuration is read back and compared, field by
// field, with what was sent. Some services accept a configuration and quietly keep less of
// it (Ceph RGW 16 drops Filter, DeleteMarkerReplication and Role, then replicates nothing), so
// "the PUT succeeded" never means "the rules are as written" (DESIGN.md section 8). The
// comparison is on S3's own shape, not the UI model: the model reads a missing Filter as a
// legacy V1 rule, which would hide exactly the loss we look for.
import type { ReplicationConfiguration, ReplicationRule, S3Client, Tag } from '@aws-sdk/client-s3';
import type { NotKeptField } from '../../contract/replication.js';
import { bucketFromArn, putReplicationConfig, readReplicationConfig } from './rules.js';

const tagText = (tags: Tag[]): string =>
  tags
    .map((t) => `${t.Key ?? ''}=${t.Value ?? ''}`)
    .sort()
    .join('&');

/** A V2 filter as text, or null when the rule has no Filter element. */
function filterText(rule: ReplicationRule): string | null {
  const f = rule.Filter;
  if (f === undefined) return null;
  if (f.And !== undefined) return `prefix=${f.And.Prefix ?? ''} tags=${tagText(f.And.Tags ?? [])}`;
  if (f.Tag !== undefined) return `prefix= tags=${tagText([f.Tag])}`;
  return `prefix=${f.Prefix ?? ''} tags=`;
}

const orNull = (v: string | number | undefined | null): string | null =>
  v === undefined || v === null || v === '' ? null : String(v);

/** The fields compared, as S3 names them, each read from a rule as text (null: absent). */
const FIELDS: [string, (r: ReplicationRule) => string | null][] = [
  ['ID', (r) => orNull(r.ID)],
  ['Priority', (r) => orNull(r.Priority)],
  ['Status', (r) => orNull(r.Status)],
  ['Filter', filterText],
  ['Destination', (r) => orNull(bucketFromArn(r.Destination?.Bucket ?? ''))],
  // S3 reports the default class on some services: absent and STANDARD are the same.
  ['StorageClass', (r) => orNull(r.Destination?.StorageClass ?? 'STANDARD')],
  ['Account', (r) => orNull(r.Destination?.Account)],
  ['OwnerOverride', (r) => orNull(r.Destination?.AccessControlTranslation?.Owner)],
  [
    'ReplicationTime',
    (r) => (r.Destination?.ReplicationTime?.Status === 'Enabled' ? 'Enabled' : null),
  ],
  ['Metrics', (r) => (r.Destination?.Metrics?.Status === 'Enabled' ? 'Enabled' : null)],
  ['DeleteMarkerReplication', (r) => orNull(r.DeleteMarkerReplication?.Status)],
  [
    'ReplicaModifications',
    (r) =>
      r.SourceSelectionCriteria?.ReplicaModifications?.Status === 'Enabled' ? 'Enabled' : null,
  ],
];

/** The stored rule that answers `sent`: same ID, else the one at the same place. */
function counterpart(
  sent: ReplicationRule,
  index: number,
  stored: ReplicationRule[],
  taken: Set<ReplicationRule>,
): ReplicationRule | undefined {
  const byId = stored.find((r) => !taken.has(r) && sent.ID !== undefined && r.ID === sent.ID);
  if (byId) return byId;
  const atIndex = stored[index];
  return atIndex !== undefined && !taken.has(atIndex) ? atIndex : undefined;
}

/**
 * What the service did not keep of `sent`, per rule and field; empty when everything came back
 * as sent. `stored` is null when the service kept no configuration at all.
 */
export function compareReadBack(
  sent: ReplicationConfiguration,
  stored: ReplicationConfiguration | null,
): NotKeptField[] {
  const out: NotKeptField[] = [];
  const sentRole = orNull(sent.Role);
  const storedRole = orNull(stored?.Role);
  if (sentRole !== null && sentRole !== storedRole)
    out.push({ ruleId: null, field: 'Role', sent: sentRole, stored: storedRole });
  const storedRules = stored?.Rules ?? [];
  const taken = new Set<ReplicationRule>();
  (sent.Rules ?? []).forEach((rule, i) => {
    const ruleId = rule.ID ?? null;
    const match = counterpart(rule, i, storedRules, taken);
    if (match === undefined) {
      out.push({ ruleId, field: 'Rule', sent: ruleId ?? `rule ${i + 1}`, stored: null });
      return;
    }
    taken.add(match);
    for (const [field, read] of FIELDS) {
      const want = read(rule);
      const got = read(match);
      if (want !== got) out.push({ ruleId, field, sent: want ?? '(none)', stored: got });
    }
  });
  return out;
}

/** "This service did not keep: Filter, DeleteMarkerReplication, Role", or null. */
export function notKeptMessage(notKept: readonly NotKeptField[]): string | null {
  if (notKept.length === 0) return null;
  const fields = [...new Set(notKept.map((n) => n.field))];
  return `This service did not keep: ${fields.join(', ')}`;
}

/**
 * Stores `config` (no rules: deletes it), reads it back and says what the service did not
 * keep. A service that cannot even be read back afterwards counts as keeping nothing.
 */
export async function putAndReadBack(
  client: S3Client,
  bucket: string,
  config: ReplicationConfiguration,
): Promise<NotKeptField[]> {
  await putReplicationConfig(client, bucket, config);
  if ((config.Rules ?? []).length === 0) return [];
  const stored = await readReplicationConfig(client, bucket);
  return compareReadBack(config, stored);
}
