// SQLite metadata for every local region: schema, migrations and connection settings.
// One database for the whole process because bucket names are global across the regions.
import Database from 'better-sqlite3';
import path from 'node:path';

export type Db = Database.Database;

// Each entry upgrades the schema by one step; PRAGMA user_version records how many ran.
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE buckets (
    name        TEXT PRIMARY KEY,
    region      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    versioning  TEXT NOT NULL DEFAULT '',
    replication TEXT,
    tags        TEXT
  );

  CREATE TABLE versions (
    bucket        TEXT NOT NULL,
    key           TEXT NOT NULL,
    version_id    TEXT NOT NULL,
    ord           TEXT NOT NULL,
    is_latest     INTEGER NOT NULL DEFAULT 0,
    delete_marker INTEGER NOT NULL DEFAULT 0,
    last_modified INTEGER NOT NULL,
    size          INTEGER NOT NULL DEFAULT 0,
    etag          TEXT NOT NULL DEFAULT '',
    content_type  TEXT,
    headers       TEXT NOT NULL DEFAULT '{}',
    meta          TEXT NOT NULL DEFAULT '{}',
    tags          TEXT NOT NULL DEFAULT '[]',
    storage_class TEXT NOT NULL DEFAULT 'STANDARD',
    checksum_alg  TEXT,
    checksum_type TEXT,
    checksum      TEXT,
    parts         TEXT,
    blob          TEXT,
    replication_status TEXT,
    PRIMARY KEY (bucket, key, version_id)
  );
  CREATE INDEX versions_by_order ON versions (bucket, key, ord);
  CREATE INDEX versions_current ON versions (bucket, is_latest, key);

  CREATE TABLE uploads (
    upload_id     TEXT PRIMARY KEY,
    bucket        TEXT NOT NULL,
    key           TEXT NOT NULL,
    initiated     INTEGER NOT NULL,
    content_type  TEXT,
    headers       TEXT NOT NULL DEFAULT '{}',
    meta          TEXT NOT NULL DEFAULT '{}',
    tags          TEXT NOT NULL DEFAULT '[]',
    storage_class TEXT NOT NULL DEFAULT 'STANDARD',
    checksum_alg  TEXT,
    checksum_type TEXT
  );
  CREATE INDEX uploads_by_key ON uploads (bucket, key, initiated, upload_id);

  CREATE TABLE parts (
    upload_id     TEXT NOT NULL,
    part_number   INTEGER NOT NULL,
    size          INTEGER NOT NULL,
    etag          TEXT NOT NULL,
    checksum_alg  TEXT,
    checksum      TEXT,
    last_modified INTEGER NOT NULL,
    blob          TEXT NOT NULL,
    PRIMARY KEY (upload_id, part_number)
  );

  CREATE TABLE replication_queue (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    src_bucket    TEXT NOT NULL,
    key           TEXT NOT NULL,
    version_id    TEXT NOT NULL,
    dest_bucket   TEXT NOT NULL,
    storage_class TEXT,
    created       INTEGER NOT NULL,
    not_before    INTEGER NOT NULL,
    state         TEXT NOT NULL DEFAULT 'pending',
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT
  );
  CREATE INDEX replication_pending ON replication_queue (state, not_before);
  CREATE INDEX replication_by_version ON replication_queue (src_bucket, key, version_id);
  `,
  // Parts of uploads that name no checksum algorithm keep their CRC64NVME, so that the object's
  // default FULL_OBJECT checksum is combined from the parts instead of re-reading the bytes.
  `ALTER TABLE parts ADD COLUMN crc64 TEXT;`,
  // Replication tasks name their rule (for metrics), the bytes they carry, an owner override,
  // and their kind: 'version' copies a version, 'tags' carries a tag change of an existing one.
  // A replica made with an owner override records the destination account as its owner.
  // replication_metrics keeps the counters of rules with Metrics / Replication Time Control.
  `
  ALTER TABLE replication_queue ADD COLUMN rule_id TEXT;
  ALTER TABLE replication_queue ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE replication_queue ADD COLUMN owner_account TEXT;
  ALTER TABLE replication_queue ADD COLUMN kind TEXT NOT NULL DEFAULT 'version';
  ALTER TABLE versions ADD COLUMN owner_account TEXT;
  CREATE TABLE replication_metrics (
    src_bucket       TEXT NOT NULL,
    rule_id          TEXT NOT NULL,
    completed_ops    INTEGER NOT NULL DEFAULT 0,
    completed_bytes  INTEGER NOT NULL DEFAULT 0,
    failed_ops       INTEGER NOT NULL DEFAULT 0,
    missed_threshold INTEGER NOT NULL DEFAULT 0,
    max_latency_ms   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (src_bucket, rule_id)
  );
  `,
];

export function openDb(dataDir: string): Db {
  const db = new Database(path.join(dataDir, 'meta.sqlite'));
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a process crash never loses a committed transaction.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const current = Number(db.pragma('user_version', { simple: true }));
  for (let i = current; i < MIGRATIONS.length; i++) {
    const step = MIGRATIONS[i] as string;
    db.transaction(() => {
      db.exec(step);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
}
