// Object versions and the versioning rules: which version a write creates or replaces, which
// version is current, and the listings over versions.
//
// Order of the versions of one key: by Last-Modified, then by a sort id (the version id for
// versioned writes and replicas, a fresh time-ordered id for `null` versions). The current
// version is the last in that order, so a replica that arrives late but is older than the
// local current version becomes non-current, and every region converges on the same current
// version.
import type { ChecksumAlgorithm } from '../checksums.js';
import { newVersionId } from '../ids.js';
import type { Tag } from '../tags.js';
import { ATTRIBUTE_COLUMNS, attributeValues, attributesFromRow } from './attributes.js';
import type { AttributeRow, ObjectAttributes } from './attributes.js';
import type { Versioning } from './buckets.js';
import type { Db } from './db.js';
import { collect, type Cursor, type ListOptions, type Listed } from './listing.js';

export type ChecksumType = 'FULL_OBJECT' | 'COMPOSITE';

export interface StoredChecksum {
  algorithm: ChecksumAlgorithm;
  type: ChecksumType;
  /** base64 value; composite values end in `-N`. */
  value: string;
}

export interface PartLayout {
  size: number;
  checksum?: string;
  /** Blob of this part, for objects made by CompleteMultipartUpload (no single blob then). */
  blob?: string;
}

/** What a write supplies; the store adds the key, version id and order. */
export interface VersionData extends ObjectAttributes {
  deleteMarker: boolean;
  lastModified: number;
  size: number;
  /** Quoted, e.g. `"9e107d9d372bb6826bd81d3542a419d6"` or `"…-3"`. */
  etag: string;
  checksum?: StoredChecksum;
  parts?: PartLayout[];
  blob: string | null;
  replicationStatus?: string;
  /** Account that owns this version when it is a replica made with an owner override. */
  ownerAccount?: string;
}

/** Every blob holding bytes of a version: its single blob, or the blobs of its parts. */
export function blobsOf(v: Pick<VersionData, 'blob' | 'parts'>): string[] {
  const ids = (v.parts ?? []).map((p) => p.blob).filter((b): b is string => typeof b === 'string');
  return v.blob ? [v.blob, ...ids] : ids;
}

export interface ObjectVersion extends VersionData {
  bucket: string;
  key: string;
  versionId: string;
  ord: string;
  isLatest: boolean;
}

interface Row extends AttributeRow {
  bucket: string;
  key: string;
  version_id: string;
  ord: string;
  is_latest: number;
  delete_marker: number;
  last_modified: number;
  size: number;
  etag: string;
  checksum_alg: string | null;
  checksum_type: string | null;
  checksum: string | null;
  parts: string | null;
  blob: string | null;
  replication_status: string | null;
  owner_account: string | null;
}

function fromRow(r: Row): ObjectVersion {
  const v: ObjectVersion = {
    bucket: r.bucket,
    key: r.key,
    versionId: r.version_id,
    ord: r.ord,
    isLatest: r.is_latest === 1,
    deleteMarker: r.delete_marker === 1,
    lastModified: r.last_modified,
    size: r.size,
    etag: r.etag,
    ...attributesFromRow(r),
    blob: r.blob,
  };
  if (r.checksum_alg && r.checksum && r.checksum_type) {
    v.checksum = {
      algorithm: r.checksum_alg as ChecksumAlgorithm,
      type: r.checksum_type as ChecksumType,
      value: r.checksum,
    };
  }
  if (r.parts) v.parts = JSON.parse(r.parts) as PartLayout[];
  if (r.replication_status) v.replicationStatus = r.replication_status;
  if (r.owner_account) v.ownerAccount = r.owner_account;
  return v;
}

function orderKey(lastModified: number, sortId: string): string {
  return String(lastModified).padStart(15, '0') + '.' + sortId;
}

export interface PutResult {
  version: ObjectVersion;
  /** Blobs of versions this write replaced (the previous `null` version); delete them. */
  removedBlobs: string[];
}

export class ObjectStore {
  constructor(private readonly db: Db) {}

  current(bucket: string, key: string): ObjectVersion | undefined {
    const row = this.db
      .prepare('SELECT * FROM versions WHERE bucket = ? AND key = ? ORDER BY ord DESC LIMIT 1')
      .get(bucket, key) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  version(bucket: string, key: string, versionId: string): ObjectVersion | undefined {
    const row = this.db
      .prepare('SELECT * FROM versions WHERE bucket = ? AND key = ? AND version_id = ?')
      .get(bucket, key, versionId) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** Writes a new version as the bucket's versioning state dictates. Run inside a transaction. */
  put(bucket: string, key: string, versioning: Versioning, data: VersionData): PutResult {
    const removedBlobs: string[] = [];
    const sortId = newVersionId(data.lastModified);
    let versionId = sortId;
    if (versioning !== 'Enabled') {
      versionId = 'null';
      const old = this.version(bucket, key, 'null');
      if (old) {
        removedBlobs.push(...blobsOf(old));
        this.db
          .prepare("DELETE FROM versions WHERE bucket = ? AND key = ? AND version_id = 'null'")
          .run(bucket, key);
      }
    }
    this.insert(bucket, key, versionId, orderKey(data.lastModified, sortId), data);
    this.refreshLatest(bucket, key);
    return { version: this.version(bucket, key, versionId) as ObjectVersion, removedBlobs };
  }

  /** Stores a replica under its source version id; false when that version is already here. */
  putReplica(bucket: string, key: string, versionId: string, data: VersionData): boolean {
    if (this.version(bucket, key, versionId)) return false;
    this.insert(bucket, key, versionId, orderKey(data.lastModified, versionId), data);
    this.refreshLatest(bucket, key);
    return true;
  }

  /** Permanently removes one version; returns it (for its blob) or undefined. */
  deleteVersion(bucket: string, key: string, versionId: string): ObjectVersion | undefined {
    const v = this.version(bucket, key, versionId);
    if (!v) return undefined;
    this.db
      .prepare('DELETE FROM versions WHERE bucket = ? AND key = ? AND version_id = ?')
      .run(bucket, key, versionId);
    this.refreshLatest(bucket, key);
    return v;
  }

  setTags(bucket: string, key: string, versionId: string, tags: Tag[]): void {
    this.db
      .prepare('UPDATE versions SET tags = ? WHERE bucket = ? AND key = ? AND version_id = ?')
      .run(JSON.stringify(tags), bucket, key, versionId);
  }

  setReplicationStatus(
    bucket: string,
    key: string,
    versionId: string,
    status: string | null,
  ): void {
    this.db
      .prepare(
        'UPDATE versions SET replication_status = ? WHERE bucket = ? AND key = ? AND version_id = ?',
      )
      .run(status, bucket, key, versionId);
  }

  /** Versions (not delete markers) never queued for replication (no status), in write order. */
  unreplicated(bucket: string): ObjectVersion[] {
    return (
      this.db
        .prepare(
          'SELECT * FROM versions WHERE bucket = ? AND replication_status IS NULL AND delete_marker = 0 ORDER BY ord, key',
        )
        .all(bucket) as Row[]
    ).map(fromRow);
  }

  /** Current, non-deleted objects in key order (ListObjects / ListObjectsV2). */
  listCurrent(bucket: string, startAfter: string, opts: ListOptions): Listed<ObjectVersion> {
    const gt = this.db.prepare(
      'SELECT * FROM versions WHERE bucket = ? AND is_latest = 1 AND delete_marker = 0 AND key > ? ORDER BY key LIMIT ?',
    );
    const ge = this.db.prepare(
      'SELECT * FROM versions WHERE bucket = ? AND is_latest = 1 AND delete_marker = 0 AND key >= ? ORDER BY key LIMIT ?',
    );
    return collect(
      (c: Cursor, limit) =>
        ((c.inclusive ? ge : gt).all(bucket, c.key, limit) as Row[]).map(fromRow),
      (row) => ({ key: row.key, inclusive: false }),
      { key: startAfter, inclusive: false },
      opts,
    );
  }

  /**
   * All versions and delete markers, key ascending then newest first (ListObjectVersions).
   * `afterOrd` continues inside `keyMarker`'s versions; undefined starts after the key.
   */
  listVersions(
    bucket: string,
    keyMarker: string,
    afterOrd: string | undefined,
    opts: ListOptions,
  ): Listed<ObjectVersion> {
    const stmt = this.db.prepare(
      'SELECT * FROM versions WHERE bucket = ? AND (key > ? OR (key = ? AND ord < ?)) ORDER BY key, ord DESC LIMIT ?',
    );
    const stmtInclusive = this.db.prepare(
      'SELECT * FROM versions WHERE bucket = ? AND key >= ? ORDER BY key, ord DESC LIMIT ?',
    );
    return collect(
      (c: Cursor, limit) =>
        (
          (c.inclusive
            ? stmtInclusive.all(bucket, c.key, limit)
            : stmt.all(bucket, c.key, c.key, c.tie ?? '', limit)) as Row[]
        ).map(fromRow),
      (row) => ({ key: row.key, inclusive: false, tie: row.ord }),
      { key: keyMarker, inclusive: false, tie: afterOrd ?? '' },
      opts,
    );
  }

  /** Every blob id a version or an upload part refers to (for the startup sweep). */
  blobIds(): Set<string> {
    const ids = new Set(
      this.db
        .prepare('SELECT blob FROM versions WHERE blob IS NOT NULL UNION SELECT blob FROM parts')
        .pluck()
        .all() as string[],
    );
    const layouts = this.db
      .prepare('SELECT parts FROM versions WHERE parts IS NOT NULL')
      .pluck()
      .all() as string[];
    for (const layout of layouts) {
      for (const part of JSON.parse(layout) as PartLayout[]) if (part.blob) ids.add(part.blob);
    }
    return ids;
  }

  private insert(
    bucket: string,
    key: string,
    versionId: string,
    ord: string,
    d: VersionData,
  ): void {
    this.db
      .prepare(
        `INSERT INTO versions (bucket, key, version_id, ord, is_latest, delete_marker, last_modified, size, etag,
           ${ATTRIBUTE_COLUMNS}, checksum_alg, checksum_type, checksum, parts, blob, replication_status, owner_account)
         VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        bucket,
        key,
        versionId,
        ord,
        d.deleteMarker ? 1 : 0,
        d.lastModified,
        d.size,
        d.etag,
        ...attributeValues(d),
        d.checksum?.algorithm ?? null,
        d.checksum?.type ?? null,
        d.checksum?.value ?? null,
        d.parts ? JSON.stringify(d.parts) : null,
        d.blob,
        d.replicationStatus ?? null,
        d.ownerAccount ?? null,
      );
  }

  private refreshLatest(bucket: string, key: string): void {
    this.db
      .prepare(
        `UPDATE versions SET is_latest = (ord = (SELECT max(ord) FROM versions WHERE bucket = @bucket AND key = @key))
         WHERE bucket = @bucket AND key = @key`,
      )
      .run({ bucket, key });
  }
}
