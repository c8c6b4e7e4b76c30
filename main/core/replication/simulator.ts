// For one key (and its tags): which rule decides, per destination, where the object goes,
// with what storage class, and whether its deletes follow. This is S3's own decision: the
// enabled rules whose prefix and tags all match, grouped by destination bucket, and for each
// destination the rule with the highest priority wins.
import type {
  ReplicationRuleModel,
  SimulationResult,
  TagPair,
} from '../../contract/replication.js';

export interface SimulateOptions {
  /** The object's own storage class, used where the rule names none (STANDARD if unknown). */
  sourceStorageClass?: string;
}

/** Why a rule does not apply to the key, or null when it matches. */
export function ruleMismatch(
  rule: ReplicationRuleModel,
  path: string,
  tags: readonly TagPair[],
): string | null {
  if (!path.startsWith(rule.filter.prefix))
    return `the key does not start with '${rule.filter.prefix}'`;
  const missing = rule.filter.tags.filter(
    (t) => !tags.some((u) => u.key === t.key && u.value === t.value),
  );
  if (missing.length > 0)
    return `the object lacks tag ${missing.map((t) => `${t.key}=${t.value}`).join(', ')}`;
  return null;
}

/** The winning enabled rule per destination bucket, in the order of first appearance. */
export function winningRules(
  rules: readonly ReplicationRuleModel[],
  path: string,
  tags: readonly TagPair[],
): Map<string, ReplicationRuleModel> {
  const winners = new Map<string, ReplicationRuleModel>();
  for (const rule of rules) {
    if (!rule.enabled || ruleMismatch(rule, path, tags) !== null) continue;
    const current = winners.get(rule.destination.bucket);
    if (current === undefined || rule.priority > current.priority)
      winners.set(rule.destination.bucket, rule);
  }
  return winners;
}

export function simulate(
  rules: readonly ReplicationRuleModel[],
  path: string,
  tags: readonly TagPair[] = [],
  opts: SimulateOptions = {},
): SimulationResult {
  const winners = winningRules(rules, path, tags);
  const sourceClass = opts.sourceStorageClass ?? 'STANDARD';
  const matches = [...winners.values()].map((r) => ({
    ruleId: r.id,
    bucket: r.destination.bucket,
    region: r.destination.region,
    storageClass: r.destination.storageClass ?? sourceClass,
    // S3 refuses delete-marker replication with a tag filter: a marker has no tags.
    deletesFollow: r.deleteMarkerReplication && r.filter.tags.length === 0,
  }));

  const lines: string[] = [];
  if (rules.length === 0) {
    lines.push(`The bucket has no replication rules: '${path}' stays in this bucket only.`);
  }
  for (const rule of rules) {
    const mismatch = ruleMismatch(rule, path, tags);
    const winner = winners.get(rule.destination.bucket);
    if (mismatch !== null) {
      lines.push(`Rule '${rule.id}' does not apply: ${mismatch}.`);
    } else if (!rule.enabled) {
      lines.push(`Rule '${rule.id}' would match but is disabled.`);
    } else if (winner !== rule) {
      lines.push(
        `Rule '${rule.id}' matches but rule '${winner?.id ?? ''}' has the higher priority (${winner?.priority ?? ''} over ${rule.priority}) for '${rule.destination.bucket}'.`,
      );
    }
  }
  for (const m of matches) {
    const rule = winners.get(m.bucket) as ReplicationRuleModel;
    const where = m.region !== null ? ` in ${m.region}` : '';
    const cls =
      rule.destination.storageClass !== null
        ? `as ${m.storageClass}`
        : `in the object's own storage class (${m.storageClass})`;
    const deletes = m.deletesFollow
      ? 'a delete (delete marker) follows it there'
      : rule.deleteMarkerReplication
        ? 'deletes do not follow: S3 does not replicate delete markers for a rule with a tag filter'
        : 'deletes do not follow: the rule does not replicate delete markers, so the replica stays';
    lines.push(
      `Rule '${m.ruleId}' replicates '${path}' to '${m.bucket}'${where} ${cls}; ${deletes}.`,
    );
  }
  if (rules.length > 0 && matches.length === 0) {
    lines.push(`No enabled rule matches: '${path}' is not replicated.`);
  }
  if (matches.length > 0) {
    lines.push(
      'Deleting a specific version (by version id) is never replicated; replicas are not replicated again.',
    );
  }
  return { matches, explanation: lines.join('\n') };
}
