import { lazy, Suspense } from 'react';
import type { ReplicationRuleModel } from '../../../main/contract/replication.js';
import { useRuleStats } from '../hooks/use-rule-stats.js';
import { byPriority } from '../rule-form.js';
import { ErrorNotice } from './ErrorNotice.js';
import { LoadingNotice } from './LoadingNotice.js';

// Chart.js loads with the first histogram shown, not with the app.
const LatencyHistogram = lazy(() =>
  import('./LatencyHistogram.js').then((m) => ({ default: m.LatencyHistogram })),
);

interface Props {
  accountId: string;
  bucket: string;
  region: string;
  rules: readonly ReplicationRuleModel[];
}

/** Per rule: pending, failed and verified copies, and a histogram of their latencies. */
export function RuleStatsPanel({ accountId, bucket, region, rules }: Props) {
  const stats = useRuleStats(accountId, bucket, region);
  if (stats.value === null) {
    return stats.error ? (
      <ErrorNotice
        title="Could not read the replication statistics."
        error={stats.error}
        onRetry={stats.reload}
      />
    ) : (
      <LoadingNotice label="Loading the replication statistics…" />
    );
  }
  const byRule = new Map(stats.value.map((s) => [s.ruleId, s]));
  const known = new Set(rules.map((r) => r.id));
  // Rules first (in priority order), then any the engine counted for rules since removed.
  const ids = [
    ...byPriority(rules).map((r) => r.id),
    ...stats.value.map((s) => s.ruleId).filter((ruleId) => !known.has(ruleId)),
  ];
  return (
    <div className="rule-stats">
      {stats.error ? (
        <ErrorNotice
          title="Could not refresh the replication statistics."
          error={stats.error}
          onRetry={stats.reload}
        />
      ) : null}
      <ul className="plain-list rule-stats-list" aria-label={`Statistics of ${bucket}`}>
        {ids.map((ruleId) => {
          const s = byRule.get(ruleId);
          return (
            <li key={ruleId} className="rule-stat" aria-label={`Statistics of ${ruleId}`}>
              <h4 className="item-path">{ruleId}</h4>
              <dl className="stat-counts">
                <div>
                  <dt>Pending</dt>
                  <dd>{s?.pending ?? 0}</dd>
                </div>
                <div>
                  <dt>Failed</dt>
                  <dd className={s && s.failed > 0 ? 'detail-bad' : undefined}>{s?.failed ?? 0}</dd>
                </div>
                <div>
                  <dt>Verified</dt>
                  <dd>{s?.verified ?? 0}</dd>
                </div>
              </dl>
              {s && s.latenciesMs.length > 0 ? (
                <Suspense fallback={<LoadingNotice label="Drawing the histogram…" />}>
                  <LatencyHistogram ruleId={ruleId} latenciesMs={s.latenciesMs} />
                </Suspense>
              ) : (
                <p className="field-hint">No copy of this rule has been verified yet.</p>
              )}
            </li>
          );
        })}
      </ul>
      <p className="form-actions">
        <button type="button" onClick={stats.reload}>
          Refresh statistics
        </button>
      </p>
    </div>
  );
}
