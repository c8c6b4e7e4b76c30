// The conflict façade: runs the detector on every folder (incrementally, on a timer and when
// the engine flags a file), keeps the UI's list current, applies a folder's automatic policy,
// and maps each `conflicts.*` command onto detection, resolution and the versions browser.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ContractError, type ConflictPolicy, type ConflictSummary } from '../../contract/index.js';
import type { ConflictHandlers } from '../command-handlers.js';
import type { EventHub } from '../emitter.js';
import { bucketLocator, readBucketReplication } from '../replication/rules.js';
import type { Disposable } from '../disposable.js';
import type { FileIndex } from '../index/file-index.js';
import type { IndexDb } from '../index/index-db.js';
import type { FolderDirectory } from '../sync/folder-directory.js';
import type { FolderConfig } from '../sync/folder-types.js';
import { strategyFor } from '../sync/folder-capabilities.js';
import { peerName } from '../sync/folder-peers.js';
import { downloadVersion } from '../transfer/downloader.js';
import {
  ConflictDetector,
  type ConflictRecord,
  type ConflictSide,
  type GroupMember,
} from './detector.js';
import {
  bulkChoice,
  policyWinner,
  policyWords,
  PolicyFile,
  resolveEach,
} from './conflict-policies.js';
import { sideLabel, summarize, type Me } from './conflict-view.js';
import { listVersions, previewLocal, previewVersion } from './preview.js';
import { restoreVersion } from './resolve.js';
import {
  invalid,
  rethrowChanged,
  sideOf,
  writeResolution,
  type Keep,
  type Winner,
} from './resolution-write.js';

export interface ConflictServiceOptions {
  /** The folders, each with its own account's clients (never the engine). */
  folders: FolderDirectory;
  db: IndexDb;
  /** The index rows a resolution updates. */
  files: Pick<FileIndex, 'get' | 'update'>;
  /** Unconditional writes that found a version in between: looked at at once. */
  forks?: { onDidSuspectFork(listener: (folderId: string, relPath: string) => void): Disposable };
  /** The folders' automatic policies are read from here; the list is sent again on change. */
  policyHost: {
    setConflictPolicyLookup(lookup: (folderId: string) => ConflictPolicy): void;
    refreshFolders(): void;
  };
  events: EventHub;
  device: string;
  deviceName: () => string;
  activity: (level: 'info' | 'warn' | 'error', message: string) => void;
  openPath: (p: string) => Promise<string>;
  /** The open conflicts changed: the controller updates the tray, status and the UI. */
  onList: (list: ConflictSummary[]) => void;
  policyFile: string;
  scanEveryMs?: number;
}

export class ConflictService {
  readonly detector: ConflictDetector;
  private readonly groups = new Map<string, { at: number; refs: GroupMember[] }>();
  private readonly scanning = new Map<string, Promise<number>>();
  private forkHint: Disposable | undefined;
  private readonly policies: PolicyFile;
  private timer: NodeJS.Timeout;
  private readonly soon = new Map<string, NodeJS.Timeout>();
  private disposed = false;

  constructor(private readonly o: ConflictServiceOptions) {
    this.detector = new ConflictDetector({
      db: o.db,
      clientFor: (folder, member) => this.memberClient(folder.id, member),
      group: (folder) => this.groups.get(folder.id)?.refs ?? [],
      device: o.device,
      onChange: (change) => {
        for (const r of change.found) {
          this.o.activity('warn', `Conflict: ${r.detail}`);
          void this.applyPolicy(r);
        }
        this.publish();
      },
    });
    this.policies = new PolicyFile(o.policyFile);
    o.policyHost.setConflictPolicyLookup((id) => this.policies.get(id));
    this.forkHint = o.forks?.onDidSuspectFork((folderId) => this.scanSoon(folderId));
    this.timer = setInterval(() => void this.scanAll(), o.scanEveryMs ?? 20_000);
    this.timer.unref();
    o.events.subscribe((name, payload) => {
      if (name !== 'files.changed') return;
      for (const row of payload as { folderId: string; state: string }[])
        if (row.state === 'conflict') this.scanSoon(row.folderId);
    });
  }

  /** One look at every folder (or one); a folder's look never overlaps itself. */
  async scanAll(folderId?: string): Promise<number> {
    let found = 0;
    for (const f of this.o.folders.folders()) {
      if (this.disposed || (folderId && f.id !== folderId)) continue;
      found += await this.scanFolder(f);
    }
    return found;
  }

  private scanFolder(f: FolderConfig): Promise<number> {
    const running = this.scanning.get(f.id);
    if (running) return running;
    const run = (async () => {
      try {
        await this.refreshGroup(f);
        return (await this.detector.scan(f)).found;
      } catch (err) {
        this.o.activity(
          'warn',
          `Looking for conflicts in ${f.localPath}: ${(err as Error).message}`,
        );
        return 0;
      } finally {
        this.scanning.delete(f.id);
      }
    })();
    this.scanning.set(f.id, run);
    return run;
  }

  list(folderId?: string): ConflictSummary[] {
    return this.detector.conflicts(folderId).map((r) => this.summary(r));
  }

  readonly handlers: ConflictHandlers = {
    'conflicts.list': async ({ folderId }) => this.list(folderId),
    'conflicts.scan': async ({ folderId }) => ({ found: await this.scanAll(folderId) }),
    'conflicts.resolve': async ({ id, keep, keepVersion }) => {
      if (!keep && !keepVersion)
        throw invalid('keep', 'Say which side to keep: local, remote, both, or a version id.');
      return this.resolve(this.record(id), keepVersion ?? (keep as Keep));
    },
    'conflicts.preview': async ({ id, side }) => {
      const r = this.record(id);
      const f = this.folder(r.folderId);
      if (side === 'local') return previewLocal(this.absPath(f, r.key), this.relPath(f, r.key));
      const s = sideOf(r, side);
      return previewVersion(this.client(f, s.region), s.bucket, r.key, side);
    },
    'conflicts.open': async ({ id, side }) => {
      const r = this.record(id);
      const f = this.folder(r.folderId);
      let target = this.absPath(f, r.key);
      if (side !== 'local') {
        // A version opens from a private temp folder, never from the synced one.
        const s = sideOf(r, side);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replica-sync-version-'));
        const got = await downloadVersion({
          client: this.client(f, s.region),
          bucket: s.bucket,
          key: r.key,
          versionId: side,
          folder: dir,
          prefix: f.prefix,
        });
        if (got.kind !== 'downloaded')
          throw new ContractError({
            code: 'NotFound',
            message: `Version ${side} has no content to open.`,
          });
        target = got.path;
      }
      const error = await this.o.openPath(target);
      if (error) throw new ContractError({ code: 'Unavailable', message: error });
      return { opened: true };
    },
    'conflicts.bulkPreview': async ({ ids, policy }) =>
      ids.map((id) => {
        const r = this.record(id);
        const keep = bulkChoice(r, policy, this.o.device);
        return { id, relPath: this.relPath(this.folder(r.folderId), r.key), ...keep };
      }),
    'conflicts.bulkResolve': async ({ ids, policy }) =>
      resolveEach(ids, async (id) => {
        const r = this.record(id);
        const choice = bulkChoice(r, policy, this.o.device);
        await this.resolve(r, choice.keep === 'local' ? 'local' : (choice.versionId ?? 'remote'));
      }),
    'conflicts.versions': async ({ folderId, relPath }) => {
      const f = this.folder(folderId);
      await this.refreshGroup(f);
      const key = f.prefix + relPath;
      const buckets = [
        { bucket: f.bucket, region: f.region },
        ...(this.groups.get(f.id)?.refs ?? []),
      ]
        .filter((b, i, all) => all.findIndex((x) => x.bucket === b.bucket) === i)
        .map((b) => ({ ...b, client: this.client(f, b.region) }));
      return listVersions(buckets, key, (d) => this.nameOf(d));
    },
    'conflicts.restore': async ({ folderId, relPath, versionId }) => {
      const f = this.folder(folderId);
      const key = f.prefix + relPath;
      const row = this.o.files.get(f.id, relPath);
      const heads = row?.versionId ? [{ versionId: row.versionId }] : [];
      const out = await restoreVersion({
        client: this.client(f, f.region),
        bucket: f.bucket,
        key,
        versionId,
        device: this.o.device,
        heads,
        region: f.region,
        strategy: strategyFor(this.o.folders.capabilities(f.id)),
      }).catch(rethrowChanged);
      this.o.activity(
        'info',
        `Restored ${relPath} to version ${versionId} (as new version ${out.versionId})`,
      );
      return { versionId: out.versionId };
    },
    'conflicts.setPolicy': async ({ folderId, policy }) => {
      this.folder(folderId);
      this.policies.set(folderId, policy);
      this.o.policyHost.refreshFolders();
      this.o.activity('info', `Conflicts in this folder: ${policyWords(policy)}`);
      return { policy };
    },
  };

  private async resolve(
    r: ConflictRecord,
    keep: Keep | string,
    winner?: Winner,
  ): Promise<{ resolved: true; versionId: string; copy: string | null }> {
    const f = this.folder(r.folderId);
    const result = await writeResolution({
      record: r,
      keep,
      ...(winner ? { winner } : {}),
      device: this.o.device,
      labelOf: (side) => this.labelOf(side),
      target: {
        client: this.client(f, f.region),
        bucket: f.bucket,
        key: r.key,
        folderPath: f.localPath,
        prefix: f.prefix,
        device: this.o.device,
        region: f.region,
        strategy: strategyFor(this.o.folders.capabilities(f.id)),
      },
    });
    const relPath = this.relPath(f, r.key);
    this.o.files.update(f.id, relPath, {
      versionId: result.versionId,
      etag: result.etag,
      error: null,
      ...(result.local
        ? {
            state: 'synced',
            sha256: result.sha256,
            size: result.local.size,
            mtimeMs: result.local.mtimeMs,
          }
        : { state: 'pending' }),
    });
    this.o.activity(
      'info',
      `Resolved the conflict on ${relPath}${result.conflictCopy ? `; the other side is kept as ${result.conflictCopy}` : ''}`,
    );
    await this.detector.scan(f).catch(() => undefined);
    this.publish();
    return { resolved: true, versionId: result.versionId, copy: result.conflictCopy ?? null };
  }

  /** A folder's automatic policy: never by default; the winner takes the name, the loser is
   * kept as a version and as a conflict copy. */
  private async applyPolicy(r: ConflictRecord): Promise<void> {
    const policy = this.policies.get(r.folderId);
    if (policy === 'ask' || r.kind === 'possible' || r.kind === 'divergence') return;
    const winner = policyWinner(r, policy, this.o.device);
    if (!winner) {
      this.o.activity('info', `No side of ${r.key} is from this device: it waits for you.`);
      return;
    }
    try {
      await this.resolve(r, 'both', winner);
      this.o.activity('info', `Resolved automatically (${policyWords(policy)}): ${r.key}`);
    } catch (err) {
      this.o.activity(
        'warn',
        `The automatic policy could not resolve ${r.key}: ${(err as Error).message}`,
      );
    }
  }

  private summary(r: ConflictRecord): ConflictSummary {
    const f = this.o.folders.folder(r.folderId);
    return summarize(r, f ? this.relPath(f, r.key) : r.key, this.me());
  }

  private nameOf(device: string): string | null {
    return device === this.o.device ? this.o.deviceName() : null;
  }

  private labelOf(s: ConflictSide): string {
    return sideLabel(s, this.me());
  }

  private me(): Me {
    return { device: this.o.device, name: this.o.deviceName() };
  }

  /** The whole open list goes out once; the controller sends it on as the event. */
  private publish(): void {
    this.o.onList(this.list());
  }

  private scanSoon(folderId: string): void {
    if (this.soon.has(folderId)) return;
    const t = setTimeout(() => {
      this.soon.delete(folderId);
      void this.scanAll(folderId);
    }, 1000);
    t.unref();
    this.soon.set(folderId, t);
  }

  /** The buckets the folder's bucket replicates to (its group), read again every minute. */
  private async refreshGroup(f: FolderConfig): Promise<void> {
    const cached = this.groups.get(f.id);
    if (cached && Date.now() - cached.at < 60_000) return;
    const client = this.client(f, f.region);
    const conf = await readBucketReplication(
      client,
      { accountId: f.accountId, bucket: f.bucket, region: f.region },
      bucketLocator(client),
    ).catch(() => undefined);
    const refs: GroupMember[] = (conf?.rules ?? [])
      .filter((rule) => rule.enabled && rule.destination.region)
      .map((rule) => ({
        bucket: rule.destination.bucket,
        region: rule.destination.region as string,
      }));
    // Other endpoints of the same bucket (multisite zones) are the group too, by their label.
    for (const p of f.peers ?? [])
      refs.push({
        bucket: peerName(p.bucket, p.label),
        s3Name: p.bucket,
        region: p.region,
        accountId: p.accountId,
      });
    this.groups.set(f.id, { at: Date.now(), refs });
  }

  /** A group member is reached with its own account: a peer's, else the folder's. */
  private memberClient(folderId: string, m: GroupMember) {
    return m.accountId
      ? this.o.folders.accountClient(m.accountId, m.region)
      : this.o.folders.clientFor(folderId, m.region);
  }

  private client(f: FolderConfig, region: string) {
    return this.o.folders.clientFor(f.id, region);
  }

  private record(id: string): ConflictRecord {
    const r = this.detector.conflicts().find((c) => c.id === id);
    if (!r)
      throw new ContractError({
        code: 'NotFound',
        message: `No open conflict with id ${id}: it may be resolved already.`,
      });
    return r;
  }

  private folder(id: string): FolderConfig {
    const f = this.o.folders.folder(id);
    if (!f)
      throw new ContractError({ code: 'NotFound', message: `No watched folder with id ${id}.` });
    return f;
  }

  private relPath(f: FolderConfig, key: string): string {
    return key.startsWith(f.prefix) ? key.slice(f.prefix.length) : key;
  }

  private absPath(f: FolderConfig, key: string): string {
    return path.join(f.localPath, ...this.relPath(f, key).split('/'));
  }

  dispose(): void {
    this.disposed = true;
    this.forkHint?.dispose();
    clearInterval(this.timer);
    for (const t of this.soon.values()) clearTimeout(t);
  }
}
