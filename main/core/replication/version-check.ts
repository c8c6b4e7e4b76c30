// One check of one tracked version (the tracker runs many per tick): the source's
// x-amz-replication-status while it is unsettled, then each due destination by HEAD of the
// same version id with the checksum compared. It changes the rows it is given; the tracker
// saves them. Requests go through the region gates, so an outage costs no request per file.
import { HeadObjectCommand, type HeadObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { METADATA_MATCH_REASON } from '../../contract/index.js';
import {
  classifyS3Error,
  type S3ErrorContext,
  type S3OperationError,
} from '../transfer/s3-errors.js';
import type { RegionGates } from './region-gate.js';
import { diagnose, type Diagnosis } from './repair.js';
import { compareReplica, readChecksums, readSha256 } from './replica-checksums.js';
import type { TrackedDestination, TrackedFile } from './replica-store.js';
import { copyLatency, dedupe, markLate, newDestination, reschedule } from './tracked-rows.js';
import {
  backoffDelay,
  s3BucketOf,
  type DestinationsFor,
  type PeersFor,
  type ReplicaDestination,
  type TrackerTuning,
} from './tracker-config.js';

type Call<T> =
  | { kind: 'ok'; value: T }
  | { kind: 'error'; error: S3OperationError }
  | { kind: 'deferred'; until: number };

/** What one tick shares between its checks: a source HEAD or a diagnosis is made once. */
export interface TickShare {
  heads: Map<string, Promise<Call<HeadObjectCommandOutput>>>;
  diagnoses: Map<string, Promise<Diagnosis>>;
}

export const newTickShare = (): TickShare => ({ heads: new Map(), diagnoses: new Map() });

/** A latency measured for the histogram. */
export interface Measured {
  source: string;
  dest: string;
  ruleId: string;
  latencyMs: number;
  measuredAt: number;
}

export interface CheckDeps {
  /** The (counted) client of the folder's account in a region. */
  client: (region: string, folderId: string, destination?: string) => S3Client;
  destinationsFor: DestinationsFor;
  peersFor?: PeersFor;
  gates: RegionGates;
  tuning: TrackerTuning;
  now: () => number;
  random: () => number;
}

export class VersionCheck {
  constructor(private readonly deps: CheckDeps) {}

  /** The wait after `attempts` checks (1 s, 2 s, 4 s … capped). */
  wait(attempts: number): number {
    return backoffDelay(Math.max(0, attempts), this.deps.tuning, this.deps.random);
  }

  /**
   * Checks `f` and returns its destination rows (new ones when the rules were just read)
   * and the latencies measured; sets f.nextCheckAt to null when everything is settled.
   */
  async run(
    f: TrackedFile,
    dests: TrackedDestination[],
    share: TickShare,
  ): Promise<{ dests: TrackedDestination[]; measured: Measured[] }> {
    if (f.sourceStatus === 'UNKNOWN' || f.sourceStatus === 'PENDING') {
      const next = await this.checkSource(f, dests, share);
      if (next.done) return { dests: next.dests, measured: [] };
      dests = next.dests;
    }
    const t = this.deps.now();
    const due = dests.filter((d) => d.state === 'pending' && (d.nextCheckAt ?? t) <= t);
    const measured = await Promise.all(due.map((d) => this.checkDestination(f, d, share)));
    const open = dests.filter((d) => d.state === 'pending');
    markLate(f, open, t, this.deps.tuning.rtcWindowMs);
    f.nextCheckAt = open.length === 0 ? null : Math.min(...open.map((d) => d.nextCheckAt ?? t));
    if (f.nextCheckAt === null) for (const d of dests) d.nextCheckAt = null;
    return { dests, measured: measured.filter((m): m is Measured => m !== null) };
  }

  private async checkSource(
    f: TrackedFile,
    dests: TrackedDestination[],
    share: TickShare,
  ): Promise<{ done: boolean; dests: TrackedDestination[] }> {
    const id = `${f.region}\n${f.bucket}\n${f.key}\n${f.versionId}`;
    let pending = share.heads.get(id);
    if (!pending) {
      const client = this.deps.client(f.region, f.folderId);
      const ctx = { bucket: f.bucket, region: f.region, key: f.key, operation: 'check' };
      pending = this.call(f.region, ctx, () =>
        client.send(
          new HeadObjectCommand({
            Bucket: f.bucket,
            Key: f.key,
            VersionId: f.versionId,
            ChecksumMode: 'ENABLED',
          }),
        ),
      );
      share.heads.set(id, pending);
    }
    const head = await pending;
    if (head.kind === 'deferred') {
      reschedule(f, dests, head.until);
      return { done: true, dests };
    }
    if (head.kind === 'error') {
      this.sourceFailed(f, dests, head.error);
      return { done: true, dests };
    }
    f.attempts++;
    f.failures = 0;
    f.error = null;
    f.checksums = readChecksums(head.value);
    f.sha256 ??= readSha256(head.value);
    f.sourceModifiedAt = head.value.LastModified?.getTime() ?? f.sourceModifiedAt ?? null;
    const status = head.value.ReplicationStatus;
    if (status === 'REPLICA') {
      // A copy itself (two-way replication): S3 never replicates it again; nothing to follow.
      f.sourceStatus = 'REPLICA';
      f.replicaOf = await this.originOf(f);
      f.nextCheckAt = null;
      return { done: true, dests: [] };
    }
    const peers = this.deps.peersFor?.(f.folderId) ?? [];
    if (status !== 'PENDING' && status !== 'COMPLETED' && status !== 'FAILED') {
      f.sourceStatus = 'NONE';
      // No rule applies to this key: only the bucket's other endpoints (multisite) to follow.
      if (peers.length === 0) {
        f.nextCheckAt = null;
        return { done: true, dests: [] };
      }
      if (dests.length === 0) dests = dedupe(peers).map((d) => newDestination(f, d));
      const t = this.deps.now();
      for (const d of dests) if (d.state === 'pending') d.nextCheckAt ??= t;
      return { done: false, dests };
    }
    if (f.sourceStatus === 'UNKNOWN') {
      let found: ReplicaDestination[];
      try {
        found = await this.deps.destinationsFor(f.bucket, f.key, {
          folderId: f.folderId,
          region: f.region,
        });
      } catch (err) {
        // AccessDenied and the like do not pass by themselves: checked again at the slow
        // cadence, the reason shown; a busy or unreachable service is tried on the backoff.
        const e = classifyS3Error(err, {
          bucket: f.bucket,
          region: f.region,
          operation: 'read the replication rules of',
        });
        const why = err instanceof Error ? err.message : String(err);
        const transient = e.kind === 'transient' || e.kind === 'cancelled';
        f.error = `Cannot read the replication rules of bucket '${f.bucket}' (${f.region}), so where '${f.key}' is copied to is not known: ${why}${transient ? '' : ' (checked again hourly)'}`;
        const wait = transient ? this.wait(f.attempts) : this.deps.tuning.slowDelayMs;
        reschedule(f, dests, this.deps.now() + wait);
        return { done: true, dests };
      }
      dests = dedupe([...found, ...peers]).map((d) => newDestination(f, d));
    }
    f.sourceStatus = status;
    if (status === 'PENDING') {
      const t = this.deps.now();
      const { rtcWindowMs, slowDelayMs } = this.deps.tuning;
      if (t - f.uploadedAt > rtcWindowMs) {
        // Past the window and S3 still copies: flagged, and checked hourly from now on.
        f.error = `S3 still says PENDING for version ${f.versionId} of '${f.key}' in '${f.bucket}' after ${Math.round(rtcWindowMs / 60_000)} minutes: the copy is late (checked again hourly).`;
        markLate(f, dests, t, rtcWindowMs);
        reschedule(f, dests, t + slowDelayMs);
      } else reschedule(f, dests, t + this.wait(f.attempts));
      return { done: true, dests };
    }
    // COMPLETED or FAILED: S3 is done with this version; every destination is checked now.
    const t = this.deps.now();
    for (const d of dests) if (d.state === 'pending') d.nextCheckAt = t;
    return { done: false, dests };
  }

  private sourceFailed(f: TrackedFile, dests: TrackedDestination[], e: S3OperationError): void {
    f.error = e.message;
    if (e.kind === 'transient' || e.kind === 'cancelled') {
      f.attempts++;
      reschedule(f, dests, this.deps.now() + this.wait(f.attempts));
      return;
    }
    const gone = e.status === 404 || e.status === 405;
    f.failures++;
    if (!gone && f.failures < this.deps.tuning.maxFailures) {
      reschedule(f, dests, this.deps.now() + this.wait(f.failures));
      return;
    }
    // The version was deleted (by version id) before it settled, or checks keep failing.
    const reason = gone
      ? `Version ${f.versionId} of '${f.key}' is no longer in bucket '${f.bucket}': it was deleted before its replicas were checked.`
      : `Could not check the replication of '${f.key}' in bucket '${f.bucket}': ${e.message}`;
    f.nextCheckAt = null;
    for (const d of dests) {
      if (d.state !== 'pending') continue;
      d.state = gone ? 'missing' : 'failed';
      d.reason = reason;
      d.nextCheckAt = null;
    }
  }

  /** HEADs one destination by version id; returns the latency measured, if any. */
  private async checkDestination(
    f: TrackedFile,
    d: TrackedDestination,
    share: TickShare,
  ): Promise<Measured | null> {
    const { now, tuning } = this.deps;
    const client = this.deps.client(d.region, f.folderId, d.bucket);
    const ctx = { bucket: d.bucket, region: d.region, key: f.key, operation: 'check the copy of' };
    const head = await this.call(d.region, ctx, () =>
      client.send(
        new HeadObjectCommand({
          Bucket: s3BucketOf(d.bucket),
          Key: f.key,
          VersionId: f.versionId,
          ChecksumMode: 'ENABLED',
        }),
      ),
    );
    if (head.kind === 'deferred') {
      d.nextCheckAt = head.until;
      return null;
    }
    d.attempts++;
    if (head.kind === 'ok') {
      const verdict = compareReplica(
        { checksums: f.checksums ?? {}, sha256: f.sha256 },
        head.value,
      );
      const measuredAt = now();
      const { latency, stamped } = copyLatency(f, head.value.LastModified, measuredAt);
      d.nextCheckAt = null;
      d.failures = 0;
      if (verdict.kind === 'mismatch') {
        d.state = 'failed';
        d.reason = `The copy in '${d.bucket}' (${d.region}) has other content than the source (${verdict.by} ${verdict.actual}, expected ${verdict.expected}): retry writes the version again.`;
        return null;
      }
      // Verified only on a checksum the replica's service computed from its bytes; the
      // rs-sha256 metadata alone may just have been copied with the version.
      const byBytes = verdict.kind === 'match' && verdict.by !== 'rs-sha256';
      d.state = byBytes ? 'verified' : 'replicated';
      d.reason = byBytes
        ? null
        : verdict.kind === 'match'
          ? METADATA_MATCH_REASON
          : 'The copy is there with the same version id, but neither side has a checksum to compare.';
      d.latencyMs = latency;
      d.latencyFrom = latency === null ? null : stamped ? 'service' : 'observed';
      d.rtcBreached = d.rtc === true && latency !== null && latency > tuning.rtcWindowMs;
      if (latency === null) return null;
      return {
        source: f.bucket,
        dest: d.bucket,
        ruleId: d.ruleId ?? '',
        latencyMs: latency,
        measuredAt,
      };
    }
    const e = head.error;
    if (e.kind === 'transient' || e.kind === 'cancelled') {
      // Region down or busy: still pending, checked again later.
      d.nextCheckAt = now() + this.wait(d.attempts);
      f.error = e.message;
      return null;
    }
    if ((e.status === 404 || e.status === 405) && f.sourceStatus === 'NONE') {
      // Another endpoint of the bucket (multisite): it syncs without telling; not there yet
      // is pending until the RTC window has passed, then missing.
      d.attempts++;
      if (now() - f.uploadedAt <= tuning.rtcWindowMs) {
        d.nextCheckAt = now() + this.wait(d.attempts);
        return null;
      }
      d.state = 'missing';
      d.nextCheckAt = null;
      d.reason = `Version ${f.versionId} has not reached the other endpoint '${d.bucket}' (${d.region}) in ${Math.round(tuning.rtcWindowMs / 60_000)} minutes: check that the service syncs between them.`;
      return null;
    }
    if (e.status === 404 || e.status === 405) {
      const diag = await this.diagnoseOnce(f.folderId, d, share);
      d.nextCheckAt = null;
      d.rtcBreached = d.rtc === true && now() - f.uploadedAt > tuning.rtcWindowMs;
      if (f.sourceStatus === 'FAILED') {
        d.state = 'failed';
        d.reason =
          diag.cause === 'unknown'
            ? `S3 could not copy this version to '${d.bucket}' (${d.region}). ${diag.message}`
            : diag.message;
      } else {
        d.state = 'missing';
        d.reason =
          diag.cause === 'destination-missing'
            ? diag.message
            : `S3 reports the copy as done, but version ${f.versionId} is not in '${d.bucket}' (${d.region}): it was deleted there, or the rule now sends this key elsewhere. Retry writes the version again.`;
      }
      return null;
    }
    d.failures++;
    if (d.failures >= tuning.maxFailures) {
      d.state = 'failed';
      d.reason = `Could not check the copy in '${d.bucket}' (${d.region}): ${e.message}`;
      d.nextCheckAt = null;
    } else {
      d.nextCheckAt = now() + this.wait(d.failures);
    }
    return null;
  }

  /**
   * Where a replica came from: of the buckets this one's rules pair it with (two-way: the rule
   * in the other direction), the one holding the same version as a source (not REPLICA).
   * Unknown: the bucket's own region.
   */
  private async originOf(f: TrackedFile): Promise<{ bucket: string | null; region: string }> {
    let found: ReplicaDestination[];
    try {
      found = await this.deps.destinationsFor(f.bucket, f.key, {
        folderId: f.folderId,
        region: f.region,
      });
    } catch {
      return { bucket: null, region: f.region };
    }
    const others = dedupe(found.filter((d) => s3BucketOf(d.bucket) !== f.bucket));
    if (others.length === 1 && others[0])
      return { bucket: others[0].bucket, region: others[0].region };
    for (const d of others) {
      const client = this.deps.client(d.region, f.folderId, d.bucket);
      const ctx = {
        bucket: d.bucket,
        region: d.region,
        key: f.key,
        operation: 'check the copy of',
      };
      const head = await this.call(d.region, ctx, () =>
        client.send(
          new HeadObjectCommand({
            Bucket: s3BucketOf(d.bucket),
            Key: f.key,
            VersionId: f.versionId,
          }),
        ),
      );
      if (head.kind === 'ok' && head.value.ReplicationStatus !== 'REPLICA')
        return { bucket: d.bucket, region: d.region };
    }
    return { bucket: null, region: f.region };
  }

  private diagnoseOnce(
    folderId: string,
    d: TrackedDestination,
    share: TickShare,
  ): Promise<Diagnosis> {
    const id = `${d.region}\n${d.bucket}`;
    let p = share.diagnoses.get(id);
    if (!p) {
      p = diagnose((r) => this.deps.client(r, folderId), d);
      share.diagnoses.set(id, p);
    }
    return p;
  }

  /** One request to a region, through its gate. */
  private async call<T>(
    region: string,
    ctx: S3ErrorContext,
    fn: () => Promise<T>,
  ): Promise<Call<T>> {
    const { gates } = this.deps;
    const a = await gates.admit(region);
    if (!a.go) return { kind: 'deferred', until: a.until };
    try {
      const value = await fn();
      gates.opened(region);
      return { kind: 'ok', value };
    } catch (err) {
      const error = classifyS3Error(err, ctx);
      if (error.kind === 'transient') gates.failed(region, a.probe);
      else gates.opened(region);
      return { kind: 'error', error };
    }
  }
}
