// Before a configuration is saved: what S3 would refuse, and what it would accept but that
// would silently not replicate. Each check names the bucket or rule, says why, and, where the
// app can fix it (versioning), carries the fix. checkRules is pure; gatherCheckInput asks S3
// for the facts it needs.
import type { S3Client } from '@aws-sdk/client-s3';
import type {
  ReplicationRuleModel,
  RuleCheck,
  VersioningStatus,
} from '../../contract/replication.js';
import { bucketRegion, type RegionPolicy } from './bucket-places.js';
import { readVersioning, type BucketRef } from './rules.js';

/** What is known of one destination bucket; null = could not be checked (no permission). */
export interface DestinationFacts {
  exists: boolean | null;
  region: string | null;
  versioning: VersioningStatus | null;
}

export interface CheckInput {
  source: { bucket: string; region: string; versioning: VersioningStatus };
  rules: ReplicationRuleModel[];
  /** Destination bucket name → what is known of it. */
  destinations: Map<string, DestinationFacts>;
  /** The local regions: no IAM role, one account. */
  local: boolean;
  /** The role the configuration names; undefined leaves the role unchecked. */
  role?: string | null;
}

/** Storage classes S3 accepts for replicas. */
export const REPLICA_STORAGE_CLASSES = [
  'STANDARD',
  'REDUCED_REDUNDANCY',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER',
  'DEEP_ARCHIVE',
  'GLACIER_IR',
] as const;

const STORAGE_CLASSES = new Set<string>(REPLICA_STORAGE_CLASSES);

function error(
  message: string,
  ruleId: string | null = null,
  field: string | null = null,
  fix: RuleCheck['fix'] = null,
): RuleCheck {
  return { level: 'error', ruleId, field, message, fix };
}

function warning(message: string, ruleId: string | null = null, field: string | null = null) {
  return { level: 'warning', ruleId, field, message, fix: null } satisfies RuleCheck;
}

/** True when some key (with some tags) matches both filters. */
export function filtersOverlap(
  a: ReplicationRuleModel['filter'],
  b: ReplicationRuleModel['filter'],
): boolean {
  if (!a.prefix.startsWith(b.prefix) && !b.prefix.startsWith(a.prefix)) return false;
  // One object has one value per tag key: different values for one key never both match.
  for (const t of a.tags) {
    if (b.tags.some((u) => u.key === t.key && u.value !== t.value)) return false;
  }
  return true;
}

function describeFilter(f: ReplicationRuleModel['filter']): string {
  const parts: string[] = [];
  if (f.prefix !== '') parts.push(`keys starting with '${f.prefix}'`);
  if (f.tags.length > 0)
    parts.push(`tagged ${f.tags.map((t) => `${t.key}=${t.value}`).join(' and ')}`);
  return parts.length > 0 ? parts.join(', ') : 'every key';
}

function versioningChecks(input: CheckInput): RuleCheck[] {
  const out: RuleCheck[] = [];
  const { source } = input;
  if (source.versioning !== 'Enabled' && input.rules.length > 0) {
    out.push(
      error(
        `Versioning is ${source.versioning === 'Off' ? 'off' : 'suspended'} on source bucket '${source.bucket}' (${source.region}): S3 replicates only from a bucket with versioning enabled and refuses the rules until it is. Enable versioning on '${source.bucket}' (the app can do it).`,
        null,
        'versioning',
        { kind: 'enable-versioning', bucket: source.bucket, region: source.region },
      ),
    );
  }
  return out;
}

function destinationChecks(input: CheckInput): RuleCheck[] {
  const out: RuleCheck[] = [];
  const reported = new Set<string>();
  for (const rule of input.rules) {
    const d = rule.destination;
    if (d.bucket === input.source.bucket) {
      out.push(
        error(
          `Rule '${rule.id}' replicates bucket '${d.bucket}' into itself: S3 refuses a rule whose destination is its own source bucket. Pick another destination bucket.`,
          rule.id,
          'destination.bucket',
        ),
      );
      continue;
    }
    if (reported.has(d.bucket)) continue;
    reported.add(d.bucket);
    const facts = input.destinations.get(d.bucket);
    if (facts === undefined || facts.exists === null) {
      out.push(
        warning(
          `Destination bucket '${d.bucket}' of rule '${rule.id}' could not be checked (these credentials cannot see it; normal for a bucket of another account): make sure it exists, has versioning enabled, and lets the replication role write, or S3 will mark every object FAILED.`,
          rule.id,
          'destination.bucket',
        ),
      );
      continue;
    }
    if (!facts.exists) {
      out.push(
        error(
          `Destination bucket '${d.bucket}' of rule '${rule.id}' does not exist: S3 refuses a rule whose destination bucket is missing. Create the bucket or pick another one.`,
          rule.id,
          'destination.bucket',
        ),
      );
      continue;
    }
    const where = facts.region ?? d.region ?? '';
    if (facts.versioning === null) {
      out.push(
        warning(
          `Versioning of destination bucket '${d.bucket}' could not be read (no permission): S3 replicates only into a bucket with versioning enabled. Make sure it is enabled.`,
          rule.id,
          'destination.bucket',
        ),
      );
    } else if (facts.versioning !== 'Enabled') {
      out.push(
        error(
          `Versioning is ${facts.versioning === 'Off' ? 'off' : 'suspended'} on destination bucket '${d.bucket}'${where ? ` (${where})` : ''}: S3 replicates only into a bucket with versioning enabled and refuses rule '${rule.id}' until it is. Enable versioning on '${d.bucket}' (the app can do it).`,
          rule.id,
          'destination.bucket',
          where ? { kind: 'enable-versioning', bucket: d.bucket, region: where } : null,
        ),
      );
    }
  }
  return out;
}

function ruleFieldChecks(input: CheckInput, rule: ReplicationRuleModel): RuleCheck[] {
  const out: RuleCheck[] = [];
  const d = rule.destination;
  if (rule.deleteMarkerReplication && rule.filter.tags.length > 0) {
    out.push(
      error(
        `Rule '${rule.id}' filters by tag and replicates delete markers: a delete marker has no tags, so S3 cannot match it against a tag filter and refuses the combination. Turn off delete-marker replication or remove the tag filter.`,
        rule.id,
        'deleteMarkerReplication',
      ),
    );
  }
  if (rule.rtc && !rule.metrics) {
    out.push(
      error(
        `Rule '${rule.id}' turns on Replication Time Control without replication metrics: S3 reports the 15-minute window through the metrics and refuses RTC without them. Turn on metrics too.`,
        rule.id,
        'metrics',
      ),
    );
  }
  if (d.ownerOverride && d.account === null) {
    out.push(
      error(
        `Rule '${rule.id}' gives the replicas to the destination account (owner override) but names no destination account: S3 needs the account id to hand the replicas to. Enter the destination bucket's account id.`,
        rule.id,
        'destination.account',
      ),
    );
  }
  if (d.account !== null && !/^\d{12}$/.test(d.account)) {
    out.push(
      error(
        `Rule '${rule.id}' names destination account '${d.account}': an AWS account id is 12 digits.`,
        rule.id,
        'destination.account',
      ),
    );
  }
  if (d.storageClass !== null && !STORAGE_CLASSES.has(d.storageClass)) {
    out.push(
      error(
        `Rule '${rule.id}' asks for storage class '${d.storageClass}', which S3 does not offer for replicas: use one of ${REPLICA_STORAGE_CLASSES.join(', ')}.`,
        rule.id,
        'destination.storageClass',
      ),
    );
  }
  const keys = rule.filter.tags.map((t) => t.key);
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup !== undefined) {
    out.push(
      error(
        `Rule '${rule.id}' filters on tag '${dup}' twice: an object has one value per tag key, so S3 refuses duplicate tag keys in one filter.`,
        rule.id,
        'filter.tags',
      ),
    );
  }
  if (input.local && d.account !== null && !d.ownerOverride) {
    out.push(
      warning(
        `Rule '${rule.id}' names a destination account without an owner override: the local regions have a single account that owns every bucket, so the account number is stored and nothing else changes.`,
        rule.id,
        'destination.account',
      ),
    );
  }
  return out;
}

function priorityChecks(rules: ReplicationRuleModel[]): RuleCheck[] {
  const out: RuleCheck[] = [];
  for (let i = 0; i < rules.length; i++) {
    for (let j = i + 1; j < rules.length; j++) {
      const a = rules[i] as ReplicationRuleModel;
      const b = rules[j] as ReplicationRuleModel;
      if (a.priority !== b.priority || a.destination.bucket !== b.destination.bucket) continue;
      const overlap = filtersOverlap(a.filter, b.filter);
      out.push(
        error(
          overlap
            ? `Rules '${a.id}' and '${b.id}' both replicate ${describeFilter(a.filter.prefix.length >= b.filter.prefix.length ? a.filter : b.filter)} to '${a.destination.bucket}' with the same priority ${a.priority}: where they overlap S3 could not tell which rule decides, so it refuses equal priorities for one destination. Give one of them a higher priority.`
            : `Rules '${a.id}' and '${b.id}' replicate to '${a.destination.bucket}' with the same priority ${a.priority}: S3 refuses equal priorities for rules to one destination, even when their filters do not overlap. Give each a different priority.`,
          b.id,
          'priority',
        ),
      );
    }
  }
  return out;
}

/** Every problem with `input.rules`, errors first; empty for a configuration that will work. */
export function checkRules(input: CheckInput): RuleCheck[] {
  const out: RuleCheck[] = [];
  const ids = new Set<string>();
  for (const rule of input.rules) {
    if (ids.has(rule.id)) {
      out.push(
        error(
          `Two rules are called '${rule.id}': S3 needs a unique ID per rule. Rename one.`,
          rule.id,
          'id',
        ),
      );
    }
    ids.add(rule.id);
  }
  out.push(...versioningChecks(input), ...destinationChecks(input));
  for (const rule of input.rules) out.push(...ruleFieldChecks(input, rule));
  out.push(...priorityChecks(input.rules));
  if (!input.local && input.role !== undefined && input.rules.length > 0) {
    const role = input.role ?? '';
    if (role === '') {
      out.push(
        error(
          'No IAM role is chosen: S3 replicates as a role it assumes, and refuses a configuration without one. Pick a role or let the app create one.',
          null,
          'role',
        ),
      );
    } else if (!/^arn:aws[\w-]*:iam::\d{12}:role\/.+/.test(role)) {
      out.push(
        error(
          `'${role}' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>): S3 needs the ARN of the role it assumes.`,
          null,
          'role',
        ),
      );
    }
  }
  if (input.rules.length > 0 && input.rules.every((r) => !r.enabled)) {
    out.push(
      warning(
        `Every rule of bucket '${input.source.bucket}' is disabled: nothing written from now on will be replicated.`,
      ),
    );
  }
  return [...out.filter((c) => c.level === 'error'), ...out.filter((c) => c.level === 'warning')];
}

function errorCode(err: unknown): string {
  return (err as { code?: string }).code ?? '';
}

/** Facts of one destination, asked of S3 (missing → exists false; no permission → null). */
export async function destinationFacts(
  clientFor: (region: string) => S3Client,
  locateClient: S3Client,
  bucket: string,
  policy?: RegionPolicy,
): Promise<DestinationFacts> {
  let region: string;
  try {
    region = await bucketRegion(locateClient, bucket, policy);
  } catch (err) {
    return errorCode(err) === 'NoSuchBucket'
      ? { exists: false, region: null, versioning: null }
      : { exists: null, region: null, versioning: null };
  }
  try {
    return { exists: true, region, versioning: await readVersioning(clientFor(region), bucket) };
  } catch (err) {
    if (errorCode(err) === 'NoSuchBucket') return { exists: false, region, versioning: null };
    return { exists: true, region, versioning: null };
  }
}

/** Asks S3 for what checkRules needs: source versioning and each destination. */
export async function gatherCheckInput(
  clientFor: (region: string) => S3Client,
  args: {
    source: BucketRef;
    rules: ReplicationRuleModel[];
    local: boolean;
    role?: string | null;
    /** How the account's service names regions (custom: its signing region is the client's). */
    policy?: RegionPolicy;
  },
): Promise<CheckInput> {
  const sourceClient = clientFor(args.source.region);
  const names = [...new Set(args.rules.map((r) => r.destination.bucket))].filter(
    (b) => b !== args.source.bucket,
  );
  const [versioning, facts] = await Promise.all([
    readVersioning(sourceClient, args.source.bucket),
    Promise.all(names.map((b) => destinationFacts(clientFor, sourceClient, b, args.policy))),
  ]);
  return {
    source: { ...args.source, versioning },
    rules: args.rules,
    destinations: new Map(names.map((b, i) => [b, facts[i] as DestinationFacts])),
    local: args.local,
    ...(args.role !== undefined ? { role: args.role } : {}),
  };
}
