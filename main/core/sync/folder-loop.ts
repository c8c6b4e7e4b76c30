// One serialized loop per folder (Syncthing's model): scans, watcher batches, pulls and the
// user's answers run one at a time through `serial`, and the loop is always in one
// explicit state: idle, scanning, syncing, paused or error.
import type { FolderState, MassDeleteQuestion } from '../../contract/index.js';
import { DisposableStore, toDisposable, type Disposable } from '../disposable.js';
import { ChangeAggregator, type ChangeBatch } from '../watch/aggregator.js';
import { IgnoreRules } from '../watch/ignore-rules.js';
import { checkKeyName, findCollisions, objectKey } from '../watch/key-names.js';
import { scanFolder } from '../watch/scanner.js';
import { FolderWatcher } from '../watch/watcher.js';
import { applyDecisions, applyDeletes, type DeleteDecision } from './apply-local.js';
import {
  detectChanges,
  fileHasher,
  fromBatch,
  fromScan,
  type DetectInput,
} from './change-detector.js';
import type { FolderConfig, FolderDeps } from './folder-types.js';
import { checkMassDelete } from './mass-delete-guard.js';
import { pullRemote } from './pull.js';
import { runUpload } from './upload-task.js';

export class FolderLoop implements Disposable {
  state: FolderState = 'idle';
  error: string | null = null;
  userPaused = false;
  massDelete: MassDeleteQuestion | null = null;
  nameProblems: string[] = [];
  private globalPaused = false;
  private heldDeletes: DeleteDecision[] = [];
  private serial: Promise<void> = Promise.resolve();
  private readonly disposables = new DisposableStore();
  private readonly timers = new Set<NodeJS.Timeout>();
  private rules: IgnoreRules = IgnoreRules.fromText('');
  private reportedSymlinks = new Set<string>();
  private disposed = false;
  private busy = 0;
  private aggregator: ChangeAggregator | undefined;
  private watcher: FolderWatcher | undefined;

  constructor(
    readonly folder: FolderConfig,
    private readonly deps: FolderDeps,
  ) {}

  /** Loads the ignore rules, starts the watcher, resumes interrupted uploads, then scans. */
  async start(opts: { paused?: boolean } = {}): Promise<void> {
    this.globalPaused = opts.paused ?? false;
    try {
      this.rules = await IgnoreRules.load(this.folder.localPath);
      const aggregator = this.disposables.add(
        new ChangeAggregator({
          root: this.folder.localPath,
          settleMs: this.deps.tuning.settleMs,
          onBatch: (batch) => this.enqueue('syncing', () => this.onBatch(batch)),
          onError: (err) => this.deps.log('warn', `${this.folder.localPath}: ${err.message}`),
        }),
      );
      const watcher = await FolderWatcher.start(this.folder.localPath, {
        rules: this.rules,
        onEvent: (e) => aggregator.push(e),
        onError: (err) =>
          this.deps.log('warn', `Watching ${this.folder.localPath}: ${err.message}`),
      });
      this.disposables.add(watcher);
    } catch (err) {
      this.fail(err);
      return;
    }
    for (const row of this.deps.index.markInterrupted(this.folder.id))
      this.queueUpload(row.relPath);
    this.every(this.deps.tuning.rescanMs, () => this.rescan());
    this.every(this.deps.tuning.pollMs, () => this.pull());
    await this.rescan();
    await this.pull();
  }

  private async startWatcher(): Promise<void> {
    const aggregator = this.aggregator;
    if (!aggregator || this.disposed) return;
    const previous = this.watcher;
    this.watcher = await FolderWatcher.start(this.folder.localPath, {
      rules: this.rules,
      onEvent: (e) => aggregator.push(e),
      onError: (err) => this.deps.log('warn', `Watching ${this.folder.localPath}: ${err.message}`),
    });
    previous?.dispose();
  }

  /** A full scan against the index: the safety net under the watcher. */
  rescan(): Promise<void> {
    return this.enqueue('scanning', async () => {
      const scan = await scanFolder(this.folder.localPath, {
        rules: this.rules,
        reportedSymlinks: this.reportedSymlinks,
        onSymlink: (p) =>
          this.deps.log('info', `${p} is a symbolic link; links are not followed or synced`),
      });
      for (const p of scan.problems) this.deps.log('warn', p.message);
      this.nameProblems = findCollisions(scan.entries.map((e) => e.relPath)).map((p) => p.message);
      const input = fromScan(scan.entries, this.deps.index.iterate(this.folder.id));
      // A file newly matched by .syncignore stops being synced; it is not deleted remotely.
      const ignored = input.removed.filter((p) => this.rules.ignores(p));
      for (const p of ignored) this.deps.index.remove(this.folder.id, p);
      input.removed = input.removed.filter((p) => !this.rules.ignores(p));
      await this.handle(input);
      // Anything still waiting (e.g. failed earlier) goes back to the queue; rows already
      // queued or running are left alone (a running upload re-queues itself if superseded).
      for (const state of ['pending', 'error', 'interrupted'] as const)
        for (const row of this.deps.index.list(this.folder.id, { state, limit: 100_000 }))
          if (!this.deps.queue.has(`${this.folder.id}:${row.relPath}`))
            this.queueUpload(row.relPath);
    });
  }

  pull(): Promise<void> {
    return this.enqueue('syncing', async () => {
      const r = await pullRemote(this.folder, this.deps);
      for (const message of r.refused) this.deps.log('error', message);
      if (r.downloaded > 0)
        this.deps.log(
          'info',
          `Downloaded ${r.downloaded} file${r.downloaded === 1 ? '' : 's'} into ${this.folder.localPath}`,
        );
    });
  }

  setUserPaused(paused: boolean): void {
    this.userPaused = paused;
    this.applyPause();
  }

  setGlobalPaused(paused: boolean): void {
    this.globalPaused = paused;
    this.applyPause();
  }

  /** The user's answer to the mass-delete question. */
  answerMassDelete(proceed: boolean): Promise<void> {
    const held = this.heldDeletes;
    this.heldDeletes = [];
    this.massDelete = null;
    // Queue the answer before un-pausing: the rescan that resuming queues must run after it,
    // or it would find the same deletes and ask again.
    const answered = this.enqueue('syncing', async () => {
      if (proceed) await applyDeletes(this.folder, this.deps, held);
      else {
        // Keep: bring the files back from the bucket instead of deleting them there.
        this.deps.log(
          'info',
          `Kept ${held.length} files: restoring them from ${this.folder.bucket}`,
        );
        await this.restore(held);
      }
    });
    this.applyPause();
    return answered;
  }

  private async restore(held: DeleteDecision[]): Promise<void> {
    // Forget the local rows so the pull sees the bucket's versions as new to this folder.
    for (const d of held) this.deps.index.remove(this.folder.id, d.relPath);
    await pullRemote(this.folder, this.deps);
  }

  private applyPause(): void {
    const paused = this.userPaused || this.globalPaused || this.massDelete !== null;
    if (paused) {
      for (const item of this.deps.queue.items())
        if (item.id.startsWith(`${this.folder.id}:`)) this.deps.queue.cancel(item.id);
      if (this.state !== 'error') this.setState('paused');
    } else if (this.state === 'paused') {
      this.setState('idle');
      void this.rescan();
    }
  }

  private get paused(): boolean {
    return this.userPaused || this.globalPaused || this.massDelete !== null;
  }

  private async onBatch(batch: ChangeBatch): Promise<void> {
    if (batch.changes.some((c) => IgnoreRules.isRulesFile(c.relPath))) await this.rules.reload();
    await this.handle(fromBatch(batch.changes));
  }

  private async handle(input: DetectInput): Promise<void> {
    const decisions = await detectChanges(input, {
      getRecord: (p) => this.deps.index.get(this.folder.id, p),
      hash: fileHasher(this.folder.localPath),
    });
    const { uploads, deletes } = await applyDecisions(
      this.folder,
      this.deps,
      decisions.filter((d) => d.kind !== 'upload' || this.keyAllowed(d.relPath, d.size, d.mtimeMs)),
    );
    for (const p of uploads) this.queueUpload(p);
    if (deletes.length === 0) return;
    const counts = this.deps.index.countsByState(this.folder.id);
    const live = Object.values(counts).reduce((a, b) => a + b, 0) - counts.deleted;
    const verdict = checkMassDelete(
      deletes.map((d) => d.relPath),
      live,
      this.folder.localPath,
      {
        maxFiles: this.deps.tuning.massDeleteFiles,
        maxPercent: this.deps.tuning.massDeletePercent,
      },
    );
    if (verdict.verdict === 'ok' && this.heldDeletes.length === 0) {
      await applyDeletes(this.folder, this.deps, deletes);
      return;
    }
    this.heldDeletes.push(
      ...deletes.filter((d) => !this.heldDeletes.some((h) => h.relPath === d.relPath)),
    );
    const n = this.heldDeletes.length;
    this.massDelete = {
      count: n,
      percent: Math.round((n / Math.max(live, n)) * 100),
      message:
        verdict.verdict === 'ask' ? verdict.message : `${n} deletes are waiting for your answer`,
    };
    this.deps.log('warn', this.massDelete.message);
    this.applyPause();
  }

  /** A name S3 cannot take stays visible as an error row with the fix, and is not uploaded. */
  private keyAllowed(relPath: string, size: number, mtimeMs: number): boolean {
    const errors = checkKeyName(relPath, this.folder.prefix).filter((p) => p.severity === 'error');
    if (errors.length === 0) return true;
    const message = errors.map((p) => p.message).join(' ');
    this.deps.index.upsert({
      folderId: this.folder.id,
      relPath,
      key: objectKey(this.folder.prefix, relPath),
      size,
      mtimeMs,
      state: 'error',
      error: message,
    });
    const row = this.deps.index.get(this.folder.id, relPath);
    if (row) this.deps.onRows([row]);
    this.deps.log('warn', message);
    return false;
  }

  private queueUpload(relPath: string): void {
    if (this.paused || this.state === 'error' || this.disposed) return;
    const row = this.deps.index.get(this.folder.id, relPath);
    this.deps.queue.add(
      `${this.folder.id}:${relPath}`,
      async (ctx) => {
        const outcome = await runUpload(this.folder, this.deps, relPath, ctx);
        if (outcome === 'requeue') this.queueUpload(relPath);
        else if (typeof outcome === 'object' && 'folderError' in outcome)
          this.fail(new Error(outcome.folderError));
        else if (typeof outcome === 'object')
          this.after(this.deps.tuning.retryMs, () => this.queueUpload(relPath));
        this.deps.onSummary();
        return outcome;
      },
      row?.size ?? 0,
    );
    this.deps.onSummary();
  }

  /** Runs a job after the ones before it; the state shows what runs. */
  private enqueue(state: FolderState, job: () => Promise<void>): Promise<void> {
    const run = async () => {
      if (this.disposed) return;
      if (this.paused && state !== 'scanning') return;
      this.busy++;
      if (this.state !== 'error' && !this.paused) this.setState(state);
      try {
        await job();
        if (this.state === 'error' && this.error !== null) return;
      } catch (err) {
        this.fail(err);
      } finally {
        this.busy--;
        if (this.busy === 0 && this.state !== 'error')
          this.setState(this.paused ? 'paused' : 'idle');
      }
    };
    this.serial = this.serial.then(run, run);
    return this.serial;
  }

  /** A permanent failure stops the folder with its message; the queue is kept. */
  private fail(err: unknown): void {
    this.error = err instanceof Error ? err.message : String(err);
    this.setState('error');
    this.deps.log('error', this.error);
  }

  /** Clears an error and tries again (the user's resume or rescan). */
  retry(): Promise<void> {
    this.error = null;
    this.setState(this.paused ? 'paused' : 'idle');
    return this.rescan().then(() => this.pull());
  }

  private setState(state: FolderState): void {
    if (this.state === state) return;
    this.state = state;
    this.deps.onSummary();
  }

  private every(ms: number, fn: () => Promise<void>): void {
    const t = setInterval(() => void fn(), ms);
    t.unref();
    this.disposables.add(toDisposable(() => clearInterval(t)));
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  /** Resolves when every job queued so far has run. */
  idle(): Promise<void> {
    return this.serial;
  }

  dispose(): void {
    this.disposed = true;
    for (const t of this.timers) clearTimeout(t);
    for (const item of this.deps.queue.items())
      if (item.id.startsWith(`${this.folder.id}:`)) this.deps.queue.cancel(item.id);
    this.disposables.dispose();
    this.watcher?.dispose();
  }
}
