// A file's replica status as the UI and the CLI see it, built from the stored rows (by the
// tracker while it runs, and by the CLI reading the index when the app is not running).
import type { DestinationStatus, FileReplication } from '../../contract/index.js';
import type { ReplicaStore, TrackedDestination } from './replica-store.js';
import { DEFAULT_TRACKER_TUNING } from './tracker-config.js';

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
    // Still pending past the window is a breach already, before it settles.
    rtcBreached: d.rtcBreached || (d.state === 'pending' && now - d.uploadedAt > rtcWindowMs),
    reason: d.reason,
  };
}

export function fileReplicationView(
  store: ReplicaStore,
  folderId: string,
  relPath: string,
  now: number,
  rtcWindowMs = DEFAULT_TRACKER_TUNING.rtcWindowMs,
): FileReplication {
  const f = store.file(folderId, relPath);
  return {
    folderId,
    relPath,
    versionId: f?.versionId ?? null,
    sourceStatus: f?.sourceStatus ?? 'UNKNOWN',
    destinations: f
      ? store.destinations(folderId, relPath).map((d) => destinationView(d, now, rtcWindowMs))
      : [],
  };
}
