// Cross-region replication: a persisted queue (SQLite) of (version, destination) tasks and an
// asynchronous worker that copies each version to its destination with the same version id,
// Last-Modified, metadata and tags, its checksum computed from the bytes written there. Replicas
// are marked REPLICA and never queued again, so two buckets replicating into each other do not
// loop. Also: tag changes (to replicas; back from replicas with ReplicaModifications), existing
// objects when a rule with ExistingObjectReplication is put, and Metrics/RTC counters.
import type { WriteTracker } from './conditional.js';
import type { Faults } from './faults.js';
import type { ReplicaChecksums, ReplicaHash } from './replica-checksum.js';
import {
  destinationsFor,
  modificationDestinations,
  type Destination,
  type ReplicationConfig,
} from './replication-config.js';
import type { ReplicationMetrics, RuleMetrics } from './replication-metrics.js';
import type { BlobStore } from './store/blobs.js';
import type { Bucket, BucketStore } from './store/buckets.js';
import type { Db } from './store/db.js';
import type { ObjectStore, ObjectVersion } from './store/objects.js';
import type { Tag } from './tags.js';

interface TaskRow {
  id: number;
  src_bucket: string;
  key: string;
  version_id: string;
  dest_bucket: string;
  storage_class: string | null;
  created: number;
  not_before: number;
  attempts: number;
  rule_id: string | null;
  size: number;
  owner_account: string | null;
  /** 'version': copy the version; 'tags': carry the version's current tags to its copy. */
  kind: 'version' | 'tags';
}

export interface ReplicationStats {
  pending: number;
  failed: number;
}

export interface ReplicatorDeps {
  db: Db;
  blobs: BlobStore;
  buckets: BucketStore;
  objects: ObjectStore;
  faults: Faults;
  writes: WriteTracker;
  checksums: ReplicaChecksums;
  metrics: ReplicationMetrics;
  log: (line: string) => void;
}

const BATCH = 32;
const PARALLEL = 4;
const ERROR_RETRY_MS = 500;

// Pending tasks whose source and destination regions are both up (a task waits while either
// is down; a bucket that no longer exists never blocks). @down is a JSON array of the regions
// that are down.
const UNBLOCKED = `replication_queue q
  LEFT JOIN buckets s ON s.name = q.src_bucket
  LEFT JOIN buckets d ON d.name = q.dest_bucket
  WHERE q.state = 'pending'
    AND coalesce(s.region, '') NOT IN (SELECT value FROM json_each(@down))
    AND coalesce(d.region, '') NOT IN (SELECT value FROM json_each(@down))`;

export class Replicator {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private rerun = false;

  constructor(private readonly d: ReplicatorDeps) {}

  /** Destinations a new local version of `bucket` goes to (none for unreplicated buckets). */
  plan(bucket: Bucket, key: string, tags: Tag[], deleteMarker: boolean): Destination[] {
    if (!bucket.replication) return [];
    return destinationsFor(bucket.replication, key, tags, deleteMarker);
  }

  /** Queues a version for its destinations. Call inside the transaction that stores it. */
  enqueue(
    srcBucket: Bucket,
    key: string,
    versionId: string,
    dests: Destination[],
    size = 0,
    kind: TaskRow['kind'] = 'version',
  ): void {
    const now = Date.now();
    const delay = this.d.faults.get(srcBucket.region).replicationDelayMs;
    const insert = this.d.db.prepare(
      `INSERT INTO replication_queue (src_bucket, key, version_id, dest_bucket, storage_class, created, not_before,
         rule_id, size, owner_account, kind)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const dest of dests) {
      insert.run(
        srcBucket.name,
        key,
        versionId,
        dest.bucket,
        dest.storageClass ?? null,
        now,
        now + delay,
        dest.ruleId,
        size,
        dest.ownerAccount ?? null,
        kind,
      );
    }
  }

  /**
   * After a tag change of an existing version: a source version's tags follow it to its
   * replicas; a replica's tags go back to the source only where the replica's bucket has a rule
   * with ReplicaModifications Enabled (replica modification sync). Call inside the transaction.
   */
  tagsChanged(bucket: Bucket, v: ObjectVersion): boolean {
    if (!bucket.replication || v.deleteMarker) return false;
    const isReplica = v.replicationStatus === 'REPLICA';
    if (!isReplica && !v.replicationStatus) return false; // never replicated: nothing to update
    const dests = modificationDestinations(bucket.replication, v.key, v.tags, isReplica);
    this.enqueue(bucket, v.key, v.versionId, dests, 0, 'tags');
    return dests.length > 0;
  }

  /**
   * Existing-object replication: when a configuration is put, the versions of the bucket that
   * were never replicated (no replication status; replicas and delete markers excluded) are queued for the rules
   * with ExistingObjectReplication Enabled — what S3 does with a Batch Replication job.
   * Call inside the transaction that stores the configuration; returns how many were queued.
   */
  replicateExisting(bucket: Bucket, config: ReplicationConfig): number {
    const rules = config.rules.filter((r) => r.existingObjectReplication === 'Enabled');
    if (rules.length === 0) return 0;
    const subset: ReplicationConfig = { role: config.role, rules };
    let queued = 0;
    for (const v of this.d.objects.unreplicated(bucket.name)) {
      const dests = destinationsFor(subset, v.key, v.tags, v.deleteMarker);
      if (dests.length === 0) continue;
      this.d.objects.setReplicationStatus(bucket.name, v.key, v.versionId, 'PENDING');
      this.enqueue(bucket, v.key, v.versionId, dests, v.size);
      queued++;
    }
    return queued;
  }

  start(): void {
    this.stopped = false;
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Runs the worker soon (after a write, or when a region comes back). */
  kick(delayMs = 0): void {
    if (this.stopped) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.drain().finally(() => {
        this.running = undefined;
        if (this.rerun) {
          this.rerun = false;
          this.kick();
        } else {
          this.scheduleNext();
        }
      });
    }, delayMs);
    this.timer.unref?.();
  }

  /** Per rule with Metrics Enabled: pending, completed, failed, missed-threshold counters. */
  metrics(): RuleMetrics[] {
    return this.d.metrics.report();
  }

  stats(): ReplicationStats {
    const row = this.d.db
      .prepare(
        `SELECT sum(state = 'pending') AS pending, sum(state = 'failed') AS failed FROM replication_queue`,
      )
      .get() as { pending: number | null; failed: number | null };
    return { pending: row.pending ?? 0, failed: row.failed ?? 0 };
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    const next = this.d.db
      .prepare(`SELECT min(q.not_before) FROM ${UNBLOCKED}`)
      .pluck()
      .get({ down: this.downRegions() }) as number | null;
    if (next !== null) this.kick(Math.max(next - Date.now(), 5));
  }

  private downRegions(): string {
    return JSON.stringify(
      Object.entries(this.d.faults.all())
        .filter(([, f]) => f.down)
        .map(([name]) => name),
    );
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const due = this.d.db
        .prepare(`SELECT q.* FROM ${UNBLOCKED} AND q.not_before <= @now ORDER BY q.id LIMIT @limit`)
        .all({ down: this.downRegions(), now: Date.now(), limit: BATCH }) as TaskRow[];
      if (due.length === 0) return;
      for (let i = 0; i < due.length; i += PARALLEL) {
        await Promise.all(due.slice(i, i + PARALLEL).map((t) => this.run(t)));
      }
    }
  }

  private async run(t: TaskRow): Promise<void> {
    try {
      await this.replicate(t);
    } catch (err) {
      this.d.log(
        `replication of ${t.src_bucket}/${t.key} (${t.version_id}) to ${t.dest_bucket}: ${String(err)}`,
      );
      this.d.db
        .prepare(
          'UPDATE replication_queue SET attempts = attempts + 1, not_before = ?, last_error = ? WHERE id = ?',
        )
        .run(Date.now() + ERROR_RETRY_MS, String(err), t.id);
    }
  }

  /** Sets the copy's tags to the version's current tags (a copy not there yet is waited for). */
  private syncTags(t: TaskRow): void {
    const { objects, db } = this.d;
    db.transaction(() => {
      const source = objects.version(t.src_bucket, t.key, t.version_id);
      const copy = objects.version(t.dest_bucket, t.key, t.version_id);
      if (source && !copy) {
        const copying = db
          .prepare(
            `SELECT 1 FROM replication_queue WHERE kind = 'version' AND state = 'pending'
             AND src_bucket = ? AND key = ? AND version_id = ? AND dest_bucket = ?`,
          )
          .get(t.src_bucket, t.key, t.version_id, t.dest_bucket);
        if (copying) throw new Error('waiting for the version itself to be replicated');
      }
      if (source && copy && !copy.deleteMarker)
        objects.setTags(t.dest_bucket, t.key, t.version_id, source.tags);
      db.prepare('DELETE FROM replication_queue WHERE id = ?').run(t.id);
    })();
  }

  private async replicate(t: TaskRow): Promise<void> {
    const { objects, buckets, blobs, db } = this.d;
    if (t.kind === 'tags') {
      this.syncTags(t);
      return;
    }
    const source = objects.version(t.src_bucket, t.key, t.version_id);
    if (!source) {
      // The version was permanently deleted before it could be copied: nothing left to do.
      db.prepare('DELETE FROM replication_queue WHERE id = ?').run(t.id);
      return;
    }
    const refusal = this.refusal(buckets.get(t.dest_bucket));
    if (refusal) {
      this.finish(t, 'failed', refusal);
      return;
    }
    let blob: string | null = null;
    let hash: ReplicaHash | undefined;
    if (!source.deleteMarker) {
      // The replica gets its own copy of the bytes, as one blob even for a multipart object,
      // and its checksum is computed from the bytes stored at the destination (not copied).
      const tmp = await blobs.receive(blobs.readObject(source, 0, source.size - 1));
      blob = await blobs.commit(tmp.tmp);
      if (source.checksum) {
        const { algorithm, type } = source.checksum;
        const shape = { blob, size: source.size, ...(source.parts ? { parts: source.parts } : {}) };
        hash = await this.d.checksums.of(shape, algorithm, type);
      }
    }
    let inserted = false;
    db.transaction(() => {
      const late = this.refusal(buckets.get(t.dest_bucket));
      if (late) {
        this.finish(t, 'failed', late);
        return;
      }
      inserted = objects.putReplica(
        t.dest_bucket,
        t.key,
        t.version_id,
        replicaData(source, t, blob, hash),
      );
      this.finish(t, 'done');
    })();
    if (inserted) this.d.writes.committed(t.dest_bucket, t.key);
    else await blobs.remove(blob);
  }

  private refusal(dest: Bucket | undefined): string | undefined {
    if (!dest) return 'destination bucket does not exist';
    if (dest.versioning !== 'Enabled') return 'destination bucket versioning is not enabled';
    return undefined;
  }

  /** Resolves a task and updates the source version's status (COMPLETED only when all succeeded). */
  private finish(t: TaskRow, state: 'done' | 'failed', error?: string): void {
    const { db, objects } = this.d;
    db.transaction(() => {
      if (state === 'done') db.prepare('DELETE FROM replication_queue WHERE id = ?').run(t.id);
      else
        db.prepare(
          "UPDATE replication_queue SET state = 'failed', last_error = ? WHERE id = ?",
        ).run(error, t.id);
      this.d.metrics.record(t, state);
      const left = db
        .prepare(
          `SELECT sum(state = 'pending') AS pending, sum(state = 'failed') AS failed FROM replication_queue
           WHERE src_bucket = ? AND key = ? AND version_id = ? AND kind = 'version'`,
        )
        .get(t.src_bucket, t.key, t.version_id) as {
        pending: number | null;
        failed: number | null;
      };
      if (!left.pending) {
        objects.setReplicationStatus(
          t.src_bucket,
          t.key,
          t.version_id,
          left.failed ? 'FAILED' : 'COMPLETED',
        );
      }
    })();
    if (state === 'failed') this.d.log(`replication to ${t.dest_bucket} failed: ${error ?? ''}`);
  }
}

function replicaData(
  source: ObjectVersion,
  t: TaskRow,
  blob: string | null,
  hash: ReplicaHash | undefined,
): Parameters<ObjectStore['putReplica']>[3] {
  const data: Parameters<ObjectStore['putReplica']>[3] = {
    deleteMarker: source.deleteMarker,
    lastModified: source.lastModified,
    size: source.size,
    etag: source.etag,
    headers: source.headers,
    meta: source.meta,
    tags: source.tags,
    storageClass: t.storage_class ?? source.storageClass,
    blob,
    replicationStatus: source.deleteMarker ? undefined : 'REPLICA',
  };
  if (t.owner_account && !source.deleteMarker) data.ownerAccount = t.owner_account;
  if (source.contentType !== undefined) data.contentType = source.contentType;
  if (hash) data.checksum = hash.checksum;
  if (hash?.parts) data.parts = hash.parts;
  else if (source.parts) data.parts = source.parts.map(({ size }) => ({ size }));
  return data;
}
