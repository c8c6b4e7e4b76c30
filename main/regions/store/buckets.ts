// Buckets: one global namespace across the local regions; each bucket lives in one region.
import type { ReplicationConfig } from '../replication-config.js';
import type { Tag } from '../tags.js';
import type { Db } from './db.js';

export type Versioning = '' | 'Enabled' | 'Suspended';

export interface Bucket {
  name: string;
  region: string;
  createdAt: number;
  versioning: Versioning;
  replication: ReplicationConfig | null;
  tags: Tag[] | null;
}

interface BucketRow {
  name: string;
  region: string;
  created_at: number;
  versioning: string;
  replication: string | null;
  tags: string | null;
}

function fromRow(r: BucketRow): Bucket {
  return {
    name: r.name,
    region: r.region,
    createdAt: r.created_at,
    versioning: r.versioning as Versioning,
    replication: r.replication ? (JSON.parse(r.replication) as ReplicationConfig) : null,
    tags: r.tags ? (JSON.parse(r.tags) as Tag[]) : null,
  };
}

export class BucketStore {
  constructor(private readonly db: Db) {}

  get(name: string): Bucket | undefined {
    const row = this.db.prepare('SELECT * FROM buckets WHERE name = ?').get(name) as
      BucketRow | undefined;
    return row ? fromRow(row) : undefined;
  }

  list(): Bucket[] {
    const rows = this.db.prepare('SELECT * FROM buckets ORDER BY name').all() as BucketRow[];
    return rows.map(fromRow);
  }

  /** Creates the bucket; false when the name is already taken. */
  create(name: string, region: string, now = Date.now()): boolean {
    const info = this.db
      .prepare('INSERT OR IGNORE INTO buckets (name, region, created_at) VALUES (?, ?, ?)')
      .run(name, region, now);
    return info.changes === 1;
  }

  /** True when no version or delete marker remains. */
  isEmpty(name: string): boolean {
    return (
      this.db.prepare('SELECT 1 FROM versions WHERE bucket = ? LIMIT 1').get(name) === undefined
    );
  }

  /** Deletes the bucket and its unfinished multipart uploads; returns the part blobs to remove. */
  delete(name: string): string[] {
    return this.db.transaction(() => {
      const blobs = this.db
        .prepare(
          'SELECT p.blob FROM parts p JOIN uploads u ON u.upload_id = p.upload_id WHERE u.bucket = ?',
        )
        .pluck()
        .all(name) as string[];
      this.db
        .prepare(
          'DELETE FROM parts WHERE upload_id IN (SELECT upload_id FROM uploads WHERE bucket = ?)',
        )
        .run(name);
      this.db.prepare('DELETE FROM uploads WHERE bucket = ?').run(name);
      this.db.prepare('DELETE FROM buckets WHERE name = ?').run(name);
      this.db
        .prepare(
          "UPDATE replication_queue SET state = 'failed', last_error = 'source bucket deleted' WHERE src_bucket = ? AND state = 'pending'",
        )
        .run(name);
      return blobs;
    })();
  }

  setVersioning(name: string, status: Versioning): void {
    this.db.prepare('UPDATE buckets SET versioning = ? WHERE name = ?').run(status, name);
  }

  setReplication(name: string, config: ReplicationConfig | null): void {
    this.db
      .prepare('UPDATE buckets SET replication = ? WHERE name = ?')
      .run(config ? JSON.stringify(config) : null, name);
  }

  setTags(name: string, tags: Tag[] | null): void {
    this.db
      .prepare('UPDATE buckets SET tags = ? WHERE name = ?')
      .run(tags ? JSON.stringify(tags) : null, name);
  }
}
