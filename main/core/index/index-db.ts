// The per-installation index: one SQLite file for every folder's file rows and the
// resumable multipart state. Schema changes go through the user_version ladder below.
import path from 'node:path';
import Database from 'better-sqlite3';
import { mkdirPrivate, makePrivate } from '../paths.js';

export type IndexDb = Database.Database;

/** One step of the ladder: brings the schema from version N to N + 1. */
export type Migration = (db: IndexDb) => void;

export const MIGRATIONS: readonly Migration[] = [
  // 1: folders, files, multipart_parts.
  (db) =>
    db.exec(`
      CREATE TABLE folders (
        id TEXT PRIMARY KEY,
        local_path TEXT NOT NULL UNIQUE,
        account_id TEXT NOT NULL DEFAULT '',
        bucket TEXT NOT NULL,
        prefix TEXT NOT NULL DEFAULT '',
        region TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE files (
        folder_id TEXT NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
        rel_path TEXT NOT NULL,
        key TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ms REAL NOT NULL,
        sha256 TEXT,
        state TEXT NOT NULL CHECK (state IN
          ('pending','uploading','synced','interrupted','conflict','error','deleted')),
        version_id TEXT,
        etag TEXT,
        upload_id TEXT,
        error TEXT,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (folder_id, rel_path)
      );
      CREATE INDEX files_sha256 ON files (folder_id, sha256);
      -- rel_path last so a state-filtered list is served in order without a sort.
      CREATE INDEX files_state ON files (folder_id, state, rel_path);
      CREATE TABLE multipart_parts (
        folder_id TEXT NOT NULL,
        rel_path TEXT NOT NULL,
        upload_id TEXT NOT NULL,
        part_number INTEGER NOT NULL CHECK (part_number BETWEEN 1 AND 10000),
        etag TEXT NOT NULL,
        checksum TEXT,
        size INTEGER NOT NULL,
        PRIMARY KEY (folder_id, rel_path, upload_id, part_number),
        FOREIGN KEY (folder_id, rel_path) REFERENCES files (folder_id, rel_path)
          ON DELETE CASCADE
      );
    `),
  // 2: replication status (core/replication/status-tracker.ts): the tracked version of each
  // file and its source status (replica_files), its state per destination (replica_status),
  // and measured upload-to-verified latencies for the histogram (replica_latency).
  (db) =>
    db.exec(`
      CREATE TABLE replica_files (
        folder_id TEXT NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
        rel_path TEXT NOT NULL,
        bucket TEXT NOT NULL,
        region TEXT NOT NULL,
        key TEXT NOT NULL,
        version_id TEXT NOT NULL,
        sha256 TEXT,
        checksums TEXT,
        source_status TEXT NOT NULL CHECK (source_status IN
          ('PENDING','COMPLETED','FAILED','NONE','UNKNOWN')),
        uploaded_at INTEGER NOT NULL,
        next_check_at INTEGER,
        attempts INTEGER NOT NULL DEFAULT 0,
        failures INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        PRIMARY KEY (folder_id, rel_path)
      );
      CREATE INDEX replica_files_due ON replica_files (next_check_at)
        WHERE next_check_at IS NOT NULL;
      CREATE INDEX replica_files_bucket ON replica_files (bucket);
      CREATE TABLE replica_status (
        folder_id TEXT NOT NULL,
        rel_path TEXT NOT NULL,
        version_id TEXT NOT NULL,
        dest_bucket TEXT NOT NULL,
        dest_region TEXT NOT NULL,
        rule_id TEXT,
        state TEXT NOT NULL CHECK (state IN
          ('pending','replicated','verified','failed','missing')),
        latency_ms INTEGER,
        rtc_breached INTEGER NOT NULL DEFAULT 0,
        reason TEXT,
        uploaded_at INTEGER NOT NULL,
        next_check_at INTEGER,
        attempts INTEGER NOT NULL DEFAULT 0,
        failures INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (folder_id, rel_path, dest_bucket),
        FOREIGN KEY (folder_id, rel_path) REFERENCES replica_files (folder_id, rel_path)
          ON DELETE CASCADE
      );
      CREATE INDEX replica_status_dest ON replica_status (dest_bucket, state);
      CREATE TABLE replica_latency (
        source_bucket TEXT NOT NULL,
        dest_bucket TEXT NOT NULL,
        rule_id TEXT NOT NULL DEFAULT '',
        latency_ms INTEGER NOT NULL,
        measured_at INTEGER NOT NULL
      );
      CREATE INDEX replica_latency_pair ON replica_latency
        (source_bucket, dest_bucket, rule_id, measured_at);
    `),
  // 3: conflicts (core/conflicts/conflict-store.ts): the conflicts found (one open row per
  // folder, key and kind; sides, base and missing buckets as JSON), the lineage and origin read
  // per version (conflict_versions), what each bucket listed at the last look and since when
  // (conflict_presence, also standing in for a bucket whose region cannot be reached), keys to
  // look at again (conflict_watch) and the last-looked marks (conflict_marks); files_updated
  // finds the index rows changed since the last look.
  (db) =>
    db.exec(`
      CREATE TABLE conflicts (
        id TEXT PRIMARY KEY,
        folder_id TEXT NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('local-remote','fork','possible','divergence')),
        sides TEXT NOT NULL,
        base TEXT NOT NULL,
        missing TEXT NOT NULL,
        detail TEXT NOT NULL,
        found_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        resolved_at INTEGER
      );
      CREATE UNIQUE INDEX conflicts_open ON conflicts (folder_id, key, kind)
        WHERE resolved_at IS NULL;
      CREATE INDEX conflicts_folder ON conflicts (folder_id, resolved_at, found_at);
      CREATE TABLE conflict_versions (
        folder_id TEXT NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        node_id TEXT NOT NULL,
        lineage TEXT,
        origin TEXT,
        origin_status TEXT CHECK (origin_status IN ('PENDING','COMPLETED','FAILED','NONE')),
        checked_at INTEGER NOT NULL,
        PRIMARY KEY (folder_id, key, node_id)
      );
      CREATE TABLE conflict_presence (
        folder_id TEXT NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
        bucket TEXT NOT NULL,
        key TEXT NOT NULL,
        version_id TEXT NOT NULL,
        is_latest INTEGER NOT NULL,
        last_modified INTEGER NOT NULL,
        size INTEGER NOT NULL,
        delete_marker INTEGER NOT NULL,
        first_seen INTEGER NOT NULL,
        PRIMARY KEY (folder_id, bucket, key, version_id)
      );
      CREATE TABLE conflict_watch (
        folder_id TEXT NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        PRIMARY KEY (folder_id, key)
      );
      CREATE TABLE conflict_marks (
        folder_id TEXT NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
        source TEXT NOT NULL,
        mark INTEGER NOT NULL,
        PRIMARY KEY (folder_id, source)
      );
      CREATE INDEX files_updated ON files (folder_id, updated_at);
    `),
  // 4: other endpoints of a folder's bucket (RGW multisite zones, any active-active pair),
  // each with its own account: JSON [{accountId, bucket, region, label}]; first_start marks
  // the folder the first start made on local regions (handed over to another account's add).
  (db) =>
    db.exec(`
      ALTER TABLE folders ADD COLUMN peers TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE folders ADD COLUMN first_start INTEGER NOT NULL DEFAULT 0;
    `),
];

export const INDEX_SCHEMA_VERSION = MIGRATIONS.length;

/** Runs the steps the database has not had yet, each in its own transaction. */
export function runMigrations(
  db: IndexDb,
  migrations: readonly Migration[] = MIGRATIONS,
  label = 'the index',
): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(
      `${label} was written by a newer Replica Sync (schema ${current}, this version knows ` +
        `${migrations.length}); update the app`,
    );
  }
  for (let v = current; v < migrations.length; v++) {
    const step = migrations[v] as Migration;
    db.transaction(() => {
      step(db);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return migrations.length;
}

export interface OpenIndexOptions {
  /** For tests of the ladder; the app always uses MIGRATIONS. */
  migrations?: readonly Migration[];
}

/** Opens (creating if needed) the index at `file`, or in memory for ':memory:'. */
export function openIndexDb(file: string, options: OpenIndexOptions = {}): IndexDb {
  const label = file === ':memory:' ? 'the in-memory index' : `the index ${file}`;
  if (file !== ':memory:') mkdirPrivate(path.dirname(file));
  let db: IndexDb | undefined;
  try {
    db = new Database(file);
    // SQLite makes its file 0644 under the usual umask; its -wal and -shm take the mode of
    // the main file, and are narrowed too once they exist, whatever the umask.
    if (file !== ':memory:') makePrivate(file);
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode is durable across app crashes; only an OS crash can lose the
    // last commits, which a rescan repairs.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    runMigrations(db, options.migrations ?? MIGRATIONS, label);
    if (file !== ':memory:') makePrivate(file, `${file}-wal`, `${file}-shm`);
    return db;
  } catch (err) {
    db?.close();
    const reason = err instanceof Error ? err.message : String(err);
    if (/newer Replica Sync/.test(reason)) throw err;
    throw new Error(
      `cannot open ${label}: ${reason}; move the file away and restart to rebuild it ` +
        `(the folders are rescanned)`,
      { cause: err },
    );
  }
}

export interface FolderRecord {
  id: string;
  localPath: string;
  accountId: string;
  bucket: string;
  prefix: string;
  region: string;
  createdAt: number;
  /** Other endpoints of the same bucket (RGW multisite, MinIO site replication…). */
  peers?: FolderPeer[];
  /** Made by the first start on local regions, not by the user. */
  firstStart?: boolean;
}

/** Another endpoint of a folder's bucket, synced by the service itself (active-active). */
export interface FolderPeer {
  accountId: string;
  bucket: string;
  region: string;
  /** What the user calls it ("zone-b"); names the bucket in conflict sides. */
  label: string;
}

interface FolderRow {
  id: string;
  local_path: string;
  account_id: string;
  bucket: string;
  prefix: string;
  region: string;
  created_at: number;
  peers: string;
  first_start: number;
}

const toFolder = (r: FolderRow): FolderRecord => ({
  id: r.id,
  localPath: r.local_path,
  accountId: r.account_id,
  bucket: r.bucket,
  prefix: r.prefix,
  region: r.region,
  createdAt: r.created_at,
  peers: parsePeers(r.peers),
  firstStart: r.first_start === 1,
});

function parsePeers(text: string): FolderPeer[] {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v)
      ? v.filter(
          (p): p is FolderPeer =>
            typeof p === 'object' &&
            p !== null &&
            typeof (p as FolderPeer).accountId === 'string' &&
            typeof (p as FolderPeer).bucket === 'string' &&
            typeof (p as FolderPeer).region === 'string' &&
            typeof (p as FolderPeer).label === 'string',
        )
      : [];
  } catch {
    return [];
  }
}

/** The folders table: a folder's rows in files and multipart_parts go with it. */
export class FolderTable {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly listStmt;
  private readonly removeStmt;

  constructor(db: IndexDb) {
    this.insertStmt = db.prepare(
      `INSERT INTO folders (id, local_path, account_id, bucket, prefix, region, created_at, peers, first_start)
       VALUES (@id, @localPath, @accountId, @bucket, @prefix, @region, @createdAt, @peersJson, @firstStartFlag)`,
    );
    this.getStmt = db.prepare<[string], FolderRow>('SELECT * FROM folders WHERE id = ?');
    this.listStmt = db.prepare<[], FolderRow>('SELECT * FROM folders ORDER BY created_at, id');
    this.removeStmt = db.prepare<[string]>('DELETE FROM folders WHERE id = ?');
  }

  add(
    folder: Omit<FolderRecord, 'createdAt' | 'accountId'> & {
      accountId?: string;
      createdAt?: number;
    },
  ): FolderRecord {
    const record: FolderRecord = {
      ...folder,
      accountId: folder.accountId ?? '',
      createdAt: folder.createdAt ?? Date.now(),
      peers: folder.peers ?? [],
      firstStart: folder.firstStart ?? false,
    };
    try {
      this.insertStmt.run({
        ...record,
        peers: undefined,
        firstStart: undefined,
        peersJson: JSON.stringify(record.peers ?? []),
        firstStartFlag: record.firstStart ? 1 : 0,
      });
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new Error(`the folder ${folder.localPath} is already synced; pick another folder`, {
          cause: err,
        });
      }
      throw err;
    }
    return record;
  }

  get(id: string): FolderRecord | undefined {
    const row = this.getStmt.get(id);
    return row ? toFolder(row) : undefined;
  }

  list(): FolderRecord[] {
    return this.listStmt.all().map(toFolder);
  }

  /** Removes the folder and, by cascade, all its file rows and multipart parts. */
  remove(id: string): boolean {
    return this.removeStmt.run(id).changes > 0;
  }
}
