// File rows of the index: one per tracked file of a folder, with prepared statements so
// a batch of 100,000 upserts in one transaction takes seconds, not minutes.
import type Database from 'better-sqlite3';
import type { IndexDb } from './index-db.js';

export type SyncState =
  | 'pending' // seen locally, not uploaded yet (queued)
  | 'uploading'
  | 'synced' // index matches the bucket version we wrote or pulled
  | 'interrupted' // was uploading when the process died; resumed at start
  | 'conflict' // a conditional write answered 412, or local+remote both changed
  | 'error' // permanent failure, message in `error`; stays queued
  | 'deleted'; // local file gone, delete marker written

export const SYNC_STATES: readonly SyncState[] = [
  'pending',
  'uploading',
  'synced',
  'interrupted',
  'conflict',
  'error',
  'deleted',
];

export interface FileRecord {
  folderId: string;
  relPath: string; // POSIX separators, relative to the folder root
  key: string; // the S3 key (prefix + relPath)
  size: number;
  mtimeMs: number;
  sha256: string | null; // hex; null until hashed
  state: SyncState;
  versionId: string | null; // last synced version
  etag: string | null; // ETag of that version (for If-Match)
  uploadId: string | null; // multipart upload in progress
  error: string | null;
  updatedAt: number;
}

/** What upsert takes: updatedAt defaults to now, the nullable fields to null. */
export type FileRecordInput = Pick<
  FileRecord,
  'folderId' | 'relPath' | 'key' | 'size' | 'mtimeMs' | 'state'
> &
  Partial<Pick<FileRecord, 'sha256' | 'versionId' | 'etag' | 'uploadId' | 'error' | 'updatedAt'>>;

/** Fields update() may change; updatedAt is always set to now. */
export type FileRecordPatch = Partial<Omit<FileRecord, 'folderId' | 'relPath' | 'updatedAt'>>;

export interface ListOptions {
  state?: SyncState;
  /** Case-insensitive (ASCII) substring of the relative path. */
  search?: string;
  limit: number;
  offset?: number;
}

interface FileRow {
  folder_id: string;
  rel_path: string;
  key: string;
  size: number;
  mtime_ms: number;
  sha256: string | null;
  state: SyncState;
  version_id: string | null;
  etag: string | null;
  upload_id: string | null;
  error: string | null;
  updated_at: number;
}

const COLUMNS: Record<keyof FileRecordPatch, string> = {
  key: 'key',
  size: 'size',
  mtimeMs: 'mtime_ms',
  sha256: 'sha256',
  state: 'state',
  versionId: 'version_id',
  etag: 'etag',
  uploadId: 'upload_id',
  error: 'error',
};

function toRecord(r: FileRow): FileRecord {
  return {
    folderId: r.folder_id,
    relPath: r.rel_path,
    key: r.key,
    size: r.size,
    mtimeMs: r.mtime_ms,
    sha256: r.sha256,
    state: r.state,
    versionId: r.version_id,
    etag: r.etag,
    uploadId: r.upload_id,
    error: r.error,
    updatedAt: r.updated_at,
  };
}

/** LIKE pattern for a plain substring: %, _ and the escape itself are literal. */
function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

type Params = Record<string, unknown>;

export class FileIndex {
  private readonly now: () => number;
  private readonly getStmt: Database.Statement<[string, string], FileRow>;
  private readonly upsertStmt: Database.Statement<[Params]>;
  private readonly setStateStmt: Database.Statement<[Params]>;
  private readonly removeStmt: Database.Statement<[string, string]>;
  private readonly countsStmt: Database.Statement<[string], { state: SyncState; n: number }>;
  private readonly shaStmt: Database.Statement<[string, string], FileRow>;
  private readonly iterateStmt: Database.Statement<[string], FileRow>;
  private readonly interruptAllStmt: Database.Statement<[Params], FileRow>;
  private readonly interruptFolderStmt: Database.Statement<[Params], FileRow>;
  private readonly cached = new Map<string, Database.Statement<[Params], unknown>>();

  constructor(
    private readonly db: IndexDb,
    options: { now?: () => number } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.getStmt = db.prepare('SELECT * FROM files WHERE folder_id = ? AND rel_path = ?');
    this.upsertStmt = db.prepare(
      `INSERT INTO files (folder_id, rel_path, key, size, mtime_ms, sha256, state, version_id,
         etag, upload_id, error, updated_at)
       VALUES (@folderId, @relPath, @key, @size, @mtimeMs, @sha256, @state, @versionId,
         @etag, @uploadId, @error, @updatedAt)
       ON CONFLICT (folder_id, rel_path) DO UPDATE SET key = excluded.key,
         size = excluded.size, mtime_ms = excluded.mtime_ms, sha256 = excluded.sha256,
         state = excluded.state, version_id = excluded.version_id, etag = excluded.etag,
         upload_id = excluded.upload_id, error = excluded.error,
         updated_at = excluded.updated_at`,
    );
    this.setStateStmt = db.prepare(
      `UPDATE files SET state = @state, error = @error, updated_at = @now
       WHERE folder_id = @folderId AND rel_path = @relPath`,
    );
    this.removeStmt = db.prepare('DELETE FROM files WHERE folder_id = ? AND rel_path = ?');
    this.countsStmt = db.prepare(
      'SELECT state, count(*) AS n FROM files WHERE folder_id = ? GROUP BY state',
    );
    this.shaStmt = db.prepare(
      'SELECT * FROM files WHERE folder_id = ? AND sha256 = ? ORDER BY rel_path',
    );
    this.iterateStmt = db.prepare('SELECT * FROM files WHERE folder_id = ? ORDER BY rel_path');
    const interrupt = (where: string) =>
      db.prepare<[Params], FileRow>(
        `UPDATE files SET state = 'interrupted', updated_at = @now
         WHERE state = 'uploading'${where} RETURNING *`,
      );
    this.interruptAllStmt = interrupt('');
    this.interruptFolderStmt = interrupt(' AND folder_id = @folderId');
  }

  get(folderId: string, relPath: string): FileRecord | undefined {
    const row = this.getStmt.get(folderId, relPath);
    return row ? toRecord(row) : undefined;
  }

  upsert(record: FileRecordInput): void {
    this.upsertStmt.run({
      sha256: null,
      versionId: null,
      etag: null,
      uploadId: null,
      error: null,
      ...record,
      updatedAt: record.updatedAt ?? this.now(),
    });
  }

  /** Changes some fields of an existing row; false when there is no such row. */
  update(folderId: string, relPath: string, patch: FileRecordPatch): boolean {
    const fields = (Object.keys(patch) as (keyof FileRecordPatch)[])
      .filter((f) => patch[f] !== undefined && f in COLUMNS)
      .sort();
    const sig = `update:${fields.join(',')}`;
    let stmt = this.cached.get(sig);
    if (!stmt) {
      const sets = [...fields.map((f) => `${COLUMNS[f]} = @${f}`), 'updated_at = @now'];
      stmt = this.db.prepare(
        `UPDATE files SET ${sets.join(', ')} WHERE folder_id = @folderId AND rel_path = @relPath`,
      );
      this.cached.set(sig, stmt);
    }
    const params: Params = { folderId, relPath, now: this.now() };
    for (const f of fields) params[f] = patch[f];
    return stmt.run(params).changes > 0;
  }

  /** Sets the state; `error` is stored as given, so leaving it out clears an old message. */
  setState(folderId: string, relPath: string, state: SyncState, error: string | null = null) {
    return this.setStateStmt.run({ folderId, relPath, state, error, now: this.now() }).changes > 0;
  }

  /** Removes the row and, by cascade, its recorded multipart parts. */
  remove(folderId: string, relPath: string): boolean {
    return this.removeStmt.run(folderId, relPath).changes > 0;
  }

  /** A page of rows ordered by path, for a virtualized list. */
  list(folderId: string, options: ListOptions): FileRecord[] {
    const { sql, params } = this.filter(folderId, options);
    const stmt = this.statement(
      `list:${sql}`,
      `SELECT * FROM files WHERE ${sql} ORDER BY rel_path LIMIT @limit OFFSET @offset`,
    ) as Database.Statement<[Params], FileRow>;
    const limit = Math.max(0, Math.floor(options.limit));
    const offset = Math.max(0, Math.floor(options.offset ?? 0));
    return stmt.all({ ...params, limit, offset }).map(toRecord);
  }

  /** How many rows list() pages through with the same filter. */
  count(folderId: string, options: Omit<ListOptions, 'limit' | 'offset'> = {}): number {
    const { sql, params } = this.filter(folderId, options);
    const stmt = this.statement(
      `count:${sql}`,
      `SELECT count(*) AS n FROM files WHERE ${sql}`,
    ) as Database.Statement<[Params], { n: number }>;
    return stmt.get(params)?.n ?? 0;
  }

  countsByState(folderId: string): Record<SyncState, number> {
    const counts = Object.fromEntries(SYNC_STATES.map((s) => [s, 0])) as Record<SyncState, number>;
    for (const { state, n } of this.countsStmt.all(folderId)) counts[state] = n;
    return counts;
  }

  /** Rows with this content, for rename detection. */
  findBySha256(folderId: string, sha256: string): FileRecord[] {
    return this.shaStmt.all(folderId, sha256).map(toRecord);
  }

  /** Every row of a folder in path order, streamed (for a rescan's diff). */
  *iterate(folderId: string): IterableIterator<FileRecord> {
    for (const row of this.iterateStmt.iterate(folderId)) yield toRecord(row);
  }

  /** Runs fn in one transaction (nested calls become savepoints); throws roll back. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /**
   * At start-up: rows left 'uploading' by a process that died become 'interrupted'.
   * Returns them so the engine resumes each (its uploadId and parts are kept).
   */
  markInterrupted(folderId?: string): FileRecord[] {
    const now = this.now();
    const rows =
      folderId === undefined
        ? this.interruptAllStmt.all({ now })
        : this.interruptFolderStmt.all({ now, folderId });
    return rows.map(toRecord).sort((a, b) => (a.relPath < b.relPath ? -1 : 1));
  }

  private filter(folderId: string, o: { state?: SyncState; search?: string }) {
    const where = ['folder_id = @folderId'];
    const params: Params = { folderId };
    if (o.state !== undefined) {
      where.push('state = @state');
      params.state = o.state;
    }
    if (o.search) {
      where.push("rel_path LIKE @search ESCAPE '\\'");
      params.search = likePattern(o.search);
    }
    return { sql: where.join(' AND '), params };
  }

  private statement(sig: string, sql: string): Database.Statement<[Params], unknown> {
    let stmt = this.cached.get(sig);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.cached.set(sig, stmt);
    }
    return stmt;
  }
}
