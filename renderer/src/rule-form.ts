// The replication rule editor's pure parts: the draft (what the inputs hold) and the rule
// model it stands for, both ways; the new rule's defaults; re-prioritising; and which input a
// check or an argument problem is about. Pure, so it runs under Node for the unit tests.
import type { CommandArgs } from '../../main/contract/commands.js';
import type { ReplicationRuleModel, RuleCheck, TagPair } from '../../main/contract/replication.js';

export interface RuleDraft {
  id: string;
  priority: string;
  enabled: boolean;
  prefix: string;
  /** One `key=value` per line. */
  tags: string;
  destBucket: string;
  destRegion: string;
  destAccount: string;
  /** '' keeps the source object's storage class. */
  storageClass: string;
  ownerOverride: boolean;
  rtc: boolean;
  metrics: boolean;
  deleteMarkerReplication: boolean;
  replicaModifications: boolean;
}

export type RuleField = keyof RuleDraft;
export type RuleFieldErrors = Partial<Record<RuleField, string>>;

export const RULE_FIELD_LABELS: Record<RuleField, string> = {
  id: 'Rule ID',
  priority: 'Priority',
  enabled: 'Enabled',
  prefix: 'Prefix',
  tags: 'Tags',
  destBucket: 'Destination bucket',
  destRegion: 'Destination region',
  destAccount: 'Destination account',
  storageClass: 'Storage class',
  ownerOverride: 'Owner override',
  rtc: 'Replication Time Control',
  metrics: 'Replication metrics',
  deleteMarkerReplication: 'Delete marker replication',
  replicaModifications: 'Replica modification sync',
};

/** Storage classes S3 replication can write; '' keeps the source's. */
export const STORAGE_CLASSES: readonly { value: string; label: string }[] = [
  { value: '', label: 'Same as the source object' },
  { value: 'STANDARD', label: 'Standard' },
  { value: 'INTELLIGENT_TIERING', label: 'Intelligent-Tiering' },
  { value: 'STANDARD_IA', label: 'Standard-IA' },
  { value: 'ONEZONE_IA', label: 'One Zone-IA' },
  { value: 'GLACIER_IR', label: 'Glacier Instant Retrieval' },
  { value: 'GLACIER', label: 'Glacier Flexible Retrieval' },
  { value: 'DEEP_ARCHIVE', label: 'Glacier Deep Archive' },
  { value: 'REDUCED_REDUNDANCY', label: 'Reduced Redundancy' },
];

export const MAX_PRIORITY = 1_000_000;
export const MAX_TAGS = 10;

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION_NAME = /^[a-z0-9-]{1,32}$/;
const ACCOUNT_ID = /^\d{12}$/;

export function formatTags(tags: readonly TagPair[]): string {
  return tags.map((t) => `${t.key}=${t.value}`).join('\n');
}

/** `key=value` lines (blank lines skipped; the value may hold `=`). */
export function parseTags(text: string): { tags: TagPair[]; error: string | null } {
  const tags: TagPair[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '') continue;
    const at = line.indexOf('=');
    const key = (at < 0 ? line : line.slice(0, at)).trim();
    const value = at < 0 ? '' : line.slice(at + 1).trim();
    if (at < 0) return { tags, error: `Line ${i + 1}: write the tag as key=value.` };
    if (key === '') return { tags, error: `Line ${i + 1}: the tag has no key.` };
    if (key.length > 128)
      return { tags, error: `Line ${i + 1}: a tag key has 128 characters at most.` };
    if (value.length > 256)
      return { tags, error: `Line ${i + 1}: a tag value has 256 characters at most.` };
    if (tags.some((t) => t.key === key))
      return { tags, error: `Line ${i + 1}: the key ${key} is given twice.` };
    tags.push({ key, value });
  }
  if (tags.length > MAX_TAGS) return { tags, error: `A filter has ${MAX_TAGS} tags at most.` };
  return { tags, error: null };
}

export function draftFromRule(rule: ReplicationRuleModel): RuleDraft {
  return {
    id: rule.id,
    priority: String(rule.priority),
    enabled: rule.enabled,
    prefix: rule.filter.prefix,
    tags: formatTags(rule.filter.tags),
    destBucket: rule.destination.bucket,
    destRegion: rule.destination.region ?? '',
    destAccount: rule.destination.account ?? '',
    storageClass: rule.destination.storageClass ?? '',
    ownerOverride: rule.destination.ownerOverride,
    rtc: rule.rtc,
    metrics: rule.metrics,
    deleteMarkerReplication: rule.deleteMarkerReplication,
    replicaModifications: rule.replicaModifications,
  };
}

/** A rule ID not used yet: `rule-1`, `rule-2`, … */
export function nextRuleId(rules: readonly ReplicationRuleModel[]): string {
  const used = new Set(rules.map((r) => r.id));
  let n = rules.length + 1;
  while (used.has(`rule-${n}`)) n += 1;
  return `rule-${n}`;
}

/** A new rule ranks above the existing ones (in S3 the higher number wins). */
export function nextPriority(rules: readonly ReplicationRuleModel[]): number {
  if (rules.length === 0) return 1;
  return Math.min(MAX_PRIORITY, Math.max(...rules.map((r) => r.priority)) + 1);
}

/** A new rule: everything replicated, deletes follow, as a two-way pair wants it. */
export function newRuleDraft(
  rules: readonly ReplicationRuleModel[],
  destination: { bucket: string; region: string } | null = null,
): RuleDraft {
  return {
    id: nextRuleId(rules),
    priority: String(nextPriority(rules)),
    enabled: true,
    prefix: '',
    tags: '',
    destBucket: destination?.bucket ?? '',
    destRegion: destination?.region ?? '',
    destAccount: '',
    storageClass: '',
    ownerOverride: false,
    rtc: false,
    metrics: false,
    deleteMarkerReplication: true,
    replicaModifications: false,
  };
}

/** Turning RTC on turns metrics on too (S3 requires them); metrics off turns RTC off. */
export function editDraft(draft: RuleDraft, change: Partial<RuleDraft>): RuleDraft {
  const next = { ...draft, ...change };
  if (change.rtc === true) next.metrics = true;
  if (change.metrics === false) next.rtc = false;
  return next;
}

/**
 * The rule the draft stands for, or the problems that keep it from being one. `others` are
 * the bucket's other rules (the one being edited left out), for unique IDs.
 */
export function ruleFromDraft(
  draft: RuleDraft,
  others: readonly ReplicationRuleModel[] = [],
): { rule: ReplicationRuleModel | null; errors: RuleFieldErrors } {
  const errors: RuleFieldErrors = {};
  const id = draft.id.trim();
  if (id === '') errors.id = 'Give the rule an ID.';
  else if (id.length > 255) errors.id = 'A rule ID has 255 characters at most.';
  else if (others.some((r) => r.id === id)) errors.id = `Another rule is called ${id}.`;

  const priorityText = draft.priority.trim();
  const priority = Number(priorityText);
  if (priorityText === '' || !Number.isInteger(priority) || priority < 0 || priority > MAX_PRIORITY)
    errors.priority = `Enter a whole number from 0 to ${MAX_PRIORITY.toLocaleString('en-US')}.`;

  if (draft.prefix.length > 1024) errors.prefix = 'A prefix has 1024 characters at most.';
  const { tags, error: tagError } = parseTags(draft.tags);
  if (tagError) errors.tags = tagError;

  const bucket = draft.destBucket.trim();
  if (bucket === '') errors.destBucket = 'Enter the bucket the replicas go to.';
  else if (!BUCKET_NAME.test(bucket))
    errors.destBucket =
      'A bucket name has 3 to 63 lower-case letters, digits, dots and hyphens, and starts and ends with a letter or digit.';

  const region = draft.destRegion.trim();
  if (region !== '' && !REGION_NAME.test(region))
    errors.destRegion = 'Use a region name such as eu-west-1.';

  const account = draft.destAccount.trim();
  if (account !== '' && !ACCOUNT_ID.test(account))
    errors.destAccount = 'An AWS account id has 12 digits.';

  const storageClass = draft.storageClass.trim();
  if (storageClass.length > 32) errors.storageClass = 'Choose a storage class from the list.';

  if (Object.keys(errors).length > 0) return { rule: null, errors };
  return {
    rule: {
      id,
      priority,
      enabled: draft.enabled,
      filter: { prefix: draft.prefix, tags },
      destination: {
        bucket,
        region: region === '' ? null : region,
        account: account === '' ? null : account,
        storageClass: storageClass === '' ? null : storageClass,
        ownerOverride: draft.ownerOverride,
      },
      rtc: draft.rtc,
      metrics: draft.metrics,
      deleteMarkerReplication: draft.deleteMarkerReplication,
      replicaModifications: draft.replicaModifications,
    },
    errors,
  };
}

/** The bucket's rules with `rule` in place of `replacing` (or added when that is null). */
export function rulesWith(
  rules: readonly ReplicationRuleModel[],
  rule: ReplicationRuleModel,
  replacing: string | null,
): ReplicationRuleModel[] {
  if (replacing !== null && rules.some((r) => r.id === replacing))
    return rules.map((r) => (r.id === replacing ? rule : r));
  return [...rules, rule];
}

/** Highest priority first, then by ID: the order S3 applies them in. */
export function byPriority(rules: readonly ReplicationRuleModel[]): ReplicationRuleModel[] {
  return [...rules].sort((a, b) => b.priority - a.priority || a.id.localeCompare(b.id));
}

/**
 * Moves a rule one place up (wins over one more rule) or down, by swapping priorities with
 * its neighbour; a tie is broken by one step. Null when it cannot move that way.
 */
export function movedRules(
  rules: readonly ReplicationRuleModel[],
  id: string,
  direction: 'up' | 'down',
): ReplicationRuleModel[] | null {
  const ordered = byPriority(rules);
  const at = ordered.findIndex((r) => r.id === id);
  const other = direction === 'up' ? at - 1 : at + 1;
  const rule = ordered[at];
  const neighbour = ordered[other];
  if (at < 0 || !rule || !neighbour) return null;
  let mine = neighbour.priority;
  let theirs = rule.priority;
  if (mine === theirs) {
    if (direction === 'up') mine = Math.min(MAX_PRIORITY, mine + 1);
    else theirs = Math.min(MAX_PRIORITY, theirs + 1);
    if (mine === theirs) return null;
  }
  return rules.map((r) =>
    r.id === rule.id
      ? { ...r, priority: mine }
      : r.id === neighbour.id
        ? { ...r, priority: theirs }
        : r,
  );
}

const FIELD_BY_NAME: Record<string, RuleField> = {
  id: 'id',
  priority: 'priority',
  enabled: 'enabled',
  status: 'enabled',
  prefix: 'prefix',
  tags: 'tags',
  filter: 'prefix',
  bucket: 'destBucket',
  destination: 'destBucket',
  region: 'destRegion',
  account: 'destAccount',
  storageclass: 'storageClass',
  owneroverride: 'ownerOverride',
  rtc: 'rtc',
  metrics: 'metrics',
  deletemarkerreplication: 'deleteMarkerReplication',
  replicamodifications: 'replicaModifications',
};

/**
 * The input a check's `field` or an argument problem's path names: `destination.bucket`,
 * `rules.2.filter.tags.0.key`, `priority`. Null when it names none.
 */
export function ruleFieldOf(path: string | null): RuleField | null {
  if (!path) return null;
  const parts = path
    .split('.')
    .filter((p) => !/^\d+$/.test(p))
    .map((p) => p.toLowerCase());
  for (let i = parts.length - 1; i >= 0; i--) {
    const field = FIELD_BY_NAME[parts[i] ?? ''];
    if (field) return field;
  }
  return null;
}

/** A check in words: "Rule rule-1, destination bucket: …". */
export function describeCheck(check: RuleCheck): string {
  const field = ruleFieldOf(check.field);
  const where = [
    check.ruleId ? `Rule ${check.ruleId}` : '',
    field ? RULE_FIELD_LABELS[field].toLowerCase() : '',
  ]
    .filter(Boolean)
    .join(', ');
  return where ? `${where}: ${check.message}` : check.message;
}

export function hasErrors(checks: readonly RuleCheck[]): boolean {
  return checks.some((c) => c.level === 'error');
}

/** Names a check's fix while it is applied: "bucket:region". */
export function fixKey(fix: NonNullable<RuleCheck['fix']>): string {
  return `${fix.bucket}:${fix.region}`;
}

/** A rule as replication.check and replication.save take it. */
export type RuleArgs = CommandArgs<'replication.save'>['rules'][number];

/** The model's empty destination fields are null; the commands take them left out. */
export function ruleArgs(rule: ReplicationRuleModel): RuleArgs {
  const { region, account, storageClass, bucket, ownerOverride } = rule.destination;
  return {
    id: rule.id,
    priority: rule.priority,
    enabled: rule.enabled,
    filter: { prefix: rule.filter.prefix, tags: rule.filter.tags.map((t) => ({ ...t })) },
    destination: {
      bucket,
      ownerOverride,
      ...(region !== null ? { region } : {}),
      ...(account !== null ? { account } : {}),
      ...(storageClass !== null ? { storageClass } : {}),
    },
    rtc: rule.rtc,
    metrics: rule.metrics,
    deleteMarkerReplication: rule.deleteMarkerReplication,
    replicaModifications: rule.replicaModifications,
  };
}

export function rulesArgs(rules: readonly ReplicationRuleModel[]): RuleArgs[] {
  return rules.map(ruleArgs);
}
