// ReplicationConfiguration: parse and validate the XML as S3 does, write it back, and decide
// which destinations a new version goes to.
import { randomBytes } from 'node:crypto';
import { invalidArgument, invalidRequest, malformedXml } from './error-catalog.js';
import { REPLICATION_STORAGE_CLASSES } from './storage-classes.js';
import { hasAllTags, type Tag } from './tags.js';
import { child, children, has, parseRoot, text, type XmlNode } from './xml-read.js';

export type RuleStatus = 'Enabled' | 'Disabled';

export interface ReplicationRule {
  id: string;
  priority?: number;
  status: RuleStatus;
  /** 'legacy' = the V1 <Prefix> directly under <Rule>; otherwise the shape of <Filter>. */
  filter: 'legacy' | 'empty' | 'prefix' | 'tag' | 'and';
  prefix: string;
  tags: Tag[];
  destination: {
    bucket: string;
    storageClass?: string;
    account?: string;
    owner?: string;
    replicationTime?: { status: RuleStatus; minutes: number };
    metrics?: { status: RuleStatus; minutes?: number };
  };
  deleteMarkerReplication?: RuleStatus;
  replicaModifications?: RuleStatus;
  existingObjectReplication?: RuleStatus;
}

export interface ReplicationConfig {
  role: string;
  rules: ReplicationRule[];
}

export interface Destination {
  bucket: string;
  storageClass?: string;
  ruleId: string;
  /** The destination account that owns the replica (AccessControlTranslation Owner=Destination). */
  ownerAccount?: string;
}

const ARN_PREFIX = 'arn:aws:s3:::';

function status(v: string | undefined): RuleStatus {
  if (v === 'Enabled' || v === 'Disabled') return v;
  throw malformedXml();
}

function optStatus(n: XmlNode | undefined): RuleStatus | undefined {
  return n ? status(text(n, 'Status')) : undefined;
}

function parseTag(n: XmlNode): Tag {
  const key = text(n, 'Key');
  if (key === undefined) throw malformedXml();
  return { Key: key, Value: text(n, 'Value') ?? '' };
}

function parseFilter(rule: XmlNode, out: ReplicationRule): void {
  const f = child(rule, 'Filter');
  if (!f) throw malformedXml();
  const kinds = ['Prefix', 'Tag', 'And'].filter((k) => has(f, k));
  if (kinds.length > 1) throw malformedXml();
  if (kinds.length === 0) {
    out.filter = 'empty';
  } else if (kinds[0] === 'Prefix') {
    out.filter = 'prefix';
    out.prefix = text(f, 'Prefix') ?? '';
  } else if (kinds[0] === 'Tag') {
    out.filter = 'tag';
    out.tags = [parseTag(child(f, 'Tag') ?? {})];
  } else {
    const and = child(f, 'And') ?? {};
    out.filter = 'and';
    out.prefix = text(and, 'Prefix') ?? '';
    out.tags = children(and, 'Tag').map(parseTag);
  }
}

function parseRule(r: XmlNode): ReplicationRule {
  const dest = child(r, 'Destination');
  const bucketArn = dest ? text(dest, 'Bucket') : undefined;
  if (!dest || bucketArn === undefined) throw malformedXml();
  if (!bucketArn.startsWith(ARN_PREFIX) || bucketArn.length === ARN_PREFIX.length) {
    throw invalidArgument('Invalid bucket ARN.', 'Bucket', bucketArn);
  }
  const rule: ReplicationRule = {
    id: text(r, 'ID') || randomBytes(12).toString('base64url'),
    status: status(text(r, 'Status')),
    filter: 'legacy',
    prefix: '',
    tags: [],
    destination: { bucket: bucketArn.slice(ARN_PREFIX.length) },
  };
  if (rule.id.length > 255)
    throw invalidArgument('The maximum value is 255 characters.', 'ID', rule.id);
  const priority = text(r, 'Priority');
  if (priority !== undefined) {
    if (!/^\d+$/.test(priority)) throw malformedXml();
    rule.priority = Number(priority);
  }
  if (has(r, 'Filter')) {
    if (has(r, 'Prefix')) throw malformedXml();
    parseFilter(r, rule);
  } else if (has(r, 'Prefix')) {
    rule.prefix = text(r, 'Prefix') ?? '';
  } else {
    throw malformedXml();
  }
  const storageClass = text(dest, 'StorageClass');
  if (storageClass !== undefined) {
    if (!REPLICATION_STORAGE_CLASSES.has(storageClass)) {
      throw invalidArgument('Invalid storage class.', 'StorageClass', storageClass);
    }
    rule.destination.storageClass = storageClass;
  }
  const account = text(dest, 'Account');
  if (account !== undefined) rule.destination.account = account;
  const act = child(dest, 'AccessControlTranslation');
  if (act) {
    const owner = text(act, 'Owner');
    if (owner !== 'Destination') throw malformedXml();
    if (account === undefined) {
      throw invalidRequest('Account must be specified when AccessControlTranslation is specified.');
    }
    rule.destination.owner = owner;
  }
  const rt = child(dest, 'ReplicationTime');
  if (rt) {
    const minutes = Number(text(child(rt, 'Time') ?? {}, 'Minutes'));
    if (minutes !== 15)
      throw invalidArgument('Replication Time must be 15 minutes.', 'Minutes', String(minutes));
    rule.destination.replicationTime = { status: status(text(rt, 'Status')), minutes };
  }
  const metrics = child(dest, 'Metrics');
  if (metrics) {
    const m: { status: RuleStatus; minutes?: number } = { status: status(text(metrics, 'Status')) };
    const threshold = child(metrics, 'EventThreshold');
    if (threshold) m.minutes = Number(text(threshold, 'Minutes'));
    rule.destination.metrics = m;
  }
  if (
    rule.destination.replicationTime?.status === 'Enabled' &&
    rule.destination.metrics?.status !== 'Enabled'
  ) {
    throw invalidRequest('Replication Time Control must be used in conjunction with Metrics.');
  }
  rule.deleteMarkerReplication = optStatus(child(r, 'DeleteMarkerReplication'));
  const ssc = child(r, 'SourceSelectionCriteria');
  if (ssc) rule.replicaModifications = optStatus(child(ssc, 'ReplicaModifications'));
  rule.existingObjectReplication = optStatus(child(r, 'ExistingObjectReplication'));
  return rule;
}

/** Parses the body and checks everything that does not depend on other buckets. */
export function parseReplicationConfig(body: Buffer): ReplicationConfig {
  const root = parseRoot(body, 'ReplicationConfiguration');
  const role = text(root, 'Role');
  if (role === undefined) throw malformedXml();
  const ruleNodes = children(root, 'Rule');
  if (ruleNodes.length === 0) throw malformedXml();
  if (ruleNodes.length > 1000) {
    throw invalidRequest(
      'The number of replication rules must not exceed the allowed limit of 1000 rules.',
    );
  }
  const rules = ruleNodes.map(parseRule);
  const ids = new Set<string>();
  const priorities = new Map<string, Set<number>>();
  const v2 = rules.some((r) => r.filter !== 'legacy');
  for (const r of rules) {
    if (ids.has(r.id)) throw invalidArgument('Rule Id must be unique.', 'ID', r.id);
    ids.add(r.id);
    if (v2 && r.filter === 'legacy') throw malformedXml();
    if (r.filter !== 'legacy') {
      if (r.priority === undefined) {
        throw invalidRequest(
          'Priority must be specified for this version of Cross Region Replication configuration schema. Please refer to S3 Developer Guide for more information.',
        );
      }
      if (r.deleteMarkerReplication === undefined) {
        throw invalidRequest(
          'DeleteMarkerReplication must be specified for this version of Cross Region Replication configuration schema. Please refer to S3 Developer Guide for more information.',
        );
      }
      const used = priorities.get(r.destination.bucket) ?? new Set<number>();
      if (used.has(r.priority)) throw invalidRequest(`Found duplicate priority ${r.priority}.`);
      used.add(r.priority);
      priorities.set(r.destination.bucket, used);
    }
    if (r.deleteMarkerReplication === 'Enabled' && r.tags.length > 0) {
      throw invalidRequest(
        'Delete marker replication is not supported if any Tag filter is specified. Please refer to S3 Developer Guide for more information.',
      );
    }
  }
  return { role, rules };
}

export interface BucketFacts {
  versioning: string;
}

/** Checks the destinations: they exist in some local region, differ from the source, are versioned. */
export function validateDestinations(
  config: ReplicationConfig,
  source: string,
  lookup: (bucket: string) => BucketFacts | undefined,
): void {
  for (const r of config.rules) {
    const name = r.destination.bucket;
    if (name === source)
      throw invalidRequest('Destination bucket cannot be the same as the source bucket.');
    const dest = lookup(name);
    if (!dest) throw invalidRequest('Destination bucket must exist.');
    if (dest.versioning !== 'Enabled')
      throw invalidRequest('Destination bucket must have versioning enabled.');
  }
}

/** The body for buildXml('ReplicationConfiguration', …). */
export function replicationConfigBody(config: ReplicationConfig): Record<string, unknown> {
  return {
    Role: config.role,
    Rule: config.rules.map((r) => {
      const d = r.destination;
      const tagXml = (t: Tag): Record<string, string> => ({ Key: t.Key, Value: t.Value });
      let filter: Record<string, unknown> | undefined;
      if (r.filter === 'empty') filter = {};
      else if (r.filter === 'prefix') filter = { Prefix: r.prefix };
      else if (r.filter === 'tag') filter = { Tag: tagXml(r.tags[0] as Tag) };
      else if (r.filter === 'and')
        filter = { And: { Prefix: r.prefix || undefined, Tag: r.tags.map(tagXml) } };
      return {
        ID: r.id,
        Priority: r.priority,
        Status: r.status,
        Prefix: r.filter === 'legacy' ? r.prefix : undefined,
        Filter: filter,
        Destination: {
          Bucket: ARN_PREFIX + d.bucket,
          Account: d.account,
          StorageClass: d.storageClass,
          AccessControlTranslation: d.owner ? { Owner: d.owner } : undefined,
          ReplicationTime: d.replicationTime
            ? { Status: d.replicationTime.status, Time: { Minutes: d.replicationTime.minutes } }
            : undefined,
          Metrics: d.metrics
            ? {
                Status: d.metrics.status,
                EventThreshold:
                  d.metrics.minutes !== undefined ? { Minutes: d.metrics.minutes } : undefined,
              }
            : undefined,
        },
        DeleteMarkerReplication: r.deleteMarkerReplication
          ? { Status: r.deleteMarkerReplication }
          : undefined,
        SourceSelectionCriteria: r.replicaModifications
          ? { ReplicaModifications: { Status: r.replicaModifications } }
          : undefined,
        ExistingObjectReplication: r.existingObjectReplication
          ? { Status: r.existingObjectReplication }
          : undefined,
      };
    }),
  };
}

/**
 * Where a new version (or delete marker) goes: for every destination, the enabled rule with the
 * highest priority among those whose filter matches wins. Delete markers go only where that
 * winning rule enables delete-marker replication (a legacy V1 prefix rule without the element replicates
 * them, as S3 does for V1 configurations).
 */
export function destinationsFor(
  config: ReplicationConfig,
  key: string,
  tags: Tag[],
  deleteMarker: boolean,
): Destination[] {
  const out: Destination[] = [];
  for (const [bucket, r] of winningRules(config, key, tags)) {
    const replicatesMarkers =
      r.deleteMarkerReplication === 'Enabled' ||
      (r.filter === 'legacy' && r.deleteMarkerReplication === undefined);
    if (deleteMarker && !replicatesMarkers) continue;
    const d: Destination = { bucket, ruleId: r.id };
    if (r.destination.storageClass) d.storageClass = r.destination.storageClass;
    if (r.destination.owner === 'Destination' && r.destination.account)
      d.ownerAccount = r.destination.account;
    out.push(d);
  }
  return out;
}

/**
 * Where a tag change of an existing version goes. A change on a source version goes where the
 * version was replicated by the winning rule; a change on a replica goes back only where the
 * winning rule of the replica's bucket enables ReplicaModifications (replica modification sync).
 */
export function modificationDestinations(
  config: ReplicationConfig,
  key: string,
  tags: Tag[],
  isReplica: boolean,
): Destination[] {
  const out: Destination[] = [];
  for (const [bucket, r] of winningRules(config, key, tags)) {
    if (isReplica && r.replicaModifications !== 'Enabled') continue;
    out.push({ bucket, ruleId: r.id });
  }
  return out;
}

/** Per destination bucket, the enabled matching rule with the highest priority. */
function winningRules(
  config: ReplicationConfig,
  key: string,
  tags: Tag[],
): Map<string, ReplicationRule> {
  const winners = new Map<string, ReplicationRule>();
  for (const r of config.rules) {
    if (r.status !== 'Enabled') continue;
    if (!key.startsWith(r.prefix)) continue;
    if (!hasAllTags(tags, r.tags)) continue;
    const current = winners.get(r.destination.bucket);
    if (!current || (r.priority ?? 0) > (current.priority ?? 0))
      winners.set(r.destination.bucket, r);
  }
  return winners;
}
