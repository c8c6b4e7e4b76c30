// Small steps of a version check on the rows it is given (version-check.ts): new destination
// rows, rescheduling, the RTC flag of late copies, and the latency of a copy.
import type { TrackedDestination, TrackedFile } from './replica-store.js';
import type { ReplicaDestination } from './tracker-config.js';

/** Followed this long after the source's Last-Modified: not from the upload (clock skew aside). */
const FOLLOWED_LATE_MS = 2 * 60_000;

/** The file and its pending destinations are checked again at `at`. */
export function reschedule(f: TrackedFile, dests: TrackedDestination[], at: number): void {
  f.nextCheckAt = at;
  for (const d of dests) if (d.state === 'pending') d.nextCheckAt = at;
}

/** Pending copies of rules with RTC past the window are breaches already. */
export function markLate(
  f: TrackedFile,
  dests: TrackedDestination[],
  now: number,
  window: number,
): void {
  if (now - f.uploadedAt <= window) return;
  for (const d of dests) if (d.state === 'pending' && d.rtc === true) d.rtcBreached = true;
}

export function dedupe(found: ReplicaDestination[]): ReplicaDestination[] {
  const byBucket = new Map<string, ReplicaDestination>();
  for (const d of found) if (!byBucket.has(d.bucket)) byBucket.set(d.bucket, d);
  return [...byBucket.values()];
}

export function newDestination(f: TrackedFile, d: ReplicaDestination): TrackedDestination {
  return {
    folderId: f.folderId,
    relPath: f.relPath,
    versionId: f.versionId,
    bucket: d.bucket,
    region: d.region,
    ruleId: d.ruleId ?? null,
    rtc: d.rtc === true,
    latencyFrom: null,
    state: 'pending',
    latencyMs: null,
    rtcBreached: false,
    reason: null,
    uploadedAt: f.uploadedAt,
    nextCheckAt: null,
    attempts: 0,
    failures: 0,
  };
}

/**
 * How long a copy took: from the service's clocks when they tell (a replica stamped when it
 * was written, later than the source's Last-Modified, as some services do), else from the
 * check that first saw it (at most this long). A version written well before it was followed
 * (pulled, or found at start) has no latency unless the service stamped it.
 */
export function copyLatency(
  f: TrackedFile,
  replicaModified: Date | undefined,
  measuredAt: number,
): { latency: number | null; stamped: boolean } {
  const copiedAt = replicaModified?.getTime();
  const from = f.sourceModifiedAt ?? null;
  if (copiedAt !== undefined && from !== null && copiedAt > from)
    return { latency: copiedAt - from, stamped: true };
  if (from !== null && f.uploadedAt - from > FOLLOWED_LATE_MS)
    return { latency: null, stamped: false };
  return { latency: Math.max(0, measuredAt - f.uploadedAt), stamped: false };
}
