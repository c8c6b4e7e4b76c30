// The canary verdict of every bucket, remembered (in memory) and shown with the bucket; one
// canary per bucket at a time: a save and an on-demand check share the same run.
import type { S3Client } from '@aws-sdk/client-s3';
import type { ReplicationRuleModel, ReplicationVerdict } from '../../contract/replication.js';
import { canaryKey, runCanary, type CanaryTuning } from './canary.js';
import type { BucketRef } from './rules.js';
import { simulate } from './simulator.js';

export interface CanaryTarget {
  accountId: string;
  source: BucketRef;
  /** The stored rules, destination regions looked up. */
  rules: ReplicationRuleModel[];
  /** The folder's prefix when a folder syncs to this bucket, else ''. */
  prefix: string;
  /** The folder's own account client (or the account's, without a folder). */
  clientFor(region: string): S3Client;
}

export class CanaryRuns {
  private readonly verdicts = new Map<string, ReplicationVerdict>();
  private readonly running = new Map<string, Promise<ReplicationVerdict>>();
  private readonly abort = new AbortController();

  constructor(
    private readonly o: {
      device: string;
      tuning?: Partial<CanaryTuning> | undefined;
      log: (level: 'info' | 'warn' | 'error', message: string) => void;
    },
  ) {}

  /** The last verdict of a bucket (or 'checking' while a canary runs). */
  get(accountId: string, bucket: string): ReplicationVerdict | null {
    return this.verdicts.get(`${accountId}\u0000${bucket}`) ?? null;
  }

  forget(accountId: string, bucket: string): void {
    this.verdicts.delete(`${accountId}\u0000${bucket}`);
  }

  /** Runs a canary on the bucket (or joins the one running) and remembers the verdict. */
  run(t: CanaryTarget): Promise<ReplicationVerdict> {
    const id = `${t.accountId}\u0000${t.source.bucket}`;
    const running = this.running.get(id);
    if (running) return running;
    const p = this.follow(t).finally(() => this.running.delete(id));
    this.running.set(id, p);
    return p;
  }

  private async follow(t: CanaryTarget): Promise<ReplicationVerdict> {
    const id = `${t.accountId}\u0000${t.source.bucket}`;
    // The canary must be a key the rules replicate: a rule whose prefix covers the reserved
    // area, carrying that rule's tags.
    const key = canaryKey(t.prefix, this.o.device, Date.now());
    const rule = t.rules.find((r) => r.enabled && key.startsWith(r.filter.prefix));
    const tags = rule?.filter.tags ?? [];
    const destinations = simulate(t.rules, key, tags).matches.flatMap((m) =>
      m.region ? [{ bucket: m.bucket, region: m.region }] : [],
    );
    const at = new Date().toISOString();
    if (destinations.length === 0) {
      const v: ReplicationVerdict = {
        state: 'unchecked',
        at,
        message: `No enabled rule of ${t.source.bucket} sends ${t.prefix || 'the bucket root'}'s reserved area to a bucket this account can see, so replication cannot be checked here.`,
        destinations: [],
      };
      this.verdicts.set(id, v);
      return v;
    }
    this.verdicts.set(id, {
      state: 'checking',
      at,
      message: `Checking that ${t.source.bucket} replicates: a canary object is on its way.`,
      destinations: destinations.map((d) => ({ ...d, arrived: false, latencyMs: null })),
    });
    try {
      const v = await runCanary({
        clientFor: t.clientFor,
        source: t.source,
        prefix: t.prefix,
        device: this.o.device,
        destinations,
        tags,
        ...(this.o.tuning ? { tuning: this.o.tuning } : {}),
        signal: this.abort.signal,
      });
      this.verdicts.set(id, v);
      if (v.state !== 'replicating') this.o.log('warn', `${t.source.bucket}: ${v.message}`);
      return v;
    } catch (err) {
      this.verdicts.delete(id);
      throw err;
    }
  }

  /** Stops following the canaries in flight; each still cleans up after itself. */
  async dispose(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled([...this.running.values()]);
  }
}
