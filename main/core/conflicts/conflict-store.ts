// Conflicts in the index (migration 3 of core/index/index-db.ts): one open row per folder, key
// and kind, kept until the conflict goes away (then resolved_at is set, the row stays as
// history). Also the detector's memory for incremental looks: the lineage and origin read per
// version, which versions each bucket listed and since when, keys to look at again, and the
// last-looked marks.
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { SyncState } from '../index/file-index.js';
import type { IndexDb } from '../index/index-db.js';
import type { Lineage } from '../transfer/lineage.js';
import type {
  ConflictFinding,
  ConflictKind,
  ConflictRecord,
  ConflictSide,
} from './conflict-record.js';
import type { OriginStatus } from './version-graph.js';

/** What a HEAD of a version told, as kept between looks. */
export interface StoredFacts {
  nodeId: string;
  lineage: Lineage | null;
  origin: string | null;
  originStatus: OriginStatus | null;
  checkedAt: number;
}

/** One version as a bucket listed it at the last look, and when it was first listed there. */
export interface Presence {
  isLatest: boolean;
  lastModified: number;
  size: number;
  deleteMarker: boolean;
  firstSeen: number;
}

/** bucket → key → version id → presence. */
export type PresenceMap = Map<string, Map<string, Map<string, Presence>>>;

/** The fields of an index row a local-remote conflict needs. */
export interface ChangedFile {
  relPath: string;
  key: string;
  state: SyncState;
  size: number;
  mtimeMs: number;
  sha256: string | null;
  versionId: string | null;
  error: string | null;
  updatedAt: number;
}

export type SaveResult = { record: ConflictRecord; change: 'found' | 'updated' | 'unchanged' };

interface ConflictRow {
  id: string;
  folder_id: string;
  key: string;
  kind: ConflictKind;
  sides: string;
  base: string;
  missing: string;
  detail: string;
  found_at: number;
  updated_at: number;
  resolved_at: number | null;
}

const toRecord = (r: ConflictRow): ConflictRecord => ({
  id: r.id,
  folderId: r.folder_id,
  key: r.key,
  kind: r.kind,
  sides: JSON.parse(r.sides) as ConflictSide[],
  base: JSON.parse(r.base) as string[],
  missing: JSON.parse(r.missing) as ConflictRecord['missing'],
  detail: r.detail,
  foundAt: r.found_at,
  updatedAt: r.updated_at,
  resolvedAt: r.resolved_at,
});

function prepare(db: IndexDb) {
  const p = (sql: string): Database.Statement => db.prepare(sql);
  return {
    listAll: p('SELECT * FROM conflicts WHERE resolved_at IS NULL ORDER BY found_at, id'),
    listFolder: p(
      'SELECT * FROM conflicts WHERE folder_id = ? AND resolved_at IS NULL ORDER BY found_at, id',
    ),
    historyAll: p('SELECT * FROM conflicts ORDER BY found_at, id'),
    historyFolder: p('SELECT * FROM conflicts WHERE folder_id = ? ORDER BY found_at, id'),
    get: p('SELECT * FROM conflicts WHERE id = ?'),
    openFor: p(
      'SELECT * FROM conflicts WHERE folder_id = ? AND key = ? AND resolved_at IS NULL ORDER BY kind',
    ),
    openOfKind: p(
      'SELECT * FROM conflicts WHERE folder_id = ? AND kind = ? AND resolved_at IS NULL ORDER BY key',
    ),
    insert: p(
      `INSERT INTO conflicts (id, folder_id, key, kind, sides, base, missing, detail, found_at,
         updated_at, resolved_at)
       VALUES (@id, @folderId, @key, @kind, @sides, @base, @missing, @detail, @now, @now, NULL)`,
    ),
    update: p(
      `UPDATE conflicts SET sides = @sides, base = @base, missing = @missing, detail = @detail,
         updated_at = @now WHERE id = @id`,
    ),
    resolve: p('UPDATE conflicts SET resolved_at = ?, updated_at = ? WHERE id = ?'),
    presence: p(
      `SELECT bucket, key, version_id, is_latest, last_modified, size, delete_marker, first_seen
     FROM conflict_presence WHERE folder_id = ?`,
    ),
    presenceDelete: p(
      'DELETE FROM conflict_presence WHERE folder_id = ? AND bucket = ? AND key = ?',
    ),
    presenceDropBucket: p('DELETE FROM conflict_presence WHERE folder_id = ? AND bucket = ?'),
    presenceInsert: p(
      `INSERT INTO conflict_presence (folder_id, bucket, key, version_id, is_latest, last_modified,
         size, delete_marker, first_seen)
       VALUES (@folderId, @bucket, @key, @versionId, @isLatest, @lastModified, @size,
         @deleteMarker, @firstSeen)`,
    ),
    facts: p('SELECT * FROM conflict_versions WHERE folder_id = ? AND key = ?'),
    factsUpsert: p(
      `INSERT INTO conflict_versions (folder_id, key, node_id, lineage, origin, origin_status,
         checked_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (folder_id, key, node_id) DO UPDATE SET lineage = excluded.lineage,
         origin = excluded.origin, origin_status = excluded.origin_status,
         checked_at = excluded.checked_at`,
    ),
    factsDelete: p('DELETE FROM conflict_versions WHERE folder_id = ? AND key = ? AND node_id = ?'),
    watched: p('SELECT key FROM conflict_watch WHERE folder_id = ? ORDER BY key'),
    watchOn: p('INSERT OR IGNORE INTO conflict_watch (folder_id, key) VALUES (?, ?)'),
    watchOff: p('DELETE FROM conflict_watch WHERE folder_id = ? AND key = ?'),
    mark: p('SELECT mark FROM conflict_marks WHERE folder_id = ? AND source = ?'),
    setMark: p(
      `INSERT INTO conflict_marks (folder_id, source, mark) VALUES (?, ?, ?)
       ON CONFLICT (folder_id, source) DO UPDATE SET mark = excluded.mark`,
    ),
    changedFiles: p(
      `SELECT rel_path, key, state, size, mtime_ms, sha256, version_id, error, updated_at
       FROM files WHERE folder_id = ? AND updated_at >= ? ORDER BY rel_path`,
    ),
    fileByKey: p(
      `SELECT rel_path, key, state, size, mtime_ms, sha256, version_id, error, updated_at
       FROM files WHERE folder_id = ? AND key = ?`,
    ),
  };
}

type Statements = ReturnType<typeof prepare>;

export class ConflictStore {
  private readonly now: () => number;
  private readonly stmts: Statements;

  constructor(
    private readonly db: IndexDb,
    options: { now?: () => number } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.stmts = prepare(db);
  }

  /** Open conflicts (of one folder, or all), oldest first. */
  open(folderId?: string): ConflictRecord[] {
    const rows = (
      folderId === undefined ? this.stmts.listAll.all() : this.stmts.listFolder.all(folderId)
    ) as ConflictRow[];
    return rows.map(toRecord);
  }

  /** Every conflict ever recorded, resolved ones included, oldest first. */
  history(folderId?: string): ConflictRecord[] {
    const rows = (
      folderId === undefined ? this.stmts.historyAll.all() : this.stmts.historyFolder.all(folderId)
    ) as ConflictRow[];
    return rows.map(toRecord);
  }

  get(id: string): ConflictRecord | undefined {
    const row = this.stmts.get.get(id) as ConflictRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  openFor(folderId: string, key: string): ConflictRecord[] {
    return (this.stmts.openFor.all(folderId, key) as ConflictRow[]).map(toRecord);
  }

  openOfKind(folderId: string, kind: ConflictKind): ConflictRecord[] {
    return (this.stmts.openOfKind.all(folderId, kind) as ConflictRow[]).map(toRecord);
  }

  /** Records a finding: a new open conflict, or the open one of that key and kind updated. */
  save(f: ConflictFinding): SaveResult {
    const now = this.now();
    const fields = {
      sides: JSON.stringify(f.sides),
      base: JSON.stringify(f.base),
      missing: JSON.stringify(f.missing),
      detail: f.detail,
    };
    const existing = (this.stmts.openFor.all(f.folderId, f.key) as ConflictRow[]).find(
      (r) => r.kind === f.kind,
    );
    if (existing) {
      const same =
        existing.sides === fields.sides &&
        existing.base === fields.base &&
        existing.missing === fields.missing &&
        existing.detail === fields.detail;
      if (same) return { record: toRecord(existing), change: 'unchanged' };
      this.stmts.update.run({ id: existing.id, now, ...fields });
      return { record: this.get(existing.id) as ConflictRecord, change: 'updated' };
    }
    const id = randomBytes(12).toString('base64url');
    this.stmts.insert.run({ id, folderId: f.folderId, key: f.key, kind: f.kind, now, ...fields });
    return { record: this.get(id) as ConflictRecord, change: 'found' };
  }

  /** Marks the open conflict of that key and kind resolved; returns it, if there was one. */
  resolve(folderId: string, key: string, kind: ConflictKind): ConflictRecord | undefined {
    const open = this.openFor(folderId, key).find((r) => r.kind === kind);
    if (!open) return undefined;
    const now = this.now();
    this.stmts.resolve.run(now, now, open.id);
    return { ...open, resolvedAt: now, updatedAt: now };
  }

  /** Every version each bucket listed at the last look, with when it was first listed. */
  presence(folderId: string): PresenceMap {
    const out: PresenceMap = new Map();
    type Row = {
      bucket: string;
      key: string;
      version_id: string;
      is_latest: number;
      last_modified: number;
      size: number;
      delete_marker: number;
      first_seen: number;
    };
    for (const r of this.stmts.presence.iterate(folderId) as IterableIterator<Row>) {
      let keys = out.get(r.bucket);
      if (!keys) out.set(r.bucket, (keys = new Map()));
      let versions = keys.get(r.key);
      if (!versions) keys.set(r.key, (versions = new Map()));
      versions.set(r.version_id, {
        isLatest: r.is_latest === 1,
        lastModified: r.last_modified,
        size: r.size,
        deleteMarker: r.delete_marker === 1,
        firstSeen: r.first_seen,
      });
    }
    return out;
  }

  /** Replaces what a bucket lists for a key. */
  setPresence(
    folderId: string,
    bucket: string,
    key: string,
    versions: ReadonlyMap<string, Presence>,
  ): void {
    this.stmts.presenceDelete.run(folderId, bucket, key);
    for (const [versionId, p] of versions)
      this.stmts.presenceInsert.run({
        folderId,
        bucket,
        key,
        versionId,
        isLatest: p.isLatest ? 1 : 0,
        lastModified: p.lastModified,
        size: p.size,
        deleteMarker: p.deleteMarker ? 1 : 0,
        firstSeen: p.firstSeen,
      });
  }

  /** Forgets a bucket that left the folder's group. */
  dropPresence(folderId: string, bucket: string): void {
    this.stmts.presenceDropBucket.run(folderId, bucket);
  }

  facts(folderId: string, key: string): Map<string, StoredFacts> {
    type Row = {
      node_id: string;
      lineage: string | null;
      origin: string | null;
      origin_status: OriginStatus | null;
      checked_at: number;
    };
    const out = new Map<string, StoredFacts>();
    for (const r of this.stmts.facts.all(folderId, key) as Row[])
      out.set(r.node_id, {
        nodeId: r.node_id,
        lineage: r.lineage === null ? null : (JSON.parse(r.lineage) as Lineage),
        origin: r.origin,
        originStatus: r.origin_status,
        checkedAt: r.checked_at,
      });
    return out;
  }

  saveFacts(folderId: string, key: string, f: StoredFacts): void {
    this.stmts.factsUpsert.run(
      folderId,
      key,
      f.nodeId,
      f.lineage === null ? null : JSON.stringify(f.lineage),
      f.origin,
      f.originStatus,
      f.checkedAt,
    );
  }

  /** Forgets what was read about versions no bucket lists any more. */
  pruneFacts(folderId: string, key: string, keep: ReadonlySet<string>): void {
    for (const id of this.facts(folderId, key).keys())
      if (!keep.has(id)) this.stmts.factsDelete.run(folderId, key, id);
  }

  watched(folderId: string): string[] {
    return (this.stmts.watched.all(folderId) as { key: string }[]).map((r) => r.key);
  }

  setWatched(folderId: string, key: string, watched: boolean): void {
    (watched ? this.stmts.watchOn : this.stmts.watchOff).run(folderId, key);
  }

  /** A last-looked mark: `index` (updated_at reached), or a bucket name (time of its listing). */
  mark(folderId: string, source: string): number | undefined {
    return (this.stmts.mark.get(folderId, source) as { mark: number } | undefined)?.mark;
  }

  setMark(folderId: string, source: string, mark: number): void {
    this.stmts.setMark.run(folderId, source, mark);
  }

  /** Index rows of the folder changed at or after `since` (updated_at). */
  changedFiles(folderId: string, since: number): ChangedFile[] {
    return (this.stmts.changedFiles.all(folderId, since) as FileRow[]).map(toFile);
  }

  fileByKey(folderId: string, key: string): ChangedFile | undefined {
    const rows = this.stmts.fileByKey.all(folderId, key) as FileRow[];
    return rows.length > 0 ? toFile(rows[0] as FileRow) : undefined;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}

interface FileRow {
  rel_path: string;
  key: string;
  state: SyncState;
  size: number;
  mtime_ms: number;
  sha256: string | null;
  version_id: string | null;
  error: string | null;
  updated_at: number;
}

const toFile = (r: FileRow): ChangedFile => ({
  relPath: r.rel_path,
  key: r.key,
  state: r.state,
  size: r.size,
  mtimeMs: r.mtime_ms,
  sha256: r.sha256,
  versionId: r.version_id,
  error: r.error,
  updatedAt: r.updated_at,
});
