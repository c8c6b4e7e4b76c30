// Done parts of multipart uploads, so an upload resumes across restarts without
// re-sending what S3 already has. Rows hang off the file row and go with it.
import type Database from 'better-sqlite3';
import type { IndexDb } from './index-db.js';

export interface PartRecord {
  partNumber: number;
  etag: string;
  /** The part's checksum as sent (base64), needed again for CompleteMultipartUpload. */
  checksum: string | null;
  size: number;
}

interface PartRow {
  part_number: number;
  etag: string;
  checksum: string | null;
  size: number;
}

type Params = Record<string, unknown>;

export class MultipartParts {
  private readonly recordStmt: Database.Statement<[Params]>;
  private readonly listStmt: Database.Statement<[string, string, string], PartRow>;
  private readonly clearOneStmt: Database.Statement<[string, string, string]>;
  private readonly clearAllStmt: Database.Statement<[string, string]>;

  constructor(db: IndexDb) {
    this.recordStmt = db.prepare(
      `INSERT INTO multipart_parts (folder_id, rel_path, upload_id, part_number, etag, checksum,
         size)
       VALUES (@folderId, @relPath, @uploadId, @partNumber, @etag, @checksum, @size)
       ON CONFLICT (folder_id, rel_path, upload_id, part_number) DO UPDATE SET
         etag = excluded.etag, checksum = excluded.checksum, size = excluded.size`,
    );
    this.listStmt = db.prepare(
      `SELECT part_number, etag, checksum, size FROM multipart_parts
       WHERE folder_id = ? AND rel_path = ? AND upload_id = ? ORDER BY part_number`,
    );
    this.clearOneStmt = db.prepare(
      'DELETE FROM multipart_parts WHERE folder_id = ? AND rel_path = ? AND upload_id = ?',
    );
    this.clearAllStmt = db.prepare(
      'DELETE FROM multipart_parts WHERE folder_id = ? AND rel_path = ?',
    );
  }

  /**
   * Records a finished part (a re-sent part replaces the old row). The file row must
   * exist: upsert it with state 'uploading' and its uploadId first.
   */
  record(folderId: string, relPath: string, uploadId: string, part: PartRecord): void {
    try {
      this.recordStmt.run({ folderId, relPath, uploadId, ...part });
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
        throw new Error(
          `cannot record part ${part.partNumber} of ${relPath}: the file has no index row; ` +
            `upsert it (state 'uploading', uploadId) before uploading parts`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  /** Done parts of one upload, by part number. */
  list(folderId: string, relPath: string, uploadId: string): PartRecord[] {
    return this.listStmt.all(folderId, relPath, uploadId).map((r) => ({
      partNumber: r.part_number,
      etag: r.etag,
      checksum: r.checksum,
      size: r.size,
    }));
  }

  /** Forgets one upload's parts (completed or aborted), or all of the file's without an id. */
  clear(folderId: string, relPath: string, uploadId?: string): number {
    const result =
      uploadId === undefined
        ? this.clearAllStmt.run(folderId, relPath)
        : this.clearOneStmt.run(folderId, relPath, uploadId);
    return result.changes;
  }
}
