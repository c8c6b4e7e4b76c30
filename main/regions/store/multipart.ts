// Multipart uploads in progress and their parts.
import type { ChecksumAlgorithm } from '../checksums.js';
import { ATTRIBUTE_COLUMNS, attributeValues, attributesFromRow } from './attributes.js';
import type { AttributeRow, ObjectAttributes } from './attributes.js';
import type { Db } from './db.js';
import { collect, type Cursor, type ListOptions, type Listed } from './listing.js';
import type { ChecksumType } from './objects.js';

export interface Upload extends ObjectAttributes {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: number;
  checksumAlgorithm?: ChecksumAlgorithm;
  checksumType?: ChecksumType;
}

export interface Part {
  uploadId: string;
  partNumber: number;
  size: number;
  /** Quoted md5 hex. */
  etag: string;
  /** base64 checksum of the part: in the upload's algorithm, else the one the client sent. */
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
  /** base64 CRC64NVME of the part, kept when the upload names no algorithm. */
  crc64?: string;
  lastModified: number;
  blob: string;
}

interface UploadRow extends AttributeRow {
  upload_id: string;
  bucket: string;
  key: string;
  initiated: number;
  checksum_alg: string | null;
  checksum_type: string | null;
}

interface PartRow {
  upload_id: string;
  part_number: number;
  size: number;
  etag: string;
  checksum_alg: string | null;
  checksum: string | null;
  crc64: string | null;
  last_modified: number;
  blob: string;
}

function uploadFromRow(r: UploadRow): Upload {
  const u: Upload = {
    uploadId: r.upload_id,
    bucket: r.bucket,
    key: r.key,
    initiated: r.initiated,
    ...attributesFromRow(r),
  };
  if (r.checksum_alg) u.checksumAlgorithm = r.checksum_alg as ChecksumAlgorithm;
  if (r.checksum_type) u.checksumType = r.checksum_type as ChecksumType;
  return u;
}

function partFromRow(r: PartRow): Part {
  const p: Part = {
    uploadId: r.upload_id,
    partNumber: r.part_number,
    size: r.size,
    etag: r.etag,
    lastModified: r.last_modified,
    blob: r.blob,
  };
  if (r.crc64) p.crc64 = r.crc64;
  if (r.checksum && r.checksum_alg) {
    p.checksum = { algorithm: r.checksum_alg as ChecksumAlgorithm, value: r.checksum };
  }
  return p;
}

const tieOf = (u: Upload): string => String(u.initiated).padStart(15, '0') + '.' + u.uploadId;

export class MultipartStore {
  constructor(private readonly db: Db) {}

  create(u: Upload): void {
    this.db
      .prepare(
        `INSERT INTO uploads (upload_id, bucket, key, initiated, ${ATTRIBUTE_COLUMNS},
           checksum_alg, checksum_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        u.uploadId,
        u.bucket,
        u.key,
        u.initiated,
        ...attributeValues(u),
        u.checksumAlgorithm ?? null,
        u.checksumType ?? null,
      );
  }

  get(uploadId: string): Upload | undefined {
    const row = this.db.prepare('SELECT * FROM uploads WHERE upload_id = ?').get(uploadId) as
      UploadRow | undefined;
    return row ? uploadFromRow(row) : undefined;
  }

  /**
   * Stores a part; returns the blob of the part it replaced (null if none), or undefined when
   * the upload no longer exists (completed or aborted meanwhile).
   */
  putPart(p: Part): string | null | undefined {
    return this.db.transaction(() => {
      if (!this.get(p.uploadId)) return undefined;
      const old = this.db
        .prepare('SELECT blob FROM parts WHERE upload_id = ? AND part_number = ?')
        .pluck()
        .get(p.uploadId, p.partNumber) as string | undefined;
      this.db
        .prepare(
          `INSERT OR REPLACE INTO parts (upload_id, part_number, size, etag, checksum_alg, checksum, crc64,
             last_modified, blob) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          p.uploadId,
          p.partNumber,
          p.size,
          p.etag,
          p.checksum?.algorithm ?? null,
          p.checksum?.value ?? null,
          p.crc64 ?? null,
          p.lastModified,
          p.blob,
        );
      return old ?? null;
    })();
  }

  parts(uploadId: string): Part[] {
    const rows = this.db
      .prepare('SELECT * FROM parts WHERE upload_id = ? ORDER BY part_number')
      .all(uploadId) as PartRow[];
    return rows.map(partFromRow);
  }

  listParts(
    uploadId: string,
    afterPart: number,
    maxParts: number,
  ): { parts: Part[]; truncated: boolean } {
    const rows = this.db
      .prepare(
        'SELECT * FROM parts WHERE upload_id = ? AND part_number > ? ORDER BY part_number LIMIT ?',
      )
      .all(uploadId, afterPart, maxParts + 1) as PartRow[];
    return { parts: rows.slice(0, maxParts).map(partFromRow), truncated: rows.length > maxParts };
  }

  /** Uploads in key order, then by initiation time (ListMultipartUploads). */
  listUploads(
    bucket: string,
    keyMarker: string,
    uploadIdMarker: string | undefined,
    opts: ListOptions,
  ): Listed<Upload> {
    let tie = '';
    if (uploadIdMarker !== undefined) {
      const marker = this.get(uploadIdMarker);
      tie = marker && marker.key === keyMarker ? tieOf(marker) : '~';
    }
    const stmt = this.db.prepare(
      `SELECT * FROM uploads WHERE bucket = @bucket AND (key > @key OR (key = @key AND
         (printf('%015d', initiated) || '.' || upload_id) > @tie)) ORDER BY key, initiated, upload_id LIMIT @limit`,
    );
    return collect(
      (c: Cursor, limit) =>
        (
          stmt.all({
            bucket,
            key: c.key,
            tie: c.inclusive ? '' : (c.tie ?? '~'),
            limit,
          }) as UploadRow[]
        ).map(uploadFromRow),
      (u) => ({ key: u.key, inclusive: false, tie: tieOf(u) }),
      { key: keyMarker, inclusive: false, tie: uploadIdMarker === undefined ? '~' : tie },
      opts,
    );
  }

  /** Forgets an upload and its parts; returns the part blobs to delete. */
  remove(uploadId: string): string[] {
    return this.db.transaction(() => {
      const blobs = this.db
        .prepare('SELECT blob FROM parts WHERE upload_id = ?')
        .pluck()
        .all(uploadId) as string[];
      this.db.prepare('DELETE FROM parts WHERE upload_id = ?').run(uploadId);
      this.db.prepare('DELETE FROM uploads WHERE upload_id = ?').run(uploadId);
      return blobs;
    })();
  }
}
