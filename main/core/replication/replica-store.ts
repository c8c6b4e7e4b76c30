// The tracker's rows in the index (migration 2 of core/index/index-db.ts): one tracked
// version per file with its source status (replica_files), its state per destination
// (replica_status), and the measured latencies kept for the histogram (replica_latency).
import type Database from 'better-sqlite3';
import type { ReplicaState } from '../../contract/index.js';
import type { IndexDb } from '../index/index-db.js';
import {
  addTrackerColumns,
  destParams,
  fileParams,
  toDest,
  toFile,
  type DestRow,
  type FileRow,
  type TrackedDestination,
  type TrackedFile,
} from './replica-rows.js';

export type {
  ReplicaOrigin,
  SourceStatus,
  TrackedDestination,
  TrackedFile,
} from './replica-rows.js';

type Params = Record<string, unknown>;

/** Keep this many latencies per (source, destination, rule) for the histogram. */
export const LATENCY_HISTORY = 1000;

export class ReplicaStore {
  private readonly getFileStmt: Database.Statement<[string, string], FileRow>;
  private putFile: Database.Statement<[Params]> | undefined;
  private readonly removeFileStmt: Database.Statement<[string, string]>;
  private readonly destsStmt: Database.Statement<[string, string], DestRow>;
  private putDest: Database.Statement<[Params]> | undefined;
  private readonly dueStmt: Database.Statement<[number, number], FileRow>;
  private readonly nextDueStmt: Database.Statement<[], { at: number | null }>;
  private readonly statsStmt: Database.Statement<
    [string],
    { dest_bucket: string; rule_id: string; state: ReplicaState; n: number }
  >;
  private readonly latencyPairsStmt: Database.Statement<
    [string],
    { dest_bucket: string; rule_id: string }
  >;
  private readonly latenciesStmt: Database.Statement<
    [string, string, string, number],
    { latency_ms: number }
  >;
  private readonly addLatencyStmt: Database.Statement<[Params]>;
  private readonly pruneLatencyStmt: Database.Statement<[Params]>;
  private readonly countsStmt: Database.Statement<[], { state: ReplicaState; n: number }>;
  private readonly countsFolderStmt: Database.Statement<
    [string],
    { state: ReplicaState; n: number }
  >;

  constructor(private readonly db: IndexDb) {
    addTrackerColumns(db);
    this.getFileStmt = db.prepare(
      'SELECT * FROM replica_files WHERE folder_id = ? AND rel_path = ?',
    );
    this.removeFileStmt = db.prepare(
      'DELETE FROM replica_files WHERE folder_id = ? AND rel_path = ?',
    );
    this.destsStmt = db.prepare(
      `SELECT * FROM replica_status WHERE folder_id = ? AND rel_path = ?
       ORDER BY dest_region, dest_bucket`,
    );
    this.dueStmt = db.prepare(
      `SELECT * FROM replica_files WHERE next_check_at IS NOT NULL AND next_check_at <= ?
       ORDER BY next_check_at LIMIT ?`,
    );
    this.nextDueStmt = db.prepare(
      'SELECT min(next_check_at) AS at FROM replica_files WHERE next_check_at IS NOT NULL',
    );
    this.statsStmt = db.prepare(
      `SELECT s.dest_bucket, coalesce(s.rule_id, '') AS rule_id, s.state, count(*) AS n
       FROM replica_status s JOIN replica_files f USING (folder_id, rel_path)
       WHERE f.bucket = ? GROUP BY 1, 2, 3`,
    );
    this.latencyPairsStmt = db.prepare(
      `SELECT DISTINCT dest_bucket, rule_id FROM replica_latency WHERE source_bucket = ?`,
    );
    this.latenciesStmt = db.prepare(
      `SELECT latency_ms FROM replica_latency
       WHERE source_bucket = ? AND dest_bucket = ? AND rule_id = ?
       ORDER BY measured_at DESC LIMIT ?`,
    );
    this.addLatencyStmt = db.prepare(
      `INSERT INTO replica_latency (source_bucket, dest_bucket, rule_id, latency_ms, measured_at)
       VALUES (@source, @dest, @ruleId, @latencyMs, @measuredAt)`,
    );
    this.pruneLatencyStmt = db.prepare(
      `DELETE FROM replica_latency WHERE source_bucket = @source AND dest_bucket = @dest
         AND rule_id = @ruleId AND rowid NOT IN (
           SELECT rowid FROM replica_latency WHERE source_bucket = @source
             AND dest_bucket = @dest AND rule_id = @ruleId
           ORDER BY measured_at DESC LIMIT @keep)`,
    );
    this.countsStmt = db.prepare('SELECT state, count(*) AS n FROM replica_status GROUP BY state');
    this.countsFolderStmt = db.prepare(
      'SELECT state, count(*) AS n FROM replica_status WHERE folder_id = ? GROUP BY state',
    );
  }

  // Prepared on first write: a read-only index (the CLI) without the newer columns reads fine.
  private get putFileStmt(): Database.Statement<[Params]> {
    this.putFile ??= this.db.prepare(
      `INSERT INTO replica_files (folder_id, rel_path, bucket, region, key, version_id, sha256,
           checksums, source_status, uploaded_at, next_check_at, attempts, failures, error,
           replica_of, source_modified)
         VALUES (@folderId, @relPath, @bucket, @region, @key, @versionId, @sha256, @checksums,
           @sourceStatus, @uploadedAt, @nextCheckAt, @attempts, @failures, @error, @replicaOf,
           @sourceModified)
         ON CONFLICT (folder_id, rel_path) DO UPDATE SET bucket = excluded.bucket,
           region = excluded.region, key = excluded.key, version_id = excluded.version_id,
           sha256 = excluded.sha256, checksums = excluded.checksums,
           source_status = excluded.source_status, uploaded_at = excluded.uploaded_at,
           next_check_at = excluded.next_check_at, attempts = excluded.attempts,
           failures = excluded.failures, error = excluded.error,
           replica_of = excluded.replica_of, source_modified = excluded.source_modified`,
    );
    return this.putFile;
  }

  private get putDestStmt(): Database.Statement<[Params]> {
    this.putDest ??= this.db.prepare(
      `INSERT INTO replica_status (folder_id, rel_path, version_id, dest_bucket, dest_region,
           rule_id, state, latency_ms, rtc_breached, reason, uploaded_at, next_check_at, attempts,
           failures, rtc, latency_from)
         VALUES (@folderId, @relPath, @versionId, @bucket, @region, @ruleId, @state, @latencyMs,
           @rtcBreached, @reason, @uploadedAt, @nextCheckAt, @attempts, @failures, @rtc,
           @latencyFrom)
         ON CONFLICT (folder_id, rel_path, dest_bucket) DO UPDATE SET
           version_id = excluded.version_id, dest_region = excluded.dest_region,
           rule_id = excluded.rule_id, state = excluded.state, latency_ms = excluded.latency_ms,
           rtc_breached = excluded.rtc_breached, reason = excluded.reason,
           uploaded_at = excluded.uploaded_at, next_check_at = excluded.next_check_at,
           attempts = excluded.attempts, failures = excluded.failures, rtc = excluded.rtc,
           latency_from = excluded.latency_from`,
    );
    return this.putDest;
  }

  file(folderId: string, relPath: string): TrackedFile | undefined {
    const row = this.getFileStmt.get(folderId, relPath);
    return row ? toFile(row) : undefined;
  }

  destinations(folderId: string, relPath: string): TrackedDestination[] {
    return this.destsStmt.all(folderId, relPath).map(toDest);
  }

  /** Starts following a new version: its old destination rows go. */
  replace(file: TrackedFile): void {
    this.db.transaction(() => {
      this.removeFileStmt.run(file.folderId, file.relPath);
      this.putFileStmt.run(fileParams(file));
    })();
  }

  remove(folderId: string, relPath: string): boolean {
    return this.removeFileStmt.run(folderId, relPath).changes > 0;
  }

  /** Writes a file row and destination rows in one transaction. */
  save(file: TrackedFile, dests: readonly TrackedDestination[] = []): void {
    this.db.transaction(() => {
      this.putFileStmt.run(fileParams(file));
      for (const d of dests) this.putDestStmt.run(destParams(d));
    })();
  }

  /** Unsettled files whose check is due, oldest due first. */
  due(now: number, limit: number): TrackedFile[] {
    return this.dueStmt.all(now, limit).map(toFile);
  }

  /** The earliest next check of any unsettled file. */
  nextDue(): number | undefined {
    return this.nextDueStmt.get()?.at ?? undefined;
  }

  /** Row counts per destination, rule and state, for the source bucket's rules. */
  stateCounts(sourceBucket: string) {
    return this.statsStmt.all(sourceBucket);
  }

  /** (destination, rule) pairs with measured latencies. */
  latencyPairs(sourceBucket: string) {
    return this.latencyPairsStmt.all(sourceBucket);
  }

  latencies(sourceBucket: string, destBucket: string, ruleId: string, limit: number): number[] {
    return this.latenciesStmt
      .all(sourceBucket, destBucket, ruleId, limit)
      .map((r) => r.latency_ms)
      .reverse();
  }

  addLatency(m: {
    source: string;
    dest: string;
    ruleId: string;
    latencyMs: number;
    measuredAt: number;
  }): void {
    this.addLatencyStmt.run(m);
  }

  pruneLatencies(source: string, dest: string, ruleId: string): void {
    this.pruneLatencyStmt.run({ source, dest, ruleId, keep: LATENCY_HISTORY });
  }

  /**
   * Forgets the tracked files whose index row is gone or deleted, or whose folder is gone;
   * returns them.
   */
  sweep(): { folderId: string; relPath: string }[] {
    return this.db.transaction(() => {
      const gone = this.db
        .prepare<[], { folder_id: string; rel_path: string }>(
          `SELECT r.folder_id, r.rel_path FROM replica_files r
           WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.folder_id = r.folder_id
             AND f.rel_path = r.rel_path AND f.state <> 'deleted')`,
        )
        .all();
      for (const g of gone) {
        this.db
          .prepare('DELETE FROM replica_status WHERE folder_id = ? AND rel_path = ?')
          .run(g.folder_id, g.rel_path);
        this.removeFileStmt.run(g.folder_id, g.rel_path);
      }
      return gone.map((g) => ({ folderId: g.folder_id, relPath: g.rel_path }));
    })();
  }

  /**
   * Index rows synced to a version the tracker does not follow (uploaded while it was not
   * listening, or pulled from the bucket), at most `limit`.
   */
  untracked(limit: number): UntrackedRow[] {
    return this.db
      .prepare<[number], UntrackedRow>(
        `SELECT f.folder_id AS folderId, f.rel_path AS relPath, f.key AS key,
           f.version_id AS versionId, f.sha256 AS sha256, f.updated_at AS updatedAt
         FROM files f LEFT JOIN replica_files r
           ON r.folder_id = f.folder_id AND r.rel_path = f.rel_path
         WHERE f.state = 'synced' AND f.version_id IS NOT NULL AND f.version_id <> 'null'
           AND (r.version_id IS NULL OR r.version_id <> f.version_id)
         LIMIT ?`,
      )
      .all(limit);
  }

  countsByState(folderId?: string): Record<ReplicaState, number> {
    const counts: Record<ReplicaState, number> = {
      pending: 0,
      replicated: 0,
      verified: 0,
      failed: 0,
      missing: 0,
    };
    const rows =
      folderId === undefined ? this.countsStmt.all() : this.countsFolderStmt.all(folderId);
    for (const { state, n } of rows) counts[state] = n;
    return counts;
  }
}

export interface UntrackedRow {
  folderId: string;
  relPath: string;
  key: string;
  versionId: string;
  sha256: string | null;
  updatedAt: number;
}
