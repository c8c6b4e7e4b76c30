// Per-rule figures of a source bucket for the replication page: destinations per state and
// the measured upload-to-verified latencies (the histogram).
import type { RuleStats } from '../../contract/index.js';
import type { ReplicaStore } from './replica-store.js';

/**
 * One entry per (destination bucket, rule) of `sourceBucket`. `verified` counts replicas
 * proven by checksum and those present without a checksum to compare ('replicated');
 * `failed` counts failed and missing ones.
 */
export function ruleStatsFor(
  store: ReplicaStore,
  sourceBucket: string,
  latencyLimit: number,
): RuleStats[] {
  const byPair = new Map<string, RuleStats>();
  const entry = (dest: string, ruleId: string): RuleStats => {
    const id = `${dest}\n${ruleId}`;
    let s = byPair.get(id);
    if (!s) {
      s = { bucket: dest, ruleId, pending: 0, failed: 0, verified: 0, latenciesMs: [] };
      byPair.set(id, s);
    }
    return s;
  };
  for (const r of store.stateCounts(sourceBucket)) {
    const s = entry(r.dest_bucket, r.rule_id);
    if (r.state === 'pending') s.pending += r.n;
    else if (r.state === 'failed' || r.state === 'missing') s.failed += r.n;
    else s.verified += r.n;
  }
  for (const p of store.latencyPairs(sourceBucket)) {
    entry(p.dest_bucket, p.rule_id).latenciesMs = store.latencies(
      sourceBucket,
      p.dest_bucket,
      p.rule_id,
      latencyLimit,
    );
  }
  return [...byPair.values()].sort(
    (a, b) => a.bucket.localeCompare(b.bucket) || a.ruleId.localeCompare(b.ruleId),
  );
}
