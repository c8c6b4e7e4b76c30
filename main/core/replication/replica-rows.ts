// The tracker's rows as stored (replica_files, replica_status) and as the tracker uses them,
// the mapping between the two, and the columns added after migration 2.
import type { FileReplication, ReplicaState } from '../../contract/index.js';
import type { IndexDb } from '../index/index-db.js';
import type { VersionChecksums } from './replica-checksums.js';

export type SourceStatus = FileReplication['sourceStatus'];
export type ReplicaOrigin = NonNullable<FileReplication['replicaOf']>;

export interface TrackedFile {
  folderId: string;
  relPath: string;
  bucket: string;
  region: string;
  key: string;
  versionId: string;
  /** rs-sha256 of the version (from the upload, or read from the source). */
  sha256: string | null;
  /** The source version's x-amz-checksum-* values, once read. */
  checksums: VersionChecksums | null;
  sourceStatus: SourceStatus;
  uploadedAt: number;
  /** When it is checked next; null once settled. */
  nextCheckAt: number | null;
  /** Source checks made. */
  attempts: number;
  /** Consecutive permanent errors (not a region outage). */
  failures: number;
  /** The last error met while checking, in plain words. */
  error: string | null;
  /** REPLICA: where the version came from. */
  replicaOf?: ReplicaOrigin | null;
  /** The source version's Last-Modified (the service's clock), once read. */
  sourceModifiedAt?: number | null;
}

export interface TrackedDestination {
  folderId: string;
  relPath: string;
  versionId: string;
  bucket: string;
  region: string;
  ruleId: string | null;
  state: ReplicaState;
  latencyMs: number | null;
  rtcBreached: boolean;
  reason: string | null;
  uploadedAt: number;
  nextCheckAt: number | null;
  attempts: number;
  failures: number;
  /** The rule has Replication Time Control (only then a late copy is a breach). */
  rtc?: boolean;
  latencyFrom?: 'service' | 'observed' | null;
}

export interface FileRow {
  folder_id: string;
  rel_path: string;
  bucket: string;
  region: string;
  key: string;
  version_id: string;
  sha256: string | null;
  checksums: string | null;
  source_status: SourceStatus;
  uploaded_at: number;
  next_check_at: number | null;
  attempts: number;
  failures: number;
  error: string | null;
  replica_of?: string | null;
  source_modified?: number | null;
}

export interface DestRow {
  folder_id: string;
  rel_path: string;
  version_id: string;
  dest_bucket: string;
  dest_region: string;
  rule_id: string | null;
  state: ReplicaState;
  latency_ms: number | null;
  rtc_breached: number;
  reason: string | null;
  uploaded_at: number;
  next_check_at: number | null;
  attempts: number;
  failures: number;
  rtc?: number | null;
  latency_from?: 'service' | 'observed' | null;
}

export const toFile = (r: FileRow): TrackedFile => ({
  folderId: r.folder_id,
  relPath: r.rel_path,
  bucket: r.bucket,
  region: r.region,
  key: r.key,
  versionId: r.version_id,
  sha256: r.sha256,
  checksums: r.checksums === null ? null : (JSON.parse(r.checksums) as VersionChecksums),
  // REPLICA is kept as NONE with its origin (the column's CHECK predates REPLICA).
  sourceStatus: r.replica_of ? 'REPLICA' : r.source_status,
  replicaOf: r.replica_of ? (JSON.parse(r.replica_of) as ReplicaOrigin) : null,
  sourceModifiedAt: r.source_modified ?? null,
  uploadedAt: r.uploaded_at,
  nextCheckAt: r.next_check_at,
  attempts: r.attempts,
  failures: r.failures,
  error: r.error,
});

export const toDest = (r: DestRow): TrackedDestination => ({
  folderId: r.folder_id,
  relPath: r.rel_path,
  versionId: r.version_id,
  bucket: r.dest_bucket,
  region: r.dest_region,
  ruleId: r.rule_id,
  state: r.state,
  latencyMs: r.latency_ms,
  rtcBreached: r.rtc_breached === 1,
  reason: r.reason,
  uploadedAt: r.uploaded_at,
  nextCheckAt: r.next_check_at,
  attempts: r.attempts,
  failures: r.failures,
  rtc: r.rtc === 1,
  latencyFrom: r.latency_from ?? null,
});

export const fileParams = (f: TrackedFile) => ({
  folderId: f.folderId,
  relPath: f.relPath,
  bucket: f.bucket,
  region: f.region,
  key: f.key,
  versionId: f.versionId,
  sha256: f.sha256,
  checksums: f.checksums === null ? null : JSON.stringify(f.checksums),
  sourceStatus: f.sourceStatus === 'REPLICA' ? 'NONE' : f.sourceStatus,
  replicaOf:
    f.sourceStatus === 'REPLICA'
      ? JSON.stringify(f.replicaOf ?? { bucket: null, region: f.region })
      : null,
  sourceModified: f.sourceModifiedAt ?? null,
  uploadedAt: f.uploadedAt,
  nextCheckAt: f.nextCheckAt,
  attempts: f.attempts,
  failures: f.failures,
  error: f.error,
});

export const destParams = (d: TrackedDestination) => ({
  folderId: d.folderId,
  relPath: d.relPath,
  versionId: d.versionId,
  bucket: d.bucket,
  region: d.region,
  ruleId: d.ruleId,
  state: d.state,
  latencyMs: d.latencyMs,
  rtcBreached: d.rtcBreached ? 1 : 0,
  reason: d.reason,
  uploadedAt: d.uploadedAt,
  nextCheckAt: d.nextCheckAt,
  attempts: d.attempts,
  failures: d.failures,
  rtc: d.rtc ? 1 : 0,
  latencyFrom: d.latencyFrom ?? null,
});

/**
 * Columns added after migration 2 (origin of a replica, the source's Last-Modified, the
 * rule's RTC, where a latency came from); added in place, once, when missing.
 */
export function addTrackerColumns(db: IndexDb): void {
  const add = (table: string, column: string, type: string): void => {
    const cols = db.prepare<[], { name: string }>(`PRAGMA table_info(${table})`).all();
    if (cols.length === 0 || cols.some((c) => c.name === column)) return;
    try {
      db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
    } catch {
      // A read-only index (the CLI): the rows read without the column.
    }
  };
  add('replica_files', 'replica_of', 'TEXT');
  add('replica_files', 'source_modified', 'INTEGER');
  add('replica_status', 'rtc', 'INTEGER NOT NULL DEFAULT 0');
  add('replica_status', 'latency_from', 'TEXT');
}
