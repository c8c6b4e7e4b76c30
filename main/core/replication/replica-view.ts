// A file's replica status as the UI and the CLI see it, built from the stored rows (by the
// tracker while it runs, and by the CLI reading the index when the app is not running).
import { METADATA_MATCH_REASON } from '../../contract/index.js';
import type { DestinationStatus, FileReplication } from '../../contract/index.js';
import type { ReplicaStore, TrackedDestination } from './replica-store.js';
import { DEFAULT_TRACKER_TUNING, type TrackerTuning } from './tracker-config.js';

type ViewTuning = Pick<TrackerTuning, 'rtcWindowMs' | 'maxDelayMs'>;

export function destinationView(
  d: TrackedDestination,
  now: number,
  rtcWindowMs = DEFAULT_TRACKER_TUNING.rtcWindowMs,
): DestinationStatus {
  return {
    bucket: d.bucket,
    region: d.region,
    state: d.state,
    latencyMs: d.latencyMs,
    latencyFrom: d.latencyMs === null ? null : (d.latencyFrom ?? 'observed'),
    rtc: d.rtc === true,
    // Only a rule with RTC has a window to breach; still pending past it is a breach already.
    rtcBreached:
      d.rtc === true &&
      (d.rtcBreached || (d.state === 'pending' && now - d.uploadedAt > rtcWindowMs)),
    reason: d.reason,
    ...(d.state === 'verified'
      ? { checkedBy: 'bytes' as const }
      : d.reason === METADATA_MATCH_REASON
        ? { checkedBy: 'metadata' as const }
        : {}),
  };
}

export function fileReplicationView(
  store: ReplicaStore,
  folderId: string,
  relPath: string,
  now: number,
  tuning: ViewTuning = DEFAULT_TRACKER_TUNING,
): FileReplication {
  const f = store.file(folderId, relPath);
  return {
    folderId,
    relPath,
    versionId: f?.versionId ?? null,
    sourceStatus: f?.sourceStatus ?? 'UNKNOWN',
    destinations: f
      ? store
          .destinations(folderId, relPath)
          .map((d) => destinationView(d, now, tuning.rtcWindowMs))
      : [],
    problem: f?.error ?? null,
    // Checked less often than the backoff's longest step: the slow cadence.
    slow: f?.nextCheckAt != null && f.nextCheckAt - now > tuning.maxDelayMs * 1.5,
    replicaOf: f?.sourceStatus === 'REPLICA' ? (f.replicaOf ?? null) : null,
  };
}
