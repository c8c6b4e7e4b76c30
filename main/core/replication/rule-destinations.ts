// destinationsFor (tracker-config.ts) from a bucket's rules: the rules are read once per
// bucket and kept for a while, and simulate() (simulator.ts) decides per key which rule
// wins for each destination, exactly as S3 does for an object without tags.
import type { ReplicationRuleModel } from '../../contract/index.js';
import { simulate } from './simulator.js';
import type { DestinationsFor, ReplicaDestination } from './tracker-config.js';

export type LoadRules = (
  bucket: string,
  source: { folderId: string; region: string },
) => Promise<readonly ReplicationRuleModel[]>;

/**
 * A DestinationsFor that reads each source bucket's rules at most once per `ttlMs` (a failed
 * read is not kept). A destination whose region is unknown (the bucket could not be located:
 * deleted, or not visible to these credentials) is checked through the source's region, so
 * the tracker still reports it and diagnose() names the cause.
 */
export function destinationsFromRules(
  load: LoadRules,
  options: { ttlMs?: number; now?: () => number } = {},
): DestinationsFor {
  const ttl = options.ttlMs ?? 60_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { at: number; rules: Promise<readonly ReplicationRuleModel[]> }>();
  return async (bucket, key, source) => {
    const id = `${source.folderId}\n${bucket}`;
    let entry = cache.get(id);
    if (!entry || now() - entry.at > ttl) {
      const rules = load(bucket, source);
      entry = { at: now(), rules };
      cache.set(id, entry);
      rules.catch(() => {
        if (cache.get(id)?.rules === rules) cache.delete(id);
      });
    }
    const rules = await entry.rules;
    return simulate(rules, key).matches.map((m): ReplicaDestination => ({
      bucket: m.bucket,
      region: m.region ?? source.region,
      ruleId: m.ruleId,
      deletesFollow: m.deletesFollow,
      rtc: rules.some((r) => r.id === m.ruleId && r.rtc),
    }));
  };
}
