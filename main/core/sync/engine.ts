// The sync engine: folders, their loops, the shared upload queue and the index, and the
// contract commands about them. Plain Node; the host gives it accounts and settings.
import type { S3Client } from '@aws-sdk/client-s3';
import path from 'node:path';
import {
  ContractError,
  type AccountSummary,
  type ConflictPolicy,
  type AppState,
  type CommandArgs,
  type FilePage,
  type FolderSummary,
  type ServiceCapabilities,
} from '../../contract/index.js';
import type { Account } from '../accounts/account.js';
import { enableVersioning } from '../accounts/folder-check.js';
import type { SecretStore } from '../accounts/secret-store.js';
import { toDisposable, type Disposable } from '../disposable.js';
import type { EventHub } from '../emitter.js';
import { FileIndex, type FileRecord } from '../index/file-index.js';
import { FolderTable, openIndexDb, type IndexDb } from '../index/index-db.js';
import { MultipartParts } from '../index/multipart-parts.js';
import { UploadQueue } from '../transfer/upload-queue.js';
import { overallStatus } from './engine-status.js';
import { summarize, toFileRow } from './engine-views.js';
import { pageFiles } from './file-pages.js';
import {
  checkNewFolder,
  checkPeers,
  firstStartToHandOver,
  invalid,
  newFolderId,
  type AddFolderArgs,
} from './folder-add.js';
import { FolderLoop } from './folder-loop.js';
import {
  DEFAULT_TUNING,
  type FolderConfig,
  type FolderTuning,
  type UploadedVersionEvent,
} from './folder-types.js';
import type { FolderDirectory, UploadEvents } from './folder-directory.js';
import { importPaths } from './import-paths.js';
import { EngineAccounts } from './engine-accounts.js';
import {
  FolderCapabilities,
  strategyFor,
  type FolderCapabilitiesOptions,
} from './folder-capabilities.js';

// Kept exported from here: the engine's module is the one the app and tests import.
export { overallStatus } from './engine-status.js';
export type { AddFolderArgs } from './folder-add.js';

export interface EngineOptions {
  indexFile: string;
  /** The app's data directory: never watched by folders.add nor copied by files.importPaths. */
  dataDir?: string;
  /** Installation id: rs-device of every version written here. */
  device: string;
  concurrency: number;
  secrets: SecretStore;
  events: EventHub;
  activity: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Overall state for the status bar and the tray. */
  onStatus: (patch: Partial<AppState>) => void;
  tuning?: Partial<FolderTuning>;
  log?: (line: string) => void;
  /** Measured capabilities per endpoint + bucket; default beside the index. */
  capabilitiesFile?: string;
  /** How each folder's service is measured (tests pass a probe of their own). */
  capabilityProbe?: FolderCapabilitiesOptions['probe'];
}

export class SyncEngine implements FolderDirectory, UploadEvents {
  private readonly db: IndexDb;
  readonly files: FileIndex;
  private readonly folderTable: FolderTable;
  private readonly parts: MultipartParts;
  readonly queue: UploadQueue;
  private readonly accounts: EngineAccounts;
  private readonly loops = new Map<string, FolderLoop>();
  private readonly tuning: FolderTuning;
  private paused = false;
  private summaryTimer: NodeJS.Timeout | null = null;
  private rowsTimer: NodeJS.Timeout | null = null;
  private pendingRows = new Map<string, FileRecord>();
  private readonly uploadedListeners = new Set<(e: UploadedVersionEvent) => void>();
  private readonly attached: { dispose(): void | Promise<void> }[] = [];
  private conflictPolicyOf: ((folderId: string) => ConflictPolicy) | undefined;
  private readonly capabilityOf = new Map<string, ServiceCapabilities>();
  private readonly measurer: FolderCapabilities;
  private readonly forkListeners = new Set<(folderId: string, relPath: string) => void>();

  constructor(private readonly opts: EngineOptions) {
    this.db = openIndexDb(opts.indexFile);
    this.files = new FileIndex(this.db);
    this.folderTable = new FolderTable(this.db);
    this.parts = new MultipartParts(this.db);
    this.queue = new UploadQueue({ concurrency: opts.concurrency });
    this.accounts = new EngineAccounts(opts.secrets, opts.log);
    this.tuning = { ...DEFAULT_TUNING, ...opts.tuning };
    this.measurer = new FolderCapabilities({
      cacheFile:
        opts.capabilitiesFile ?? path.join(path.dirname(opts.indexFile), 'capabilities.json'),
      device: opts.device,
      log: (line) => opts.log?.(line),
      ...(opts.capabilityProbe ? { probe: opts.capabilityProbe } : {}),
    });
    this.queue.on((e) => {
      if (e.type === 'progress' || e.type === 'total-progress' || e.type === 'idle')
        this.scheduleSummary();
    });
  }

  addAccount(account: Account): void {
    this.accounts.add(account);
  }

  listAccounts(): AccountSummary[] {
    return this.accounts.list();
  }

  account(id: string): Account | undefined {
    return this.accounts.get(id);
  }

  /** Where the secret access keys of the accounts are kept. */
  get secretStore(): SecretStore {
    return this.opts.secrets;
  }

  /** The engine's own S3 client for an account in a region. */
  clientForAccount(id: string, region: string): S3Client {
    return this.accounts.clientForId(id, region);
  }

  /** Forgets an account and its clients; refused while a watched folder uses it. */
  removeAccount(id: string): Account {
    return this.accounts.remove(id, (accountId) =>
      this.folderTable
        .list()
        .filter((f) => f.accountId === accountId)
        .map((f) => f.localPath),
    );
  }

  /** Every version this engine writes, as it is written. */
  onDidUpload(listener: (e: UploadedVersionEvent) => void): Disposable {
    this.uploadedListeners.add(listener);
    return toDisposable(() => this.uploadedListeners.delete(listener));
  }

  // ---- FolderDirectory: what services get instead of the engine

  folders(): FolderConfig[] {
    return this.folderConfigs();
  }

  folder(id: string): FolderConfig | undefined {
    return this.loops.get(id)?.folder;
  }

  /** The client of the folder's own account in `region`. */
  clientFor(folderId: string, region: string): S3Client {
    const f = this.loops.get(folderId)?.folder;
    if (!f)
      throw new ContractError({
        code: 'NotFound',
        message: `No watched folder with id ${folderId}.`,
      });
    return this.clientForAccount(f.accountId, region);
  }

  accountClient(accountId: string, region: string): S3Client {
    return this.clientForAccount(accountId, region);
  }

  capabilities(folderId: string): ServiceCapabilities | undefined {
    return this.capabilityOf.get(folderId);
  }

  /** Measures the folder's service again (after an error that suggests it changed). */
  async remeasure(folderId: string): Promise<ServiceCapabilities | undefined> {
    const f = this.loop(folderId).folder;
    const account = this.accounts.get(f.accountId);
    if (!account) return undefined;
    const c = await this.measurer.ensure(f, account, this.accounts.client(account, f.region), {
      force: true,
    });
    if (c) this.capabilityOf.set(folderId, c);
    this.publish();
    return c;
  }

  /** An unconditional write found someone else's version in between (the detector looks). */
  onDidSuspectFork(listener: (folderId: string, relPath: string) => void): Disposable {
    this.forkListeners.add(listener);
    return toDisposable(() => this.forkListeners.delete(listener));
  }

  /** Disposed with the engine, before the index closes (services built on it). */
  addDisposable(d: { dispose(): void | Promise<void> }): void {
    this.attached.push(d);
  }

  /** The index database, for modules that keep their own tables in it (replica status). */
  get indexDb(): IndexDb {
    return this.db;
  }

  /** The folders' configurations (bucket, region, account). */
  folderConfigs(): FolderConfig[] {
    return [...this.loops.values()].map((l) => l.folder);
  }

  /** Starts a loop for every folder in the index. */
  async start(opts: { paused: boolean }): Promise<void> {
    this.paused = opts.paused;
    for (const f of this.folderTable.list()) await this.startLoop({ ...f, localPath: f.localPath });
    this.publish();
  }

  folderCount(): number {
    return this.loops.size;
  }

  async addFolder(
    args: AddFolderArgs,
    opts: { firstStart?: boolean } = {},
  ): Promise<FolderSummary> {
    // Every check runs before anything changes: a refused add leaves the folders (and the
    // disk: checkNewFolder makes a missing folder last) as they were.
    const peers = checkPeers(args.peers ?? [], this.accounts.all);
    const handOver = firstStartToHandOver(
      args,
      [...this.loops.values()].map((l) => l.folder),
      (id) => this.folderTable.get(id)?.firstStart === true && this.files.count(id) === 0,
    ).map((f) => this.loop(f.id));
    const { account, localPath, bucket, region, prefix } = await checkNewFolder(args, {
      accounts: this.accounts.all,
      watched: [...this.loops.values()]
        .filter((l) => !handOver.includes(l))
        .map((l) => l.folder.localPath),
      clientFor: (a, r) => this.accounts.client(a, r),
      dataDir: this.opts.dataDir,
    });
    for (const loop of handOver) {
      this.removeFolder(loop.folder.id);
      this.opts.activity(
        'info',
        `The first-start folder ${loop.folder.localPath} (local regions) held no file: it is no longer watched, so ${localPath} can sync with the account you chose`,
      );
    }
    const record = this.folderTable.add({
      id: newFolderId(),
      localPath,
      accountId: account.id,
      bucket,
      prefix,
      region,
      peers,
      ...(opts.firstStart ? { firstStart: true } : {}),
    });
    const loop = await this.startLoop(record);
    this.opts.activity('info', `Watching ${localPath} → s3://${bucket}/${prefix} (${region})`);
    this.publish();
    return this.summaryOf(loop);
  }

  async enableVersioning(args: CommandArgs<'folders.enableVersioning'>): Promise<void> {
    const account = this.accounts.get(args.accountId);
    if (!account) throw invalid('accountId', `No account "${args.accountId}".`);
    const r = await enableVersioning(this.accounts.client(account, args.region), args);
    if (!r.ok) throw new ContractError({ code: 'Forbidden', message: r.message });
    this.opts.activity('info', `Enabled versioning on ${args.bucket} (${args.region})`);
  }

  removeFolder(id: string): void {
    const loop = this.loop(id);
    loop.dispose();
    this.loops.delete(id);
    this.folderTable.remove(id);
    this.opts.activity(
      'info',
      `Stopped watching ${loop.folder.localPath}; its files stay in place and in the bucket`,
    );
    this.publish();
  }

  setFolderPaused(id: string, paused: boolean): FolderSummary {
    const loop = this.loop(id);
    if (!paused && loop.state === 'error') void loop.retry();
    loop.setUserPaused(paused);
    this.publish();
    return this.summaryOf(loop);
  }

  async answerMassDelete(id: string, proceed: boolean): Promise<FolderSummary> {
    const loop = this.loop(id);
    await loop.answerMassDelete(proceed);
    this.publish();
    return this.summaryOf(loop);
  }

  async rescan(id: string): Promise<FolderSummary> {
    const loop = this.loop(id);
    if (loop.state === 'error') {
      // An error may mean the service changed what it honours: measure it again first.
      await this.remeasure(id).catch(() => undefined);
      await loop.retry();
    } else await loop.rescan().then(() => loop.pull());
    return this.summaryOf(loop);
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    for (const loop of this.loops.values()) loop.setGlobalPaused(paused);
    if (paused) this.queue.pause({ interruptRunning: true });
    else this.queue.resume();
    this.publish();
  }

  listFolders(): FolderSummary[] {
    const items = this.queue.items();
    return [...this.loops.values()].map((l) => this.summaryOf(l, items));
  }

  /** A folder as the UI sees it: state and counts, policy, measured service, peers. */
  private summaryOf(l: FolderLoop, items = this.queue.items()): FolderSummary {
    const summary = summarize(l, this.files, items);
    const policy = this.conflictPolicyOf?.(l.folder.id);
    const caps = this.capabilityOf.get(l.folder.id);
    return {
      ...summary,
      ...(policy ? { conflictPolicy: policy } : {}),
      ...(caps ? { service: { summary: caps.summary, probedAt: caps.probedAt } } : {}),
      ...(l.folder.peers?.length ? { peers: l.folder.peers } : {}),
    };
  }

  /** Sends the folder list again (e.g. after a folder's conflict policy changed). */
  refreshFolders(): void {
    this.publish();
  }

  /** The conflict service tells each folder's automatic policy (shown with the folder). */
  setConflictPolicyLookup(lookup: (folderId: string) => ConflictPolicy): void {
    this.conflictPolicyOf = lookup;
  }

  /** A page of rows across the chosen folder (or all, in folder order). */
  listFiles(args: CommandArgs<'files.list'>): FilePage {
    const queued = new Map(this.queue.items().map((i) => [i.id, i]));
    const ids = args.folderId ? [this.loop(args.folderId).folder.id] : [...this.loops.keys()];
    return pageFiles(this.files, ids, args, queued);
  }

  async importPaths(folderId: string, paths: string[]): Promise<string[]> {
    const loop = this.loop(folderId);
    const copied = await importPaths(loop.folder.localPath, paths, {
      dataDir: this.opts.dataDir,
    });
    this.opts.activity(
      'info',
      `Copied ${copied.length} item${copied.length === 1 ? '' : 's'} into ${loop.folder.localPath}`,
    );
    return copied;
  }

  folderPath(id: string): string | undefined {
    return this.loops.get(id)?.folder.localPath;
  }

  /** Resolves when every folder's queued jobs and the upload queue are done (tests, CLI). */
  async settle(): Promise<void> {
    for (let i = 0; i < 3; i++) {
      await Promise.all([...this.loops.values()].map((l) => l.idle()));
      await this.queue.onIdle();
    }
  }

  async dispose(): Promise<void> {
    for (const d of this.attached.splice(0).reverse()) await d.dispose();
    for (const loop of this.loops.values()) loop.dispose();
    this.loops.clear();
    this.queue.cancelAll();
    if (this.summaryTimer) clearTimeout(this.summaryTimer);
    if (this.rowsTimer) clearTimeout(this.rowsTimer);
    this.accounts.dispose();
    this.db.close();
  }

  private async startLoop(f: FolderConfig): Promise<FolderLoop> {
    const account = this.accounts.get(f.accountId);
    if (!account)
      throw new Error(`folder ${f.localPath} uses account ${f.accountId}, which is not set up`);
    const client = this.accounts.client(account, f.region);
    // Measured before the folder writes: its strategy never rests on an assumption.
    const caps = await this.measurer.ensure(f, account, client);
    if (caps) this.capabilityOf.set(f.id, caps);
    const loop = new FolderLoop(f, {
      index: this.files,
      parts: this.parts,
      queue: this.queue,
      client,
      strategy: () => strategyFor(this.capabilityOf.get(f.id)),
      onForkSuspected: (folderId, relPath) => {
        for (const listener of this.forkListeners) listener(folderId, relPath);
      },
      device: this.opts.device,
      tuning: this.tuning,
      log: this.opts.activity,
      onSummary: () => this.scheduleSummary(),
      onRows: (rows) => this.queueRows(rows),
      onUploaded: (e) => {
        for (const listener of this.uploadedListeners) listener(e);
      },
    });
    this.loops.set(f.id, loop);
    await loop.start({ paused: this.paused });
    return loop;
  }

  private loop(id: string): FolderLoop {
    const loop = this.loops.get(id);
    if (!loop)
      throw new ContractError({ code: 'NotFound', message: `No watched folder with id ${id}` });
    return loop;
  }

  private scheduleSummary(): void {
    if (this.summaryTimer) return;
    this.summaryTimer = setTimeout(() => {
      this.summaryTimer = null;
      this.publish();
    }, 200);
  }

  private queueRows(rows: FileRecord[]): void {
    for (const r of rows) this.pendingRows.set(`${r.folderId}:${r.relPath}`, r);
    if (this.rowsTimer) return;
    this.rowsTimer = setTimeout(() => {
      this.rowsTimer = null;
      const queued = new Map(this.queue.items().map((i) => [i.id, i]));
      const batch = [...this.pendingRows.values()].map((r) => toFileRow(r, queued));
      this.pendingRows.clear();
      this.opts.events.emit('files.changed', batch);
    }, 200);
  }

  /** Sends the folder list and the overall status. */
  private publish(): void {
    const folders = this.listFolders();
    this.opts.events.emit('folders.changed', folders);
    this.opts.onStatus(overallStatus(folders, this.paused));
  }
}
