// The replication façade: every `replication.*` and `regions.*` command mapped onto the
// modules of this folder, with the engine's accounts and folders. It also starts the replica
// tracker on every version the engine writes.
import { IAMClient } from '@aws-sdk/client-iam';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  ContractError,
  type FileReplication,
  type LocalRegionStatus,
  type ReplicationRuleModel,
} from '../../contract/index.js';
import type { Account } from '../accounts/account.js';
import type { ReplicationHandlers } from '../app/app-controller.js';
import type { LocalRegions } from '../app/local-regions.js';
import { DisposableStore } from '../disposable.js';
import type { EventHub } from '../emitter.js';
import type { SyncEngine } from '../sync/engine.js';
import type { FolderConfig } from '../sync/folder-types.js';
import { checkRules, gatherCheckInput } from './checks.js';
import { listUnreplicated, replicateInPlace } from './existing.js';
import { LOCAL_ROLE_ARN } from './iam.js';
import {
  bucketLocator,
  deleteBucketReplication,
  listBucketsWithRegions,
  readBucketReplication,
  writeBucketReplication,
} from './rules.js';
import { simulate } from './simulator.js';
import { findStaleReplicas, placeDeleteMarkers } from './stale-replicas.js';
import { ReplicaTracker } from './status-tracker.js';
import type { ReplicaDestination, TrackerTuning } from './tracker-config.js';
import { createTwoWay, previewTwoWay, type TwoWayInput } from './two-way.js';

export interface ReplicationServiceOptions {
  engine: SyncEngine;
  events: EventHub;
  activity: (level: 'info' | 'warn' | 'error', message: string) => void;
  localRegions?: LocalRegions | undefined;
  device: string;
  trackerTuning?: Partial<TrackerTuning>;
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

  constructor(private readonly o: ReplicationServiceOptions) {
    const { engine } = o;
    this.tracker = new ReplicaTracker({
      db: engine.indexDb,
      clientFor: (region, folderId) => this.folderClient(this.folder(folderId), region),
      destinationsFor: (bucket, key, source) =>
        this.destinationsFor(this.folder(source.folderId).accountId, bucket, source.region, key),
      onChange: (rows) => this.queueChanged(rows),
      // The next edit bases on the rewritten version, unless the file moved on meanwhile.
      onRewrite: (e) => {
        if (engine.files.get(e.folderId, e.relPath)?.versionId === e.previousVersionId)
          engine.files.update(e.folderId, e.relPath, { versionId: e.versionId, etag: e.etag });
      },
      log: o.activity,
      ...(o.trackerTuning ? { tuning: o.trackerTuning } : {}),
    });
    this.disposables.add(
      engine.onUploaded((e) =>
        this.tracker.track({ ...e, sha256: e.sha256, uploadedAt: e.uploadedAt }),
      ),
    );
    this.tracker.start();
  }

  readonly handlers: ReplicationHandlers = {
    'replication.buckets': async ({ accountId }) => {
      const account = this.account(accountId);
      const list = await listBucketsWithRegions(this.client(account, this.homeRegion(account)));
      return Promise.all(
        list.map(async (b) => {
          const client = this.client(account, b.region);
          return readBucketReplication(client, { accountId, ...b }, bucketLocator(client));
        }),
      );
    },
    'replication.check': async ({ accountId, bucket, region, rules }) => {
      const account = this.account(accountId);
      const input = await gatherCheckInput((r) => this.client(account, r), {
        source: { bucket, region },
        rules: rules.map(toModel),
        local: account.kind === 'local',
      });
      return checkRules(input);
    },
    'replication.save': async ({ accountId, bucket, region, rules, role }) => {
      const account = this.account(accountId);
      const client = this.client(account, region);
      const models = rules.map(toModel);
      const input = await gatherCheckInput((r) => this.client(account, r), {
        source: { bucket, region },
        rules: models,
        local: account.kind === 'local',
        ...(role !== undefined ? { role } : {}),
      });
      const errors = checkRules(input).filter((c) => c.level === 'error');
      if (errors.length > 0)
        throw new ContractError({
          code: 'InvalidArguments',
          message: `The rules were not saved: ${errors.map((c) => c.message).join(' ')}`,
          issues: errors.map((c) => ({ path: c.field ?? 'rules', message: c.message })),
        });
      const current = await readBucketReplication(
        client,
        { accountId, bucket, region },
        bucketLocator(client),
      );
      const useRole = account.kind === 'local' ? LOCAL_ROLE_ARN : (role ?? current.role);
      if (!useRole && models.length > 0)
        throw new ContractError({
          code: 'InvalidArguments',
          message: 'Pick the IAM role S3 assumes for replication, or let Replica Sync create one.',
          issues: [{ path: 'role', message: 'A replication role is needed on AWS.' }],
        });
      await writeBucketReplication(client, bucket, models, useRole ?? LOCAL_ROLE_ARN);
      this.rulesCache.delete(`${accountId}\u0000${bucket}`);
      this.o.activity(
        'info',
        `Saved ${models.length} replication rule${models.length === 1 ? '' : 's'} of ${bucket}`,
      );
      return readBucketReplication(client, { accountId, bucket, region }, bucketLocator(client));
    },
    'replication.deleteConfig': async ({ accountId, bucket, region }) => {
      await deleteBucketReplication(this.client(this.account(accountId), region), bucket);
      this.rulesCache.delete(`${accountId}\u0000${bucket}`);
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
      return { a: r.a, b: r.b };
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
    'regions.list': async () => this.regionStatus(),
    'regions.setOutage': async ({ region, down }) => {
      const regions = this.o.localRegions;
      if (!regions?.setFaults || !regions.regions.some((r) => r.name === region))
        throw new ContractError({
          code: 'NotFound',
          message: `There is no local region "${region}" to switch; outages can be simulated on the local regions only.`,
        });
      regions.setFaults(region, { down });
      this.o.activity(
        'warn',
        down ? `Simulated outage: ${region} is down` : `Simulated outage over: ${region} is up`,
      );
      const status = this.regionStatus();
      this.o.events.emit('regions.changed', status);
      return status;
    },
  };

  private regionStatus(): LocalRegionStatus[] {
    const regions = this.o.localRegions;
    return (regions?.regions ?? []).map((r) => ({
      name: r.name,
      endpoint: r.endpoint,
      down: regions?.getFaults?.(r.name).down ?? false,
    }));
  }

  private staleInput(folderId: string) {
    const folder = this.folder(folderId);
    return {
      files: this.o.engine.files,
      folder: {
        id: folder.id,
        localPath: folder.localPath,
        bucket: folder.bucket,
        region: folder.region,
      },
      clientFor: (region: string) => this.folderClient(folder, region),
      destinationsFor: (bucket: string, key: string) =>
        this.destinationsFor(folder.accountId, bucket, folder.region, key),
    };
  }

  private twoWayInput(args: {
    accountId: string;
    a: { bucket: string; region: string };
    b: { bucket: string; region: string };
    role?: string | undefined;
    createRole?: boolean;
  }): TwoWayInput {
    const account = this.account(args.accountId);
    const clientFor = (r: string) => this.client(account, r);
    const aws = account.kind !== 'local';
    return {
      accountId: account.id,
      accountKind: account.kind,
      clientFor,
      a: args.a,
      b: args.b,
      ...(args.role !== undefined ? { role: args.role } : {}),
      ...(args.createRole !== undefined ? { createRole: args.createRole } : {}),
      // IAM is global; it signs with the same credentials as the account's S3 client.
      ...(aws && args.createRole
        ? {
            iam: new IAMClient({
              region: 'us-east-1',
              credentials: clientFor('us-east-1').config.credentials,
            }),
          }
        : {}),
    };
  }

  /** Where the rules of `bucket` send `key` (cached per bucket). */
  private async destinationsFor(
    accountId: string,
    bucket: string,
    region: string,
    key: string,
  ): Promise<ReplicaDestination[]> {
    const rules = await this.rules(accountId, bucket, region);
    return simulate(rules, key).matches.flatMap((m) =>
      m.region
        ? [{ bucket: m.bucket, region: m.region, ruleId: m.ruleId, deletesFollow: m.deletesFollow }]
        : [],
    );
  }

  private rules(
    accountId: string,
    bucket: string,
    region: string,
  ): Promise<ReplicationRuleModel[]> {
    const id = `${accountId}\u0000${bucket}`;
    const cached = this.rulesCache.get(id);
    if (cached && Date.now() - cached.at < RULES_TTL_MS) return cached.rules;
    const client = this.client(this.account(accountId), region);
    const rules = readBucketReplication(
      client,
      { accountId, bucket, region },
      bucketLocator(client),
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
    const account = this.o.engine.account(id);
    if (!account)
      throw new ContractError({ code: 'NotFound', message: `No account with id ${id}.` });
    return account;
  }

  private folder(id: string): FolderConfig {
    const folder = this.o.engine.folderConfigs().find((f) => f.id === id);
    if (!folder)
      throw new ContractError({ code: 'NotFound', message: `No watched folder with id ${id}.` });
    return folder;
  }

  private client(account: Account, region: string): S3Client {
    return this.o.engine.clientForAccount(account.id, region);
  }

  private folderClient(folder: FolderConfig, region: string): S3Client {
    return this.o.engine.clientForAccount(folder.accountId, region);
  }

  private homeRegion(account: Account): string {
    return account.kind === 'local'
      ? (Object.keys(account.endpoints)[0] ?? 'us-east-1')
      : 'us-east-1';
  }

  async dispose(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.disposables.dispose();
    await this.tracker.dispose();
  }

  /** For tests and the CLI: the tracker settles what it can now. */
  idle(): Promise<void> {
    return this.tracker.idle();
  }

  /** A service disposed with its engine (before the index closes). */
  static attach(o: ReplicationServiceOptions): ReplicationService {
    const service = new ReplicationService(o);
    o.engine.addDisposable(service);
    return service;
  }
}

/** The contract's rule arguments with optional fields made explicit. */
function toModel(r: {
  id: string;
  priority: number;
  enabled: boolean;
  filter: { prefix: string; tags: { key: string; value: string }[] };
  destination: {
    bucket: string;
    region?: string | undefined;
    account?: string | undefined;
    storageClass?: string | undefined;
    ownerOverride: boolean;
  };
  rtc: boolean;
  metrics: boolean;
  deleteMarkerReplication: boolean;
  replicaModifications: boolean;
}): ReplicationRuleModel {
  return {
    ...r,
    destination: {
      bucket: r.destination.bucket,
      region: r.destination.region ?? null,
      account: r.destination.account ?? null,
      storageClass: r.destination.storageClass ?? null,
      ownerOverride: r.destination.ownerOverride,
    },
  };
}
