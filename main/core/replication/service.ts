// The replication façade: every `replication.*` and `regions.*` command mapped onto the
// modules of this folder. It gets the narrow views of the engine (folder directory, upload
// events, the index), never the engine: work on a folder uses that folder's own account. It
// also starts the replica tracker on every version written, and a canary after every save.
import type { S3Client } from '@aws-sdk/client-s3';
import {
  ContractError,
  type BucketReplication,
  type FileReplication,
  type ReplicationRuleModel,
  type ReplicationVerdict,
  type RtcBreach,
} from '../../contract/index.js';
import type { Account } from '../accounts/account.js';
import type { ReplicationHandlers } from '../command-handlers.js';
import type { LocalRegions } from '../regions-handle.js';
import { DisposableStore } from '../disposable.js';
import type { EventHub } from '../emitter.js';
import type { FileIndex } from '../index/file-index.js';
import type { IndexDb } from '../index/index-db.js';
import type { FolderDirectory, UploadEvents } from '../sync/folder-directory.js';
import { peerName } from '../sync/folder-peers.js';
import type { FolderConfig } from '../sync/folder-types.js';
import {
  bucketLocator,
  bucketPlace,
  DEFAULT_SIGNING_REGION,
  listBucketsWithRegions,
  type BucketLocator,
  type RegionPolicy,
} from './bucket-places.js';
import { CanaryRuns } from './canary-runs.js';
import type { CanaryTuning } from './canary.js';
import { checkRules, gatherCheckInput } from './checks.js';
import { listUnreplicated, replicateInPlace } from './existing.js';
import { saveBucketRules, toModel } from './rule-save.js';
import { deleteBucketReplication, readBucketReplication } from './rules.js';
import { simulate } from './simulator.js';
import { findStaleReplicas, placeDeleteMarkers } from './stale-replicas.js';
import { ReplicaTracker } from './status-tracker.js';
import { TrackerWiring } from './tracker-wiring.js';
import type { ReplicaDestination, TrackerTuning } from './tracker-config.js';
import { createTwoWay, previewTwoWay, type TwoWayInput } from './two-way.js';
import { outageHandlers } from './outage-commands.js';
import { roleHandlers } from './role-commands.js';
import { twoWayInputFor, type TwoWayArgs } from './two-way-input.js';

export interface ReplicationServiceOptions {
  folders: FolderDirectory;
  uploads: UploadEvents;
  /** The index database (the tracker keeps its tables there) and its file rows. */
  db: IndexDb;
  files: FileIndex;
  events: EventHub;
  activity: (level: 'info' | 'warn' | 'error', message: string) => void;
  localRegions?: LocalRegions | undefined;
  device: string;
  trackerTuning?: Partial<TrackerTuning>;
  /** The canary's window and backoff (tests use seconds). */
  canaryTuning?: Partial<CanaryTuning>;
  /** A copy missed the window of a rule with RTC (the tray's line; the event goes out too). */
  onRtcBreach?: (e: RtcBreach, total: number) => void;
}

/** How long a bucket's rules are reused before being read again. */
const RULES_TTL_MS = 30_000;

export class ReplicationService {
  readonly tracker: ReplicaTracker;
  private readonly disposables = new DisposableStore();
  private readonly rulesCache = new Map<
    string,
    { at: number; rules: Promise<ReplicationRuleModel[]> }
  >();
  private pending = new Map<string, FileReplication>();
  private flushTimer: NodeJS.Timeout | null = null;
  readonly canaries: CanaryRuns;
  private readonly outage: ReturnType<typeof outageHandlers>;

  private readonly wiring: TrackerWiring;

  constructor(private readonly o: ReplicationServiceOptions) {
    const { files } = o;
    this.wiring = new TrackerWiring(o);
    this.outage = outageHandlers(o);
    this.canaries = new CanaryRuns({ device: o.device, tuning: o.canaryTuning, log: o.activity });
    this.tracker = new ReplicaTracker({
      db: o.db,
      clientFor: (region, folderId, destination) => {
        const f = this.folder(folderId);
        const peer = f.peers?.find((p) => peerName(p.bucket, p.label) === destination);
        return peer
          ? this.o.folders.accountClient(peer.accountId, peer.region)
          : this.folderClient(f, region);
      },
      // The bucket's other endpoints (multisite) are followed like replication destinations.
      peersFor: (folderId) =>
        (this.o.folders.folder(folderId)?.peers ?? []).map((p) => ({
          bucket: peerName(p.bucket, p.label),
          region: p.region,
        })),
      destinationsFor: (bucket, key, source) =>
        this.destinationsFor(this.folder(source.folderId), bucket, source.region, key),
      onChange: (rows) => this.queueChanged(rows),
      onRtcBreach: (e) => this.wiring.rtcBreached(e),
      // The next edit bases on the rewritten version, unless the file moved on meanwhile.
      onRewrite: (e) => {
        if (files.get(e.folderId, e.relPath)?.versionId === e.previousVersionId)
          files.update(e.folderId, e.relPath, { versionId: e.versionId, etag: e.etag });
      },
      log: o.activity,
      ...(o.trackerTuning ? { tuning: o.trackerTuning } : {}),
    });
    this.disposables.add(
      o.uploads.onDidUpload((e) =>
        this.tracker.track({ ...e, sha256: e.sha256, uploadedAt: e.uploadedAt }),
      ),
    );
    // Rows synced while nobody listened (uploads as the engine started, pulled files) are
    // followed, and rows of removed files and folders forgotten: now, and as rows change.
    this.wiring.start(this.tracker);
    this.tracker.start();
  }

  /** Follows the untracked synced rows and forgets the rows of removed files (never throws). */
  reconcile(): { forgotten: number; adopted: number } {
    return this.wiring.reconcile();
  }

  readonly handlers: ReplicationHandlers = {
    'replication.buckets': async ({ accountId }) => {
      const account = this.account(accountId);
      const policy = regionPolicy(account);
      const home = this.client(account, this.homeRegion(account));
      const list = await listBucketsWithRegions(home, policy);
      return Promise.all(
        list.map(async (b) => {
          const client = this.client(account, b.region);
          return this.withVerdict(
            await readBucketReplication(client, { accountId, ...b }, this.locator(account, client)),
          );
        }),
      );
    },
    'replication.check': async ({ accountId, bucket, region, rules }) => {
      const account = this.account(accountId);
      const input = await gatherCheckInput((r) => this.client(account, r), {
        source: { bucket, region },
        rules: rules.map(toModel),
        local: account.kind === 'local',
        policy: regionPolicy(account),
      });
      return checkRules(input);
    },
    'replication.save': async ({ accountId, bucket, region, rules, role }) => {
      const account = this.account(accountId);
      const client = this.client(account, region);
      const saved = await saveBucketRules({
        accountId,
        local: account.kind === 'local',
        bucket,
        region,
        location: await bucketPlace(client, bucket, regionPolicy(account)).then(
          (p) => p.location,
          () => region,
        ),
        rules: rules.map(toModel),
        role,
        clientFor: (r) => this.client(account, r),
        locator: (c) => this.locator(account, c),
        policy: regionPolicy(account),
      });
      this.rulesCache.delete(`${accountId}\u0000${bucket}`);
      this.o.activity(
        'info',
        `Saved ${rules.length} replication rule${rules.length === 1 ? '' : 's'} of ${bucket}`,
      );
      this.afterSave(saved);
      return { ...saved, replicating: this.canaries.get(accountId, bucket) };
    },
    'replication.canary': async ({ accountId, bucket, region }) => {
      const client = this.client(this.account(accountId), region);
      const b = await readBucketReplication(
        client,
        { accountId, bucket, region },
        this.locator(this.account(accountId), client),
      );
      return this.canaries.run(this.canaryTarget(b));
    },
    'replication.deleteConfig': async ({ accountId, bucket, region }) => {
      await deleteBucketReplication(this.client(this.account(accountId), region), bucket);
      this.rulesCache.delete(`${accountId}\u0000${bucket}`);
      this.canaries.forget(accountId, bucket);
      this.o.activity('info', `Removed the replication configuration of ${bucket}`);
      return { deleted: true };
    },
    'replication.previewTwoWay': async (args) => previewTwoWay(this.twoWayInput(args)),
    'replication.createTwoWay': async (args) => {
      const r = await createTwoWay(this.twoWayInput(args));
      for (const b of [args.a, args.b])
        this.rulesCache.delete(`${args.accountId}\u0000${b.bucket}`);
      this.o.activity(
        'info',
        `Two-way replication between ${args.a.bucket} (${args.a.region}) and ${args.b.bucket} (${args.b.region}) is on`,
      );
      for (const side of [r.a, r.b]) this.afterSave(side);
      const shown = <T extends BucketReplication>(b: T): T => ({
        ...b,
        replicating: this.canaries.get(args.accountId, b.bucket),
      });
      return { a: shown(r.a), b: shown(r.b) };
    },
    'replication.simulate': async ({ accountId, bucket, region, path, tags }) =>
      simulate(await this.rules(accountId, bucket, region), path, tags ?? []),
    'replication.unreplicated': async ({ accountId, bucket, region, limit }) => {
      const account = this.account(accountId);
      return listUnreplicated(
        this.client(account, region),
        bucket,
        await this.rules(accountId, bucket, region),
        {
          ...(limit !== undefined ? { limit } : {}),
          local: account.kind === 'local',
        },
      );
    },
    'replication.replicateExisting': async ({ accountId, bucket, region, keys }) => {
      const r = await replicateInPlace(this.client(this.account(accountId), region), bucket, keys);
      this.o.activity(
        'info',
        `Copied ${r.copied} existing object${r.copied === 1 ? '' : 's'} of ${bucket} in place so S3 replicates them`,
      );
      return r;
    },
    'replication.ruleStats': async ({ bucket }) => this.tracker.ruleStats(bucket),
    'replication.fileStatus': async ({ folderId, relPath }) => {
      this.folder(folderId);
      return this.tracker.status(folderId, relPath);
    },
    'replication.retry': async ({ folderId, relPath }) => {
      this.folder(folderId);
      return this.tracker.retry(folderId, relPath, { device: this.o.device });
    },
    'replication.staleReplicas': async ({ folderId }) => {
      const r = await findStaleReplicas(this.staleInput(folderId));
      return { replicas: r.replicas, massDelete: r.massDelete };
    },
    'replication.placeDeleteMarkers': async ({ folderId, keys, confirmMassDelete }) => {
      const r = await placeDeleteMarkers({ ...this.staleInput(folderId), keys, confirmMassDelete });
      if (r.placed > 0)
        this.o.activity(
          'info',
          `Placed ${r.placed} delete marker${r.placed === 1 ? '' : 's'} in the replicas (every version is kept)`,
        );
      return { placed: r.placed, failed: r.failed };
    },
    'regions.list': (args, signal) => this.outage['regions.list'](args, signal),
    'regions.setOutage': (args, signal) => this.outage['regions.setOutage'](args, signal),
    ...roleHandlers({ account: (id) => this.account(id), client: (a, r) => this.client(a, r) }),
  };

  private staleInput(folderId: string) {
    const folder = this.folder(folderId);
    return {
      files: this.o.files,
      folder: {
        id: folder.id,
        localPath: folder.localPath,
        bucket: folder.bucket,
        region: folder.region,
      },
      clientFor: (region: string) => this.folderClient(folder, region),
      destinationsFor: (bucket: string, key: string) =>
        this.destinationsFor(folder, bucket, folder.region, key),
    };
  }

  private twoWayInput(args: TwoWayArgs): TwoWayInput {
    const account = this.account(args.accountId);
    return twoWayInputFor(account, args, {
      clientFor: (r) => this.client(account, r),
      policy: regionPolicy(account),
    });
  }

  /** Where the folder's bucket sends `key`, read with the folder's own account. */
  private async destinationsFor(
    folder: FolderConfig,
    bucket: string,
    region: string,
    key: string,
  ): Promise<ReplicaDestination[]> {
    const rules = await this.rules(folder.accountId, bucket, region, (r) =>
      this.folderClient(folder, r),
    );
    return simulate(rules, key).matches.flatMap((m) =>
      m.region
        ? [
            {
              bucket: m.bucket,
              region: m.region,
              ruleId: m.ruleId,
              deletesFollow: m.deletesFollow,
              rtc: rules.some((r) => r.id === m.ruleId && r.rtc),
            },
          ]
        : [],
    );
  }

  private rules(
    accountId: string,
    bucket: string,
    region: string,
    clientFor?: (region: string) => S3Client,
  ): Promise<ReplicationRuleModel[]> {
    const id = `${accountId}\u0000${bucket}`;
    const cached = this.rulesCache.get(id);
    if (cached && Date.now() - cached.at < RULES_TTL_MS) return cached.rules;
    const account = this.account(accountId);
    const client = clientFor ? clientFor(region) : this.client(account, region);
    const rules = readBucketReplication(
      client,
      { accountId, bucket, region },
      this.locator(account, client),
    ).then((b) => b.rules);
    rules.catch(() => this.rulesCache.delete(id));
    this.rulesCache.set(id, { at: Date.now(), rules });
    return rules;
  }

  private queueChanged(rows: FileReplication[]): void {
    for (const r of rows) this.pending.set(`${r.folderId}\u0000${r.relPath}`, r);
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      const batch = [...this.pending.values()];
      this.pending = new Map();
      this.o.events.emit('replication.changed', batch);
    }, 200);
  }

  private account(id: string): Account {
    const account = this.o.folders.account(id);
    if (!account)
      throw new ContractError({ code: 'NotFound', message: `No account with id ${id}.` });
    return account;
  }

  private folder(id: string): FolderConfig {
    const folder = this.o.folders.folder(id);
    if (!folder)
      throw new ContractError({ code: 'NotFound', message: `No watched folder with id ${id}.` });
    return folder;
  }

  private client(account: Account, region: string): S3Client {
    return this.o.folders.accountClient(account.id, region);
  }

  /** The folder's own account, whatever account a command names. */
  private folderClient(folder: FolderConfig, region: string): S3Client {
    return this.o.folders.clientFor(folder.id, region);
  }

  private locator(account: Account, client: S3Client): BucketLocator {
    return bucketLocator(client, regionPolicy(account));
  }

  private homeRegion(account: Account): string {
    if (account.kind === 'local') return Object.keys(account.endpoints)[0] ?? 'us-east-1';
    if (account.kind === 'custom') return account.signingRegion ?? DEFAULT_SIGNING_REGION;
    return 'us-east-1';
  }

  private withVerdict<T extends BucketReplication>(b: T): T {
    return { ...b, replicating: this.canaries.get(b.accountId, b.bucket) };
  }

  /** The canary runs on the folder syncing to the bucket (its prefix and account), if any. */
  private canaryTarget(b: BucketReplication) {
    const folder = this.o.folders
      .folders()
      .find((f) => f.accountId === b.accountId && f.bucket === b.bucket);
    const account = this.account(b.accountId);
    return {
      accountId: b.accountId,
      source: { bucket: b.bucket, region: b.region },
      rules: b.rules,
      prefix: folder?.prefix ?? '',
      clientFor: (r: string) => (folder ? this.folderClient(folder, r) : this.client(account, r)),
    };
  }

  /** After a save: warn about what was not kept, and check in the background that it replicates. */
  private afterSave(saved: { bucket: string; notKeptMessage: string | null } & BucketReplication) {
    if (saved.notKeptMessage) this.o.activity('warn', `${saved.bucket}: ${saved.notKeptMessage}`);
    if (saved.rules.some((r) => r.enabled))
      this.canaries
        .run(this.canaryTarget(saved))
        .catch((err: unknown) =>
          this.o.activity(
            'warn',
            `Could not check that ${saved.bucket} replicates: ${(err as Error).message}`,
          ),
        );
  }

  /** The last canary verdict of a bucket (null before one ran). */
  verdict(accountId: string, bucket: string): ReplicationVerdict | null {
    return this.canaries.get(accountId, bucket);
  }

  async dispose(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.wiring.dispose();
    this.disposables.dispose();
    await this.canaries.dispose();
    await this.tracker.dispose();
  }

  /** For tests and the CLI: the tracker settles what it can now. */
  idle(): Promise<void> {
    return this.tracker.idle();
  }

  /** The caller disposes it with its engine, before the index closes (engine.addDisposable). */
  static attach(o: ReplicationServiceOptions): ReplicationService {
    return new ReplicationService(o);
  }
}

function regionPolicy(account: Account): RegionPolicy {
  return account.kind === 'custom'
    ? { kind: 'custom', signingRegion: account.signingRegion }
    : { kind: account.kind };
}
