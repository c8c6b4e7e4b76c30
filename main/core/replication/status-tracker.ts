// Follows every uploaded version until its replicas are settled (DESIGN.md section 4 step 4):
// the source's x-amz-replication-status first (PENDING → COMPLETED / FAILED, or none when no
// rule applies), then each destination: HEAD by the same version id, checksum compared.
// One timer for all files; each tick checks the due files in a batch; each file backs off
// 1 s, 2 s, 4 s … 60 s while it is pending and is never polled again once settled; a region
// that does not answer keeps its files pending (region-gate.ts), never failed.
import { fileReplicationView } from './replica-view.js';
import type { S3Client } from '@aws-sdk/client-s3';
import type { FileReplication } from '../../contract/index.js';
import { limitConcurrency } from '../watch/scanner.js';
import { RegionGates } from './region-gate.js';
import { retryTracked } from './tracker-retry.js';
import { ReplicaStore, type TrackedDestination, type TrackedFile } from './replica-store.js';
import { RequestMeter } from './request-meter.js';
import {
  DEFAULT_TRACKER_TUNING,
  type ReplicaTrackerOptions,
  type TrackerStats,
  type TrackerTimers,
  type TrackerTuning,
  type TrackInput,
} from './tracker-config.js';
import { ruleStatsFor } from './tracker-stats.js';
import { newTickShare, VersionCheck, type Measured } from './version-check.js';

export type { TrackedDestination, TrackedFile } from './replica-store.js';
export {
  backoffDelay,
  DEFAULT_TRACKER_TUNING,
  type DestinationsFor,
  type ReplicaDestination,
  type ReplicaTrackerOptions,
  type RewriteEvent,
  type TrackerStats,
  type TrackerTimers,
  type TrackerTuning,
  type TrackInput,
} from './tracker-config.js';

const FINAL_SOURCE = new Set(['COMPLETED', 'FAILED', 'NONE']);

export class ReplicaTracker {
  private readonly store: ReplicaStore;
  private readonly tuning: TrackerTuning;
  private readonly now: () => number;
  private readonly timers: TrackerTimers;
  private readonly checker: VersionCheck;
  private readonly meter = new RequestMeter();
  private readonly gates: RegionGates;
  private readonly dirty = new Set<string>();
  private timer: unknown = null;
  private timerAt = Infinity;
  private running: Promise<void> | null = null;
  private lastTickEnd = -Infinity;
  private started = false;
  private disposed = false;
  private flushQueued = false;
  private settled = 0;

  constructor(private readonly opts: ReplicaTrackerOptions) {
    this.store = new ReplicaStore(opts.db);
    this.tuning = { ...DEFAULT_TRACKER_TUNING, ...opts.tuning };
    this.now = opts.now ?? Date.now;
    this.timers = opts.timers ?? {
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
    };
    this.gates = new RegionGates({
      initialDelayMs: this.tuning.initialDelayMs,
      maxDelayMs: this.tuning.maxDelayMs,
      now: this.now,
    });
    this.checker = new VersionCheck({
      client: (region, folderId, destination) => this.client(region, folderId, destination),
      destinationsFor: opts.destinationsFor,
      ...(opts.peersFor ? { peersFor: opts.peersFor } : {}),
      gates: this.gates,
      tuning: this.tuning,
      now: this.now,
      random: opts.random ?? Math.random,
    });
  }

  /** Starts the timer; files left unsettled by an earlier run are picked up. */
  start(): void {
    if (this.disposed) return;
    this.started = true;
    this.schedule();
  }

  /** Stops the timer and waits for a running check. The index stays open (it is the engine's). */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.clearTimer();
    this.gates.clear();
    await this.running;
  }

  /** Follows a version just uploaded (after the upload is recorded as synced). Never throws. */
  track(input: TrackInput): void {
    if (this.disposed) return;
    const uploadedAt = input.uploadedAt ?? this.now();
    const file: TrackedFile = {
      folderId: input.folderId,
      relPath: input.relPath,
      bucket: input.bucket,
      region: input.region,
      key: input.key,
      versionId: input.versionId,
      sha256: input.sha256?.toLowerCase() ?? null,
      checksums: null,
      sourceStatus: 'UNKNOWN',
      uploadedAt,
      nextCheckAt: Math.max(uploadedAt, this.now()) + this.checker.wait(0),
      attempts: 0,
      failures: 0,
      error: null,
    };
    try {
      this.store.replace(file);
    } catch (err) {
      this.opts.log?.(
        'error',
        `Cannot follow the replicas of ${input.relPath}: ${err instanceof Error ? err.message : String(err)}`,
      );
      return;
    }
    this.changed(file);
    this.schedule();
  }

  /** Stops following a file (removed from the folder). */
  forget(folderId: string, relPath: string): void {
    if (this.store.remove(folderId, relPath)) this.changed({ folderId, relPath });
  }

  status(folderId: string, relPath: string): FileReplication {
    return fileReplicationView(this.store, folderId, relPath, this.now(), this.tuning);
  }

  /** The stored rows of a file, with check times and errors (for diagnostics). */
  record(
    folderId: string,
    relPath: string,
  ): { file: TrackedFile; destinations: TrackedDestination[] } | undefined {
    const file = this.store.file(folderId, relPath);
    return file && { file, destinations: this.store.destinations(folderId, relPath) };
  }

  /** Destinations per replica state, for a folder or all. */
  counts(folderId?: string) {
    return this.store.countsByState(folderId);
  }

  /** Per destination and rule of a source bucket: counts and measured latencies. */
  ruleStats(sourceBucket: string, latencyLimit = 1000) {
    return ruleStatsFor(this.store, sourceBucket, latencyLimit);
  }

  stats(): TrackerStats {
    const s = this.meter.stats();
    return {
      ...s,
      settledFiles: this.settled,
      requestsPerSettledFile: this.settled === 0 ? null : s.requests / this.settled,
    };
  }

  resetStats(): void {
    this.meter.reset();
    this.settled = 0;
  }

  /** Resolves when no check is running (tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /**
   * FAILED or missing replicas: checks that the cause is gone (diagnose), then writes the
   * version again in place (repair.ts) and follows the new version.
   */
  async retry(
    folderId: string,
    relPath: string,
    options: { device?: string } = {},
  ): Promise<FileReplication> {
    await retryTracked(
      {
        store: this.store,
        client: (r) => this.client(r, folderId),
        track: (input) => this.track(input),
        now: this.now,
        ...(this.opts.onRewrite ? { onRewrite: this.opts.onRewrite } : {}),
        ...(this.opts.log ? { log: this.opts.log } : {}),
      },
      folderId,
      relPath,
      options,
    );
    return this.status(folderId, relPath);
  }

  /** Checks the files that are due now (the timer calls it; tests may too). */
  runOnce(): Promise<void> {
    if (this.running) return this.running;
    const run = this.tick()
      .catch((err: unknown) => {
        // The index failed (e.g. closed under a tick): reported, the timer goes on.
        this.opts.log?.(
          'error',
          `Replica checks failed: ${err instanceof Error ? err.message : String(err)}`,
        );
      })
      .finally(() => {
        this.running = null;
        this.lastTickEnd = this.now();
        this.schedule();
      });
    this.running = run;
    return run;
  }

  private async tick(): Promise<void> {
    const due = this.store.due(this.now(), this.tuning.batchSize);
    const share = newTickShare();
    const limit = limitConcurrency(this.tuning.concurrency);
    const pairs = new Map<string, Measured>();
    await Promise.all(
      due.map((f) =>
        limit(async () => {
          try {
            const dests = this.store.destinations(f.folderId, f.relPath);
            const before = stateKey(f, dests);
            const errorBefore = f.error;
            const breachedBefore = new Set(dests.filter((d) => d.rtcBreached).map((d) => d.bucket));
            const out = await this.checker.run(f, dests, share);
            if (this.save(f, out.dests, before, out.measured)) {
              for (const m of out.measured) pairs.set(`${m.source}\n${m.dest}\n${m.ruleId}`, m);
              // A reason is logged when it first appears, not on every check.
              // (Those that slow the checks down; an outage is the region gate's to report.)
              if (f.error !== null && f.error !== errorBefore && this.isSlow(f))
                this.opts.log?.('warn', f.error);
              for (const d of out.dests)
                if (d.rtcBreached && !breachedBefore.has(d.bucket)) this.breached(f, d);
            }
          } catch (err) {
            // A bug or a database error: the file is tried again later, the loop goes on.
            f.error = err instanceof Error ? err.message : String(err);
            f.nextCheckAt = this.now() + this.tuning.maxDelayMs;
            this.opts.log?.('error', `Replica check of ${f.relPath} failed: ${f.error}`);
            this.trySave(f);
          }
        }),
      ),
    );
    for (const m of pairs.values()) this.store.pruneLatencies(m.source, m.dest, m.ruleId);
    this.flush();
  }

  /** Checked at the slow cadence (past the backoff's longest step). */
  private isSlow(f: TrackedFile): boolean {
    return f.nextCheckAt !== null && f.nextCheckAt - this.now() > this.tuning.maxDelayMs * 1.5;
  }

  private breached(f: TrackedFile, d: TrackedDestination): void {
    try {
      this.opts.onRtcBreach?.({
        folderId: f.folderId,
        relPath: f.relPath,
        versionId: f.versionId,
        bucket: d.bucket,
        region: d.region,
        ruleId: d.ruleId,
        latencyMs: d.state === 'pending' ? null : d.latencyMs,
      });
    } catch (err) {
      this.opts.log?.('error', `RTC breach listener failed: ${String(err)}`);
    }
  }

  /**
   * Forgets the files whose index row is gone (or deleted, or whose folder went), and follows
   * the synced rows whose version it does not follow yet (uploaded while it was not listening,
   * or pulled). `where` names a folder's bucket and region; files of unknown folders wait.
   */
  reconcile(where: (folderId: string) => { bucket: string; region: string } | undefined): {
    forgotten: number;
    adopted: number;
  } {
    if (this.disposed) return { forgotten: 0, adopted: 0 };
    const gone = this.store.sweep();
    for (const g of gone) this.changed(g);
    let adopted = 0;
    for (const r of this.store.untracked(10_000)) {
      const place = where(r.folderId);
      if (!place) continue;
      // Synced just now (as the engine started): from then; long ago: from now, so an old
      // version is not measured as a late copy.
      const now = this.now();
      const recent = r.updatedAt >= now - this.tuning.rtcWindowMs / 8;
      this.track({ ...r, ...place, uploadedAt: recent ? Math.min(r.updatedAt, now) : now });
      adopted++;
    }
    return { forgotten: gone.length, adopted };
  }

  private client(region: string, folderId: string, destination?: string): S3Client {
    return this.meter.wrap(this.opts.clientFor(region, folderId, destination));
  }

  /** Stores a check's result; false when a newer upload replaced the file meanwhile. */
  private save(
    f: TrackedFile,
    dests: TrackedDestination[],
    before: string,
    measured: readonly Measured[],
  ): boolean {
    // Settled: the source is final and no destination is pending.
    if (
      f.nextCheckAt !== null &&
      FINAL_SOURCE.has(f.sourceStatus) &&
      dests.every((d) => d.state !== 'pending')
    )
      f.nextCheckAt = null;
    if (f.nextCheckAt === null) for (const d of dests) d.nextCheckAt = null;
    // A newer upload replaced the row while this check ran: its result is dropped.
    const current = this.store.file(f.folderId, f.relPath);
    if (!current || current.versionId !== f.versionId) return false;
    this.store.save(f, dests);
    for (const m of measured) this.store.addLatency(m);
    if (f.nextCheckAt === null && !before.startsWith('settled')) this.settled++;
    if (stateKey(f, dests) !== before) this.changed(f);
    return true;
  }

  private trySave(f: TrackedFile): void {
    try {
      const current = this.store.file(f.folderId, f.relPath);
      if (current && current.versionId === f.versionId) this.store.save(f);
    } catch {
      // The index itself fails: the engine reports that.
    }
  }

  private changed(f: { folderId: string; relPath: string }): void {
    this.dirty.add(JSON.stringify([f.folderId, f.relPath]));
    if (this.flushQueued || this.running) return;
    this.flushQueued = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.dirty.size === 0) return;
    const rows = [...this.dirty].map((k) => {
      const [folderId, relPath] = JSON.parse(k) as [string, string];
      return this.status(folderId, relPath);
    });
    this.dirty.clear();
    try {
      this.opts.onChange(rows);
    } catch (err) {
      this.opts.log?.('error', `Replica status listener failed: ${String(err)}`);
    }
  }

  /** One timer: at the earliest due check, and at least minTickMs after the last tick ended. */
  private schedule(): void {
    if (!this.started || this.disposed || this.running) return;
    let next: number | undefined;
    try {
      next = this.store.nextDue();
    } catch (err) {
      this.opts.log?.(
        'error',
        `Replica checks stopped: ${err instanceof Error ? err.message : String(err)}`,
      );
      return;
    }
    if (next === undefined) {
      this.clearTimer();
      return;
    }
    const at = Math.max(next, this.lastTickEnd + this.tuning.minTickMs);
    if (this.timer !== null && this.timerAt <= at) return;
    this.clearTimer();
    this.timerAt = at;
    this.timer = this.timers.setTimeout(
      () => {
        this.timer = null;
        this.timerAt = Infinity;
        void this.runOnce();
      },
      Math.max(0, at - this.now()),
    );
  }

  private clearTimer(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
  }
}

/** What the UI sees of a file, to tell whether a check changed anything. */
function stateKey(f: TrackedFile, dests: TrackedDestination[]): string {
  const settled = f.nextCheckAt === null ? 'settled' : 'open';
  return `${settled}|${f.sourceStatus}|${f.error ?? ''}|${dests.map((d) => `${d.bucket}:${d.state}:${d.rtcBreached}:${d.reason ?? ''}`).join(',')}`;
}
