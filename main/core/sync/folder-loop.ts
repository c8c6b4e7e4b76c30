// One serialized loop per folder (Syncthing's model): scans, watcher batches, pulls and the
// user's answers run one at a time through `serial`, and the loop is always in one
// explicit state (idle, scanning, syncing, paused or error), decided in one place
// (transition) from what holds now. Transient failures never stop the folder: a file's
// upload is retried with backoff through the queue, a failed pull or scan runs again with
// backoff. Only what stops the whole folder puts it in error, and the folder is tried again
// with backoff until the cause goes away (retry-policy.ts).
import type { FolderState, MassDeleteQuestion } from '../../contract/index.js';
import { DisposableStore, toDisposable, type Disposable } from '../disposable.js';
import { ChangeAggregator, type ChangeBatch } from '../watch/aggregator.js';
import { IgnoreRules } from '../watch/ignore-rules.js';
import { findCollisions, specialFileMessage } from '../watch/key-names.js';
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
import { holdDeletes } from './delete-hold.js';
import { KeyGate } from './key-gate.js';
import { OnceLog } from './once-log.js';
import { isPullErrorRow, pullRemote } from './pull.js';
import { failureKind, Retries } from './retry-policy.js';
import { runUpload, type UploadOutcome } from './upload-task.js';

/** Which step failed: the folder error's origin decides what proves it gone. */
type Origin = 'watch' | 'scan' | 'sync' | 'pull' | 'upload';

/** The folder itself cannot be read or watched (missing, unmounted): stops the folder. */
class LocalFolderError extends Error {}

const WAITING = ['pending', 'error', 'interrupted'] as const;

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
  private rules: IgnoreRules = IgnoreRules.fromText('');
  private reportedSymlinks = new Set<string>();
  private disposed = false;
  private busy = 0;
  private running: FolderState = 'syncing';
  private errorOrigin: Origin | null = null;
  private readonly retries: Retries;
  private readonly said: OnceLog;
  private readonly gate: KeyGate;
  private aggregator: ChangeAggregator | undefined;
  private watcher: FolderWatcher | undefined;

  private waitingPull: Promise<void> | null = null;

  constructor(
    readonly folder: FolderConfig,
    private readonly deps: FolderDeps,
  ) {
    this.said = new OnceLog(deps.log);
    this.retries = new Retries(() => ({
      baseMs: deps.tuning.retryMs,
      maxMs: Math.max(deps.tuning.retryMs, deps.tuning.retryMaxMs ?? 60_000),
    }));
    this.gate = new KeyGate(folder, deps, this.said);
  }

  /** Loads the ignore rules, starts the watcher, resumes interrupted uploads, then scans. */
  async start(opts: { paused?: boolean } = {}): Promise<void> {
    this.globalPaused = opts.paused ?? false;
    this.aggregator = this.disposables.add(
      new ChangeAggregator({
        root: this.folder.localPath,
        settleMs: this.deps.tuning.settleMs,
        onBatch: (batch) => this.enqueue('syncing', 'sync', () => this.onBatch(batch)),
        onError: (err) => this.deps.log('warn', `${this.folder.localPath}: ${err.message}`),
      }),
    );
    try {
      await this.startWatcher();
    } catch (err) {
      this.fail(err, 'watch');
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
    try {
      this.rules = await IgnoreRules.load(this.folder.localPath);
      const previous = this.watcher;
      this.watcher = await FolderWatcher.start(this.folder.localPath, {
        rules: this.rules,
        onEvent: (e) => aggregator.push(e),
        onError: (err) =>
          this.said.say(
            `watch:${err.message}`,
            'warn',
            `Watching ${this.folder.localPath}: ${err.message}`,
          ),
        // Changes made while it switched to polling are found by a scan.
        onFallback: () => void this.rescan(),
      });
      previous?.dispose();
    } catch (err) {
      throw new LocalFolderError(err instanceof Error ? err.message : String(err));
    }
  }

  /** A full scan against the index: the safety net under the watcher. */
  rescan(): Promise<void> {
    return this.enqueue('scanning', 'scan', () => this.scanOnce());
  }

  private async scanOnce(): Promise<void> {
    const scan = await scanFolder(this.folder.localPath, {
      rules: this.rules,
      reportedSymlinks: this.reportedSymlinks,
      onSymlink: (p) =>
        this.deps.log('info', `${p} is a symbolic link; links are not followed or synced`),
    }).catch((err: unknown) => {
      throw new LocalFolderError(err instanceof Error ? err.message : String(err));
    });
    // A problem is said once while it lasts; one whose path went away is forgotten.
    const seen = new Set([...scan.entries, ...scan.problems].map((e) => `path:${e.relPath}`));
    this.said.prune('path:', (k) => seen.has(k));
    for (const p of scan.problems) this.said.say(`path:${p.relPath}`, 'warn', p.message);
    this.nameProblems = findCollisions(scan.entries.map((e) => e.relPath)).map((p) => p.message);
    const input = fromScan(scan.entries, this.deps.index.iterate(this.folder.id));
    // A file newly matched by .syncignore stops being synced; it is not deleted remotely.
    const ignored = input.removed.filter((p) => this.rules.ignores(p));
    for (const p of ignored) this.deps.index.remove(this.folder.id, p);
    // Neither is a row the pull marked: it has no local file to lose (its problem is remote).
    input.removed = input.removed.filter(
      (p) => !this.rules.ignores(p) && !isPullErrorRow(this.deps.index.get(this.folder.id, p)),
    );
    await this.handle(input);
    this.retries.succeeded('rescan');
    this.said.clear('folder:rescan');
    this.requeueWaiting();
  }

  /** Rows still waiting (failed earlier, interrupted) go back to the queue, through the gate. */
  private requeueWaiting(): void {
    for (const state of WAITING)
      for (const row of this.deps.index.list(this.folder.id, { state, limit: 100_000 }))
        if (!this.deps.queue.has(`${this.folder.id}:${row.relPath}`) && !isPullErrorRow(row))
          this.queueUpload(row.relPath);
  }

  /**
   * A pull asked for while another waits to start joins it: a slow listing never piles up
   * pulls behind it (one runs, at most one waits).
   */
  pull(): Promise<void> {
    if (this.waitingPull) return this.waitingPull;
    const queued = this.enqueue('syncing', 'pull', () => {
      this.waitingPull = null;
      return this.pullOnce();
    });
    this.waitingPull = queued;
    // A job skipped while paused never starts: the next pull must not join it.
    void queued.finally(() => {
      if (this.waitingPull === queued) this.waitingPull = null;
    });
    return queued;
  }

  private async pullOnce(): Promise<void> {
    const r = await pullRemote(this.folder, this.deps);
    this.retries.succeeded('pull');
    if (this.said.clear('folder:pull'))
      this.deps.log('info', `${this.folder.bucket} answers again; ${this.folder.localPath} syncs`);
    for (const message of r.refused) this.said.say(`remote:${message}`, 'error', message);
    if (r.downloaded > 0)
      this.deps.log(
        'info',
        `Downloaded ${r.downloaded} file${r.downloaded === 1 ? '' : 's'} into ${this.folder.localPath}`,
      );
    // What stopped the pull went away: the folder goes on by itself.
    if (this.errorOrigin === 'pull') this.clearError();
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
    const answered = this.enqueue('syncing', 'sync', async () => {
      if (proceed) await applyDeletes(this.folder, this.deps, held);
      else {
        // Keep: bring the files back from the bucket instead of deleting them there.
        this.deps.log(
          'info',
          `Kept ${held.length} files: restoring them from ${this.folder.bucket}`,
        );
        // Forget the local rows so the pull sees the bucket's versions as new to this folder.
        for (const d of held) this.deps.index.remove(this.folder.id, d.relPath);
        await pullRemote(this.folder, this.deps);
      }
    });
    this.applyPause();
    return answered;
  }

  private applyPause(): void {
    const wasPaused = this.state === 'paused';
    if (this.paused) this.cancelQueued();
    this.transition();
    if (wasPaused && !this.paused) void this.rescan();
  }

  private get paused(): boolean {
    return this.userPaused || this.globalPaused || this.massDelete !== null;
  }

  private async onBatch(batch: ChangeBatch): Promise<void> {
    if (batch.changes.some((c) => IgnoreRules.isRulesFile(c.relPath))) await this.rules.reload();
    for (const s of batch.special ?? [])
      this.said.say(`path:${s.relPath}`, 'warn', specialFileMessage(s.relPath, s.what));
    for (const c of batch.changes) if (c.type === 'unlink') this.said.clear(`path:${c.relPath}`);
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
      decisions.flatMap((d) => this.gate.filter(d)),
    );
    for (const p of uploads) this.queueUpload(p);
    if (deletes.length === 0) return;
    const question = holdDeletes(this.folder, this.deps, deletes, this.heldDeletes);
    if (question === null) return applyDeletes(this.folder, this.deps, deletes);
    this.massDelete = question;
    this.deps.log('warn', this.massDelete.message);
    this.applyPause();
  }

  private queueUpload(relPath: string, delayMs = 0): void {
    if (this.paused || this.error !== null || this.disposed) return;
    const row = this.deps.index.get(this.folder.id, relPath);
    if (!this.gate.allows(relPath, row?.size ?? 0, row?.mtimeMs ?? 0)) return;
    this.deps.queue.add(
      `${this.folder.id}:${relPath}`,
      async (ctx) => {
        const outcome = await runUpload(this.folder, this.deps, relPath, ctx);
        this.afterUpload(relPath, outcome);
        this.deps.onSummary();
        return outcome;
      },
      row?.size ?? 0,
      { delayMs },
    );
    this.deps.onSummary();
  }

  /** What an upload's outcome means for the file, the folder and the next try. */
  private afterUpload(relPath: string, outcome: UploadOutcome): void {
    if (outcome === 'requeue') return this.queueUpload(relPath);
    if (outcome === 'cancelled') return;
    if (typeof outcome === 'string') {
      this.retries.succeeded(relPath);
      this.said.clear(`path:${relPath}`);
      if (outcome === 'synced') {
        this.retries.succeeded('folder');
        if (this.said.clear('folder:upload'))
          this.deps.log('info', `Uploads to ${this.folder.bucket} go through again`);
      }
      return;
    }
    if ('folderError' in outcome) return this.fail(new Error(outcome.folderError), 'upload');
    const wait = this.retries.failed(relPath);
    if ('fileError' in outcome) {
      this.said.say(`path:${relPath}`, 'warn', outcome.fileError);
      if (outcome.retry) this.queueUpload(relPath, wait);
      return;
    }
    // Transient: said once for the folder (not per file), retried until it succeeds.
    if (!this.said.has('folder:upload'))
      this.said.say(
        'folder:upload',
        'warn',
        `${outcome.retry} Uploads from ${this.folder.localPath} are retried automatically until they succeed.`,
      );
    this.queueUpload(relPath, wait);
  }

  /** Runs a job after the ones before it; the state shows what runs. */
  private enqueue(state: FolderState, origin: Origin, job: () => Promise<void>): Promise<void> {
    const run = async () => {
      if (this.disposed) return;
      if (this.paused && state !== 'scanning') return;
      this.busy++;
      this.running = state;
      this.transition();
      try {
        await job();
      } catch (err) {
        this.jobFailed(err, origin);
      } finally {
        this.busy--;
        this.transition();
      }
    };
    this.serial = this.serial.then(run, run);
    return this.serial;
  }

  /** A failed scan, batch or pull: the folder stops only for what stops it; else it runs again. */
  private jobFailed(err: unknown, origin: Origin): void {
    const kind = err instanceof LocalFolderError ? 'folder' : failureKind(err);
    if (kind === 'cancelled') return;
    if (kind === 'folder') return this.fail(err, origin);
    const message = err instanceof Error ? err.message : String(err);
    const what = origin === 'pull' ? 'pull' : 'rescan';
    this.said.say(
      `folder:${what}`,
      'warn',
      `${message} (${this.folder.localPath}: tried again automatically)`,
    );
    this.retries.later(what, () => (what === 'pull' ? this.pull() : this.rescan()));
  }

  /** What stops the folder: its message, said once; the folder is tried again with backoff. */
  private fail(err: unknown, origin: Origin): void {
    this.error = err instanceof Error ? err.message : String(err);
    this.errorOrigin = origin;
    this.cancelQueued();
    this.transition();
    this.said.say('folder:error', 'error', this.error);
    this.retries.later('folder', () => this.recover());
  }

  /** Tries the folder again: the watcher if it is down, a scan and a pull; clears the error when they work. */
  private recover(): Promise<void> {
    return this.enqueue('scanning', 'scan', async () => {
      if (this.error === null) return;
      const origin = this.errorOrigin ?? 'scan';
      try {
        if (!this.watcher || origin === 'watch' || origin === 'scan') await this.startWatcher();
        const error = this.error;
        await this.scanOnce();
        await pullRemote(this.folder, this.deps);
        // An upload's error is proven gone by an upload: its backoff stays until one works.
        if (origin !== 'upload') this.retries.succeeded('folder');
        if (this.error === error) this.clearError();
      } catch (err) {
        const kind = err instanceof LocalFolderError ? 'folder' : failureKind(err);
        if (kind === 'folder') this.fail(err, origin);
        else this.retries.later('folder', () => this.recover());
      }
    });
  }

  /** The cause of the folder's error went away: it syncs again, waiting rows first. */
  private clearError(): void {
    if (this.error === null) return;
    this.deps.log('info', `${this.folder.localPath} syncs again: what stopped it is gone`);
    this.error = null;
    this.errorOrigin = null;
    this.said.clear('folder:error');
    this.transition();
    this.requeueWaiting();
  }

  /** Clears an error and tries again (the user's resume or rescan). */
  retry(): Promise<void> {
    this.retries.reset();
    this.error = null;
    this.errorOrigin = null;
    this.said.clear('folder:error');
    this.transition();
    return this.rescan().then(() => this.pull());
  }

  /** The one place the state is decided: error, then paused, then the running job, else idle. */
  private transition(): void {
    const next: FolderState =
      this.error !== null
        ? 'error'
        : this.paused
          ? 'paused'
          : this.busy > 0
            ? this.running
            : 'idle';
    if (this.state === next) return;
    this.state = next;
    this.deps.onSummary();
  }

  private cancelQueued(): void {
    for (const item of this.deps.queue.items())
      if (item.id.startsWith(`${this.folder.id}:`)) this.deps.queue.cancel(item.id);
  }

  private every(ms: number, fn: () => Promise<void>): void {
    const t = setInterval(() => void fn(), ms);
    t.unref();
    this.disposables.add(toDisposable(() => clearInterval(t)));
  }

  /** Resolves when every job queued so far has run. */
  idle(): Promise<void> {
    return this.serial;
  }

  dispose(): void {
    this.disposed = true;
    this.retries.dispose();
    this.cancelQueued();
    this.disposables.dispose();
    this.watcher?.dispose();
  }
}
