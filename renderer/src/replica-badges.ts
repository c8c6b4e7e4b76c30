// How the replica state of a file reads: one badge per destination, its words, its colour
// family and its accessible name; latencies in words. Pure, so it runs under Node for the
// unit tests.
import type {
  DestinationStatus,
  FileReplication,
  ReplicaState,
} from '../../main/contract/replication.js';

export const REPLICA_STATE_LABELS: Record<ReplicaState, string> = {
  pending: 'Pending',
  replicated: 'Replicated',
  verified: 'Verified',
  failed: 'Failed',
  missing: 'Missing',
};

/** What each state means, for the badge's tooltip and the detail panel. */
export const REPLICA_STATE_HINTS: Record<ReplicaState, string> = {
  pending: 'S3 has not copied this version yet.',
  replicated: 'S3 says it copied this version; the copy is not checked yet.',
  verified: 'The copy has the same version id and checksum.',
  failed: 'S3 could not copy this version.',
  missing: 'The copy is not where it should be.',
};

/** Colour family of a state; the word carries the meaning, colour only helps. */
export const REPLICA_STATE_TONES: Record<ReplicaState, string> = {
  pending: 'pending',
  replicated: 'uploading',
  verified: 'synced',
  failed: 'error',
  missing: 'error',
};

export interface ReplicaBadge {
  /** Stable key: destination bucket and region. */
  key: string;
  region: string;
  bucket: string;
  state: ReplicaState;
  label: string;
  tone: string;
  /** "eu-west-1: Verified". */
  name: string;
  /** The tooltip: what the state means, the latency, the RTC breach, the failure. */
  detail: string;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** 850 ms, 1.2 s, 14 s, 3 min 5 s, 2 h 4 min; a dash when not measured. */
export function formatLatency(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < SECOND) return `${Math.round(ms)} ms`;
  if (ms < 10 * SECOND) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  if (ms < MINUTE) return `${Math.floor(ms / SECOND)} s`;
  if (ms < HOUR) {
    const minutes = Math.floor(ms / MINUTE);
    const seconds = Math.floor((ms % MINUTE) / SECOND);
    return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`;
  }
  const hours = Math.floor(ms / HOUR);
  const minutes = Math.floor((ms % HOUR) / MINUTE);
  return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
}

function badgeDetail(d: DestinationStatus): string {
  const parts = [`${d.bucket} (${d.region}): ${REPLICA_STATE_HINTS[d.state]}`];
  if (d.latencyMs !== null) parts.push(`${latencyWords(d)}.`);
  if (d.rtcBreached) parts.push('Past the 15-minute Replication Time Control window.');
  if (d.reason) parts.push(d.reason);
  return parts.join(' ');
}

export function replicaBadge(d: DestinationStatus): ReplicaBadge {
  // Weaker than Verified, and said so: only the metadata was compared.
  const label = d.checkedBy === 'metadata' ? 'Metadata matches' : REPLICA_STATE_LABELS[d.state];
  return {
    key: `${d.bucket}\u0000${d.region}`,
    region: d.region,
    bucket: d.bucket,
    state: d.state,
    label,
    tone: REPLICA_STATE_TONES[d.state],
    name: `${d.region}: ${label}`,
    detail: badgeDetail(d),
  };
}

/** One badge per destination, in region order so the columns line up from row to row. */
export function replicaBadges(status: FileReplication | undefined): ReplicaBadge[] {
  if (!status) return [];
  return [...status.destinations]
    .sort((a, b) => a.region.localeCompare(b.region) || a.bucket.localeCompare(b.bucket))
    .map(replicaBadge);
}

/** The words beside the badges when there are none to show. */
export function replicaSummary(status: FileReplication | undefined): string {
  if (!status) return '';
  if (status.destinations.length > 0) return '';
  switch (status.sourceStatus) {
    case 'NONE':
      return 'No rule';
    case 'UNKNOWN':
      return 'Unknown';
    case 'PENDING':
      return 'Pending';
    case 'FAILED':
      return 'Failed';
    case 'COMPLETED':
      return 'Replicated';
    case 'REPLICA':
      return replicaOfLabel(status);
  }
}

/** "Replica of eu-west-1 (docs-eu)", or "Replica (us-east-1)" when the origin is not known. */
export function replicaOfLabel(status: FileReplication): string {
  const o = status.replicaOf;
  if (!o) return 'Replica';
  return o.bucket === null ? `Replica (${o.region})` : `Replica of ${o.region} (${o.bucket})`;
}

/** "Replicated in 1.2 s" (the service's clocks) or "Replicated in at most 3 s" (as checked). */
export function latencyWords(d: DestinationStatus): string {
  if (d.latencyMs === null) return 'Latency not measured';
  const t = formatLatency(d.latencyMs);
  return d.latencyFrom === 'observed' ? `Replicated in at most ${t}` : `Replicated in ${t}`;
}

/** Why the state is not known or not moving (with its cadence); '' when nothing is wrong. */
export function replicaProblem(status: FileReplication | undefined): string {
  return status?.problem ?? '';
}

export const SOURCE_STATUS_LABELS: Record<FileReplication['sourceStatus'], string> = {
  PENDING: 'Pending (S3 is still copying)',
  COMPLETED: 'Completed (S3 copied it to every destination)',
  FAILED: 'Failed (S3 could not copy it to at least one destination)',
  NONE: 'No rule applies to this file',
  UNKNOWN: 'Not known yet',
  REPLICA: 'A replica (this version came in by replication; S3 does not copy it again)',
};

/** Whether "Retry replication" has something to retry. */
export function canRetry(status: FileReplication | undefined): boolean {
  if (!status) return false;
  return (
    status.sourceStatus === 'FAILED' ||
    status.destinations.some((d) => d.state === 'failed' || d.state === 'missing')
  );
}

/** Whether a state may still change by itself (so a cached answer ages). */
export function isSettling(status: FileReplication): boolean {
  if (status.sourceStatus === 'PENDING') return true;
  return status.destinations.some((d) => d.state === 'pending' || d.state === 'replicated');
}
