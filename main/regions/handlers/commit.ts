// The one way a new version (object or delete marker) becomes visible: move its blob into
// place, then in one SQLite transaction re-check conditions, store the version and queue its
// replication. Used by PutObject, CopyObject, CompleteMultipartUpload and DeleteObject(s).
import { checkWriteConditions, type WriteConditions, type WriteTicket } from '../conditional.js';
import type { Ctx } from '../context.js';
import { noSuchBucket } from '../error-catalog.js';
import type { Bucket } from '../store/buckets.js';
import type { ObjectVersion, VersionData } from '../store/objects.js';

export interface CommitOptions {
  /** Temp file with the bytes (undefined for delete markers). */
  tmp?: string;
  conditions?: WriteConditions;
  ticket?: WriteTicket;
  /** Runs inside the transaction, before the version is stored; throwing aborts the write. */
  inTransaction?: () => void;
}

export async function commitVersion(
  ctx: Ctx,
  bucketName: string,
  key: string,
  data: Omit<VersionData, 'blob'>,
  opts: CommitOptions = {},
): Promise<{ version: ObjectVersion; bucket: Bucket }> {
  const { rt } = ctx;
  const blob = opts.tmp ? await rt.blobs.commit(opts.tmp) : null;
  let queued = false;
  let result: { version: ObjectVersion; removedBlobs: string[]; bucket: Bucket };
  try {
    result = rt.db.transaction(() => {
      // Read the bucket again: its versioning or replication may have changed during the upload.
      const bucket = rt.buckets.get(bucketName);
      if (!bucket) throw noSuchBucket(bucketName);
      if (opts.ticket) rt.writes.assertNoConflict(opts.ticket, key);
      if (opts.conditions)
        checkWriteConditions(opts.conditions, key, rt.objects.current(bucketName, key));
      opts.inTransaction?.();
      const dests = rt.replication.plan(bucket, key, data.tags, data.deleteMarker);
      const full: VersionData = { ...data, blob };
      if (dests.length > 0) full.replicationStatus = 'PENDING';
      const put = rt.objects.put(bucketName, key, bucket.versioning, full);
      if (dests.length > 0) {
        rt.replication.enqueue(bucket, key, put.version.versionId, dests, put.version.size);
        queued = true;
      }
      return { ...put, bucket };
    })();
  } catch (err) {
    await rt.blobs.remove(blob);
    throw err;
  }
  rt.writes.committed(bucketName, key);
  for (const old of result.removedBlobs) await rt.blobs.remove(old);
  if (queued) rt.replication.kick();
  return { version: result.version, bucket: result.bucket };
}
