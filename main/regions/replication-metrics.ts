// Replication metrics and Replication Time Control, as S3 keeps them for rules with
// Metrics Enabled (RTC needs Metrics): per rule, the operations and bytes pending, completed and
// failed, the longest replication latency, and the operations that missed the threshold (15
// minutes on S3: Metrics EventThreshold / ReplicationTime Minutes). S3 leaves such a version
// COMPLETED and emits s3:Replication:OperationMissedThreshold; here the counter
// `operationsMissedThreshold` is that event's readout (admin `GET /replication-metrics`).
import type { ReplicationRule } from './replication-config.js';
import type { BucketStore } from './store/buckets.js';
import type { Db } from './store/db.js';

export const THRESHOLD_MINUTES = 15;

export interface RuleMetrics {
  bucket: string;
  ruleId: string;
  destination: string;
  replicationTime: boolean;
  thresholdMinutes: number;
  /** The threshold applied, in milliseconds (the minutes, unless the regions shorten it). */
  thresholdMs: number;
  pendingOperations: number;
  pendingBytes: number;
  /** Pending operations already older than the threshold. */
  pendingOverThreshold: number;
  completedOperations: number;
  completedBytes: number;
  failedOperations: number;
  operationsMissedThreshold: number;
  maxLatencyMs: number;
}

export interface FinishedTask {
  src_bucket: string;
  rule_id: string | null;
  size: number;
  created: number;
}

function thresholdMinutes(r: ReplicationRule): number {
  const d = r.destination;
  if (d.replicationTime?.status === 'Enabled') return d.replicationTime.minutes;
  return d.metrics?.minutes ?? THRESHOLD_MINUTES;
}

export class ReplicationMetrics {
  /** @param overrideMs when set, the threshold of every tracked rule (tests shorten the 15 minutes). */
  constructor(
    private readonly db: Db,
    private readonly buckets: BucketStore,
    private readonly overrideMs: number | undefined,
  ) {}

  private thresholdMs(r: ReplicationRule): number {
    return this.overrideMs ?? thresholdMinutes(r) * 60_000;
  }

  /** The rule, when it has Metrics Enabled (only those are tracked, as on S3). */
  private tracked(bucket: string, ruleId: string | null): ReplicationRule | undefined {
    if (!ruleId) return undefined;
    const rule = this.buckets.get(bucket)?.replication?.rules.find((r) => r.id === ruleId);
    return rule?.destination.metrics?.status === 'Enabled' ? rule : undefined;
  }

  /** Counts a finished task of a tracked rule. Call inside the transaction that finishes it. */
  record(t: FinishedTask, outcome: 'done' | 'failed', now = Date.now()): void {
    const rule = this.tracked(t.src_bucket, t.rule_id);
    if (!rule) return;
    const latency = Math.max(0, now - t.created);
    const done = outcome === 'done' ? 1 : 0;
    const missed = latency > this.thresholdMs(rule) ? 1 : 0;
    this.db
      .prepare(
        `INSERT INTO replication_metrics (src_bucket, rule_id, completed_ops, completed_bytes, failed_ops, missed_threshold, max_latency_ms)
         VALUES (@bucket, @rule, @done, @bytes, @failed, @missed, @latency)
         ON CONFLICT (src_bucket, rule_id) DO UPDATE SET
           completed_ops = completed_ops + @done, completed_bytes = completed_bytes + @bytes,
           failed_ops = failed_ops + @failed, missed_threshold = missed_threshold + @missed,
           max_latency_ms = max(max_latency_ms, @latency)`,
      )
      .run({
        bucket: t.src_bucket,
        rule: rule.id,
        done,
        bytes: done ? t.size : 0,
        failed: 1 - done,
        missed,
        latency: done ? latency : 0,
      });
  }

  /** Every rule with Metrics Enabled, with its counters. */
  report(now = Date.now()): RuleMetrics[] {
    const out: RuleMetrics[] = [];
    const pending = this.db.prepare(
      `SELECT count(*) AS ops, coalesce(sum(size), 0) AS bytes, coalesce(sum(created < @since), 0) AS late
       FROM replication_queue WHERE state = 'pending' AND kind = 'version' AND src_bucket = @bucket AND rule_id = @rule`,
    );
    const counters = this.db.prepare(
      'SELECT * FROM replication_metrics WHERE src_bucket = ? AND rule_id = ?',
    );
    for (const b of this.buckets.list()) {
      for (const r of b.replication?.rules ?? []) {
        if (r.destination.metrics?.status !== 'Enabled') continue;
        const thresholdMs = this.thresholdMs(r);
        const p = pending.get({ bucket: b.name, rule: r.id, since: now - thresholdMs }) as {
          ops: number;
          bytes: number;
          late: number;
        };
        const c = counters.get(b.name, r.id) as
          | Record<
              | 'completed_ops'
              | 'completed_bytes'
              | 'failed_ops'
              | 'missed_threshold'
              | 'max_latency_ms',
              number
            >
          | undefined;
        out.push({
          bucket: b.name,
          ruleId: r.id,
          destination: r.destination.bucket,
          replicationTime: r.destination.replicationTime?.status === 'Enabled',
          thresholdMinutes: thresholdMinutes(r),
          thresholdMs,
          pendingOperations: p.ops,
          pendingBytes: p.bytes,
          pendingOverThreshold: p.late,
          completedOperations: c?.completed_ops ?? 0,
          completedBytes: c?.completed_bytes ?? 0,
          failedOperations: c?.failed_ops ?? 0,
          operationsMissedThreshold: c?.missed_threshold ?? 0,
          maxLatencyMs: c?.max_latency_ms ?? 0,
        });
      }
    }
    return out;
  }
}
