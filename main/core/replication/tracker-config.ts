// Settings and plain types of the replica status tracker (status-tracker.ts): where the rules
// send a key, the polling schedule (backoff with a cap and jitter), the injectable timers.
import type { S3Client } from '@aws-sdk/client-s3';
import type { FileReplication, RtcBreach } from '../../contract/index.js';
import type { IndexDb } from '../index/index-db.js';
import type { RequestStats } from './request-meter.js';

/** Where the rules send a key of a source bucket. */
export interface ReplicaDestination {
  bucket: string;
  region: string;
  /** The rule that decides (for the per-rule statistics). */
  ruleId?: string;
  /** The rule replicates delete markers. */
  deletesFollow?: boolean;
  /** The rule has Replication Time Control: a copy later than 15 minutes is a breach. */
  rtc?: boolean;
}

/**
 * Other endpoints of the folder's bucket (multisite zones): destinations that the service
 * syncs itself, without x-amz-replication-status; named `bucket@label`.
 */
export type PeersFor = (folderId: string) => ReplicaDestination[];

/** The S3 name of a destination: a peer is `name@label` (S3 names never hold '@'). */
export function s3BucketOf(destination: string): string {
  const at = destination.indexOf('@');
  return at < 0 ? destination : destination.slice(0, at);
}

export type DestinationsFor = (
  bucket: string,
  key: string,
  source: { folderId: string; region: string },
) => Promise<ReplicaDestination[]>;

export interface TrackerTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface TrackerTuning {
  /** First check after the upload, and the first backoff step. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** ± this fraction of random spread on each wait, so a burst of uploads does not poll in step. */
  jitter: number;
  /** Files checked per tick at most. */
  batchSize: number;
  /** Files checked at the same time. */
  concurrency: number;
  /** Pause between the end of a tick and the next: at most one batch in any such window. */
  minTickMs: number;
  /** Replication Time Control: 15 minutes. */
  rtcWindowMs: number;
  /** Permanent errors (not an outage) in a row before a check gives up. */
  maxFailures: number;
  /**
   * The slow cadence: a file whose status cannot be learnt (the rules cannot be read) or that
   * stays PENDING past the RTC window is checked this often.
   */
  slowDelayMs: number;
}

export const DEFAULT_TRACKER_TUNING: TrackerTuning = {
  initialDelayMs: 1000,
  maxDelayMs: 60_000,
  jitter: 0.1,
  batchSize: 100,
  concurrency: 16,
  minTickMs: 1000,
  rtcWindowMs: 15 * 60_000,
  maxFailures: 3,
  slowDelayMs: 60 * 60_000,
};

/** The wait after `attempts` checks: initial × 2^attempts, capped, with ± jitter. */
export function backoffDelay(
  attempts: number,
  t: Pick<TrackerTuning, 'initialDelayMs' | 'maxDelayMs' | 'jitter'>,
  random: () => number = Math.random,
): number {
  const base = Math.min(t.maxDelayMs, t.initialDelayMs * 2 ** Math.min(attempts, 30));
  const spread = base * t.jitter * (2 * random() - 1);
  return Math.round(Math.max(t.initialDelayMs, Math.min(t.maxDelayMs, base + spread)));
}

export interface TrackInput {
  folderId: string;
  relPath: string;
  bucket: string;
  region: string;
  key: string;
  versionId: string;
  /** rs-sha256 of the content uploaded. */
  sha256?: string | null;
  uploadedAt?: number;
}

export interface RewriteEvent {
  folderId: string;
  relPath: string;
  previousVersionId: string;
  versionId: string;
  etag: string | null;
}

export interface ReplicaTrackerOptions {
  db: IndexDb;
  /** The S3 client of the folder's account in a region (a peer destination: the peer's). */
  clientFor: (region: string, folderId: string, destination?: string) => S3Client;
  destinationsFor: DestinationsFor;
  peersFor?: PeersFor;
  onChange: (rows: FileReplication[]) => void;
  /** retry() wrote the version again: the index row of the file moves on to the new version. */
  onRewrite?: (e: RewriteEvent) => void;
  /** A copy missed the window of a rule with RTC (once per copy). */
  onRtcBreach?: (e: RtcBreach) => void;
  now?: () => number;
  timers?: TrackerTimers;
  random?: () => number;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  tuning?: Partial<TrackerTuning>;
}

export interface TrackerStats extends RequestStats {
  /** Files that settled while this tracker ran. */
  settledFiles: number;
  requestsPerSettledFile: number | null;
}
