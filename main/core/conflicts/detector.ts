// Finds conflicts (DESIGN.md sections 1 and 2) incrementally: each look lists the versions of
// the folder's prefix in every bucket of its replication group, compares them with what the
// last look saw, and only for the keys that changed (plus keys still settling, and index rows
// changed since the last look) reads the lineage of versions it has not read before (one HEAD
// each), rebuilds the key's version graph and records or clears its conflicts. A resolution (a
// version whose rs-base names every head) leaves one head, so the next look clears the fork.
import type { S3Client } from '@aws-sdk/client-s3';
import type { IndexDb } from '../index/index-db.js';
import type { BucketRef } from '../replication/rules.js';
import { limitConcurrency } from '../watch/scanner.js';
import { classifyS3Error } from '../transfer/s3-errors.js';
import { listVersions, type BucketTarget } from './bucket-reader.js';
import {
  divergenceFinding,
  forkFinding,
  sideOf,
  type ConflictFinding,
  type ConflictKind,
  type ConflictRecord,
  type ConflictSide,
} from './conflict-record.js';
import {
  ConflictStore,
  type ChangedFile,
  type Presence,
  type PresenceMap,
  type StoredFacts,
} from './conflict-store.js';
import {
  analyzeKey,
  nodeId,
  ROOT,
  type KeyAnalysis,
  type ListedVersion,
  type VersionFacts,
} from './version-graph.js';
import { readPlan, readStep } from './version-reader.js';

export type {
  ConflictFinding,
  ConflictKind,
  ConflictRecord,
  ConflictSide,
} from './conflict-record.js';

/**
 * A bucket of a replication group: a replication destination (`bucket` is its S3 name), or
 * another endpoint of the folder's own bucket (multisite: `bucket` is `name@label`, `s3Name`
 * the name, `accountId` the endpoint's account).
 */
export interface GroupMember extends BucketRef {
  s3Name?: string;
  accountId?: string;
}

/** The folder fields the detector needs (a FolderConfig or FolderRecord fits). */
export interface ConflictFolder {
  id: string;
  bucket: string;
  region: string;
  /** '' or ending in '/'. */
  prefix: string;
}

/** What one look changed; sent to onChange when anything did. */
export interface ConflictChange {
  folderId: string;
  found: ConflictRecord[];
  updated: ConflictRecord[];
  resolved: ConflictRecord[];
}

export interface ScanReport {
  folderId: string;
  /** Keys listed across the group's buckets. */
  keys: number;
  /** Keys whose graph was rebuilt (changed, still settling, or flagged in the index). */
  looked: number;
  /** HEAD requests sent. */
  heads: number;
  found: number;
  updated: number;
  resolved: number;
  /** Open conflicts of the folder after the look. */
  open: number;
  /** Buckets whose region could not be reached: their last listing stood in. */
  unreachable: string[];
}

export interface ConflictDetectorOptions {
  db: IndexDb;
  /** The client that reaches one bucket of the folder's group (each with its own account). */
  clientFor(folder: ConflictFolder, member: GroupMember): S3Client;
  /** The buckets of the folder's replication group (its own bucket is always included). */
  group(folder: ConflictFolder): readonly GroupMember[];
  onChange?(change: ConflictChange): void;
  /** Installation id, shown as the device of the local side of a local-remote conflict. */
  device?: string;
  /** How long a replica may take to arrive, for judging versions without lineage (15 min). */
  replicationWindowMs?: number;
  /** Parallel HEAD requests (8). */
  headConcurrency?: number;
  now?: () => number;
}

const GRAPH_KINDS: readonly ConflictKind[] = ['fork', 'possible', 'divergence'];
const DEFAULT_WINDOW_MS = 15 * 60_000;

type Listings = Map<string, Map<string, ListedVersion[]>>;

export class ConflictDetector {
  readonly store: ConflictStore;
  private readonly now: () => number;
  private readonly windowMs: number;
  private readonly limit: <T>(fn: () => Promise<T>) => Promise<T>;
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(private readonly opts: ConflictDetectorOptions) {
    this.now = opts.now ?? Date.now;
    this.store = new ConflictStore(opts.db, { now: this.now });
    this.windowMs = opts.replicationWindowMs ?? DEFAULT_WINDOW_MS;
    this.limit = limitConcurrency(Math.max(1, opts.headConcurrency ?? 8));
  }

  /** Open conflicts, of one folder or all, oldest first. */
  conflicts(folderId?: string): ConflictRecord[] {
    return this.store.open(folderId);
  }

  /** One incremental look at a folder; looks at the same folder run one after another. */
  scan(folder: ConflictFolder): Promise<ScanReport> {
    const previous = this.running.get(folder.id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.look(folder));
    this.running.set(folder.id, next);
    void next
      .finally(() => {
        if (this.running.get(folder.id) === next) this.running.delete(folder.id);
      })
      .catch(() => undefined);
    return next;
  }

  private groupOf(folder: ConflictFolder): BucketTarget[] {
    const refs: GroupMember[] = [
      { bucket: folder.bucket, region: folder.region },
      ...this.opts.group(folder),
    ];
    const seen = new Set<string>();
    return refs
      .filter((r) => !seen.has(r.bucket) && seen.add(r.bucket))
      .map((r) => ({
        bucket: r.bucket,
        region: r.region,
        ...(r.s3Name ? { s3Name: r.s3Name } : {}),
        client: this.opts.clientFor(folder, r),
      }));
  }

  /**
   * Every bucket's versions of the prefix. A bucket whose region cannot be reached now (a
   * transient error) stands in with what it listed at the last look; any other error, or no
   * bucket reachable at all, fails the look (nothing is recorded).
   */
  private async listGroup(
    folder: ConflictFolder,
    group: BucketTarget[],
    presence: PresenceMap,
  ): Promise<{ listed: Listings; unreachable: Set<string> }> {
    const results = await Promise.allSettled(group.map((g) => listVersions(g, folder.prefix)));
    const listed: Listings = new Map();
    const unreachable = new Set<string>();
    results.forEach((r, i) => {
      const { bucket } = group[i] as BucketTarget;
      if (r.status === 'fulfilled') return void listed.set(bucket, r.value);
      const err = classifyS3Error(r.reason, { bucket, operation: 'list the versions of' });
      if (!err.retryable) throw err;
      unreachable.add(bucket);
      listed.set(bucket, fromPresence(bucket, presence.get(bucket)));
    });
    if (unreachable.size === group.length)
      throw classifyS3Error((results[0] as PromiseRejectedResult).reason);
    return { listed, unreachable };
  }

  private async look(folder: ConflictFolder): Promise<ScanReport> {
    const startedAt = this.now();
    const group = this.groupOf(folder);
    const buckets = group.map((g) => g.bucket);
    const refs = group.map(({ bucket, region }) => ({ bucket, region }));
    const { store } = this;
    const presence = store.presence(folder.id);
    const { listed, unreachable } = await this.listGroup(folder, group, presence);
    const reachable = new Set(buckets.filter((b) => !unreachable.has(b)));

    const changed = new Set<string>();
    for (const bucket of reachable) {
      const now = listed.get(bucket) as Map<string, ListedVersion[]>;
      const before = presence.get(bucket) ?? new Map<string, Map<string, Presence>>();
      for (const [key, versions] of now) if (differs(versions, before.get(key))) changed.add(key);
      for (const key of before.keys()) if (!now.has(key)) changed.add(key);
    }
    const leftGroup = [...presence.keys()].filter((b) => !buckets.includes(b));
    for (const b of leftGroup) for (const key of presence.get(b)?.keys() ?? []) changed.add(key);

    // Index rows changed since the last look, and the rows of open local-remote conflicts.
    const indexMark = store.mark(folder.id, 'index') ?? 0;
    const files = new Map<string, ChangedFile | undefined>();
    for (const f of store.changedFiles(folder.id, indexMark)) files.set(f.key, f);
    const openLocal = new Set(store.openOfKind(folder.id, 'local-remote').map((r) => r.key));
    for (const key of openLocal)
      if (!files.has(key)) files.set(key, store.fileByKey(folder.id, key));

    const keys = new Set([...changed, ...store.watched(folder.id)]);
    for (const [key, f] of files) if (f?.state === 'conflict') keys.add(key);
    const versionsOf = (key: string): ListedVersion[] =>
      buckets.flatMap((bucket) =>
        (listed.get(bucket)?.get(key) ?? []).map((v) => ({
          ...v,
          firstSeen: presence.get(bucket)?.get(key)?.get(v.versionId)?.firstSeen ?? startedAt,
        })),
      );
    const work = [...keys].sort().map((key) => {
      const versions = versionsOf(key);
      const facts = store.facts(folder.id, key);
      return { key, versions, facts, plan: readPlan(versions, facts, buckets, reachable) };
    });

    // Lineage of versions not read before; replication status of those still pending.
    let heads = 0;
    const fresh: { key: string; facts: StoredFacts }[] = [];
    const readNow = new Set<string>();
    const target = (bucket: string): BucketTarget =>
      group.find((g) => g.bucket === bucket) as BucketTarget;
    await Promise.all(
      work.flatMap(({ key, facts, plan }) =>
        plan.steps.map((step) =>
          this.limit(async () => {
            const ctx = { key, buckets, reachable, target, now: this.now, sent: () => heads++ };
            const read = await readStep(step, ctx);
            if (!read) return;
            facts.set(step.nodeId, read);
            fresh.push({ key, facts: read });
            readNow.add(`${key}\u0000${step.nodeId}`);
          }),
        ),
      ),
    );

    const findings: ConflictFinding[] = [];
    const clear: { key: string; kind: ConflictKind }[] = [];
    const watch = new Map<string, boolean>();
    const analyses = new Map<string, KeyAnalysis>();
    for (const { key, versions, facts, plan } of work) {
      const graphFacts = new Map<string, VersionFacts>();
      for (const [id, f] of facts)
        graphFacts.set(id, {
          lineage: f.lineage,
          origin: f.origin,
          originStatus: f.originStatus,
          // Read during this look, the listings may predate what the status says.
          statusBeforeListing: !readNow.has(`${key}\u0000${id}`),
        });
      const a = analyzeKey({
        buckets,
        listed: versions,
        facts: graphFacts,
        now: this.now(),
        windowMs: this.windowMs,
      });
      analyses.set(key, a);
      const unread = a.nodes.some((n) => !n.deleteMarker && !n.read);
      watch.set(key, versions.length > 0 && (!a.settled || unread || unreachable.size > 0));
      // Versions only an unreachable bucket lists cannot be judged: keep what was recorded.
      if (plan.blocked) continue;
      const found: Partial<Record<ConflictKind, ConflictFinding>> = {};
      if (a.fork) found.fork = forkFinding(folder.id, key, a.fork, refs, true);
      if (a.possible) found.possible = forkFinding(folder.id, key, a.possible, refs, false);
      if (a.divergence) found.divergence = divergenceFinding(folder.id, key, a.divergence, refs);
      for (const kind of GRAPH_KINDS) {
        const f = found[kind];
        if (f) findings.push(f);
        // With a bucket out of reach, replication has not settled: divergence stays as it was.
        else if (kind !== 'divergence' || unreachable.size === 0) clear.push({ key, kind });
      }
    }
    for (const [key, file] of files) {
      if (file?.state !== 'conflict') {
        if (openLocal.has(key)) clear.push({ key, kind: 'local-remote' });
        continue;
      }
      const remote = analyses.get(key)?.nodes.find((n) => n.currentIn.includes(folder.bucket));
      findings.push({
        folderId: folder.id,
        key,
        kind: 'local-remote',
        sides: [this.localSide(folder, file), ...(remote ? [sideOf(remote, refs)] : [])],
        base: [file.versionId ?? ROOT],
        missing: [],
        detail: file.error ?? `${file.relPath}: changed here and in the bucket`,
      });
    }

    const change: ConflictChange = { folderId: folder.id, found: [], updated: [], resolved: [] };
    store.transaction(() => {
      for (const { key, facts } of fresh) store.saveFacts(folder.id, key, facts);
      for (const { key, versions } of work)
        store.pruneFacts(
          folder.id,
          key,
          new Set(versions.map((v) => nodeId(v.versionId, v.bucket))),
        );
      for (const [key, on] of watch) store.setWatched(folder.id, key, on);
      for (const key of changed)
        for (const bucket of reachable) {
          const p = new Map<string, Presence>();
          for (const v of listed.get(bucket)?.get(key) ?? [])
            p.set(v.versionId, {
              isLatest: v.isLatest,
              lastModified: v.lastModified,
              size: v.size,
              deleteMarker: v.deleteMarker,
              firstSeen: presence.get(bucket)?.get(key)?.get(v.versionId)?.firstSeen ?? startedAt,
            });
          store.setPresence(folder.id, bucket, key, p);
        }
      for (const b of leftGroup) store.dropPresence(folder.id, b);
      for (const f of findings) {
        const r = store.save(f);
        if (r.change !== 'unchanged') change[r.change].push(r.record);
      }
      for (const { key, kind } of clear) {
        const r = store.resolve(folder.id, key, kind);
        if (r) change.resolved.push(r);
      }
      let reached = indexMark;
      for (const f of files.values()) reached = Math.max(reached, f?.updatedAt ?? 0);
      store.setMark(folder.id, 'index', reached);
      for (const bucket of reachable) store.setMark(folder.id, bucket, startedAt);
    });
    if (change.found.length + change.updated.length + change.resolved.length > 0)
      this.opts.onChange?.(change);
    const all = new Set<string>();
    for (const m of listed.values()) for (const k of m.keys()) all.add(k);
    return {
      folderId: folder.id,
      keys: all.size,
      looked: work.length,
      heads,
      found: change.found.length,
      updated: change.updated.length,
      resolved: change.resolved.length,
      open: store.open(folder.id).length,
      unreachable: [...unreachable],
    };
  }

  private localSide(folder: ConflictFolder, file: ChangedFile): ConflictSide {
    return {
      versionId: null,
      device: this.opts.device ?? null,
      region: folder.region,
      bucket: folder.bucket,
      size: file.size,
      lastModified: Math.round(file.mtimeMs),
      sha256: file.sha256,
      isCurrent: false,
      currentIn: [],
      bases: file.versionId ? [file.versionId] : [],
      deleteMarker: false,
      local: true,
    };
  }
}

/** The listing of a key in one bucket differs from what the last look recorded. */
function differs(versions: ListedVersion[], before: Map<string, Presence> | undefined): boolean {
  if (!before || before.size !== versions.length) return true;
  return versions.some((v) => before.get(v.versionId)?.isLatest !== v.isLatest);
}

/** What a bucket listed at the last look, as a listing (for a bucket out of reach now). */
function fromPresence(
  bucket: string,
  keys: Map<string, Map<string, Presence>> | undefined,
): Map<string, ListedVersion[]> {
  const out = new Map<string, ListedVersion[]>();
  for (const [key, versions] of keys ?? [])
    out.set(
      key,
      [...versions].map(([versionId, p]) => ({
        bucket,
        versionId,
        isLatest: p.isLatest,
        lastModified: p.lastModified,
        size: p.size,
        deleteMarker: p.deleteMarker,
      })),
    );
  return out;
}
