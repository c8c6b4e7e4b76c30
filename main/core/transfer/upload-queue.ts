// The bounded, cancellable transfer queue (DESIGN.md section 4, step 3) on p-queue. Items
// are keyed by path: adding a path that is already waiting replaces its task (it runs once,
// with the latest content); adding a path that is running queues one follow-up run. An item
// may be added with a delay (a retry with backoff): it waits, counted as queued, and then
// takes its turn; cancel and cancelAll drop it like any waiting item.
import PQueue from 'p-queue';
import { toDisposable, type Disposable } from '../disposable.js';

export interface QueueTaskContext {
  /** Aborted on cancel, and on pause with interruptRunning (the task is then re-queued). */
  signal: AbortSignal;
  progress(sent: number, total: number): void;
}

export type QueueTask = (ctx: QueueTaskContext) => Promise<unknown>;

export type QueueEvent =
  | { type: 'progress'; id: string; sent: number; total: number }
  | { type: 'total-progress'; sent: number; total: number; queued: number; running: number }
  | { type: 'started'; id: string }
  | { type: 'done'; id: string; result: unknown }
  | { type: 'failed'; id: string; error: unknown }
  | { type: 'cancelled'; id: string }
  | { type: 'idle' };

export interface QueueItemInfo {
  id: string;
  state: 'queued' | 'running';
  sent: number;
  total: number;
  /** Epoch ms when a delayed item (a retry) takes its turn; absent when it is not delayed. */
  retryAt?: number;
}

export interface AddOptions {
  /** Wait this long before the item takes its turn (a retry with backoff). */
  delayMs?: number;
}

interface Entry {
  id: string;
  task: QueueTask;
  state: 'queued' | 'running';
  sent: number;
  total: number;
  controller: AbortController;
  cancelled: boolean;
  interrupted: boolean;
  /** The latest task added while this one was running. */
  next?: { task: QueueTask; size: number; delayMs: number };
  /** A delayed item: when it takes its turn, and the timer that hands it to p-queue. */
  retryAt?: number;
  timer?: NodeJS.Timeout;
}

function checkConcurrency(n: number): number {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`concurrency must be an integer >= 1, got ${n}`);
  return n;
}

export class UploadQueue {
  private readonly pq: PQueue;
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<(e: QueueEvent) => void>();
  /** Bytes of items finished since the queue was last idle, for the total. */
  private finishedBytes = 0;

  constructor(opts: { concurrency: number; paused?: boolean }) {
    this.pq = new PQueue({
      concurrency: checkConcurrency(opts.concurrency),
      autoStart: !opts.paused,
    });
  }

  on(listener: (e: QueueEvent) => void): Disposable {
    this.listeners.add(listener);
    return toDisposable(() => this.listeners.delete(listener));
  }

  /**
   * Queues `task` for `id` (a path); `size` is the expected byte count for progress. A path
   * already waiting keeps its place (and its delay, if it has one) with the new task.
   */
  add(id: string, task: QueueTask, size = 0, opts: AddOptions = {}): void {
    const delayMs = Math.max(0, opts.delayMs ?? 0);
    const existing = this.entries.get(id);
    if (existing?.state === 'queued') {
      existing.task = task;
      existing.total = size;
    } else if (existing?.state === 'running') {
      existing.next = { task, size, delayMs };
    } else {
      this.enqueue(id, task, size, 0, delayMs);
    }
    this.emitTotal();
  }

  private enqueue(id: string, task: QueueTask, size: number, priority: number, delayMs = 0): void {
    const entry: Entry = {
      id,
      task,
      state: 'queued',
      sent: 0,
      total: size,
      controller: new AbortController(),
      cancelled: false,
      interrupted: false,
    };
    this.entries.set(id, entry);
    if (delayMs <= 0) {
      void this.pq.add(() => this.run(entry), { priority });
      return;
    }
    entry.retryAt = Date.now() + delayMs;
    entry.timer = setTimeout(() => {
      delete entry.timer;
      delete entry.retryAt;
      if (entry.cancelled || this.entries.get(id) !== entry) return;
      void this.pq.add(() => this.run(entry), { priority });
      this.emitTotal();
    }, delayMs);
  }

  private async run(entry: Entry): Promise<void> {
    if (entry.cancelled || this.entries.get(entry.id) !== entry) return;
    entry.state = 'running';
    this.emit({ type: 'started', id: entry.id });
    const ctx: QueueTaskContext = {
      signal: entry.controller.signal,
      progress: (sent, total) => {
        entry.sent = sent;
        entry.total = total;
        this.emit({ type: 'progress', id: entry.id, sent, total });
        this.emitTotal();
      },
    };
    let outcome: QueueEvent;
    try {
      const result = await entry.task(ctx);
      outcome = entry.cancelled
        ? { type: 'cancelled', id: entry.id }
        : { type: 'done', id: entry.id, result };
    } catch (error) {
      outcome =
        entry.cancelled || entry.interrupted
          ? { type: 'cancelled', id: entry.id }
          : { type: 'failed', id: entry.id, error };
    }
    this.entries.delete(entry.id);
    if (outcome.type === 'done') this.finishedBytes += entry.total;
    if (entry.interrupted && !entry.cancelled && outcome.type !== 'done') {
      // Paused mid-transfer: runs again first on resume (a multipart upload resumes).
      this.enqueue(entry.id, entry.next?.task ?? entry.task, entry.next?.size ?? entry.total, 1);
    } else {
      this.emit(outcome);
      // cancel() drops `next`, so one present here was added after the cancel: it runs.
      if (entry.next)
        this.enqueue(entry.id, entry.next.task, entry.next.size, 0, entry.next.delayMs);
    }
    this.settle();
  }

  /** Cancels one path: removed if waiting, aborted if running. False if not queued. */
  cancel(id: string): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    entry.cancelled = true;
    delete entry.next;
    if (entry.timer) clearTimeout(entry.timer);
    entry.controller.abort();
    if (entry.state === 'queued') {
      this.entries.delete(id);
      this.emit({ type: 'cancelled', id });
      this.settle();
    }
    return true;
  }

  cancelAll(): void {
    for (const id of [...this.entries.keys()]) this.cancel(id);
  }

  /** Stops starting items; with interruptRunning, running ones are aborted and re-queued. */
  pause(opts: { interruptRunning?: boolean } = {}): void {
    this.pq.pause();
    if (!opts.interruptRunning) return;
    for (const e of this.entries.values()) {
      if (e.state === 'running') {
        e.interrupted = true;
        e.controller.abort();
      }
    }
  }

  resume(): void {
    this.pq.start();
  }

  get paused(): boolean {
    return this.pq.isPaused;
  }

  get concurrency(): number {
    return this.pq.concurrency;
  }

  /** Takes effect at once: more items start, or fewer start until the running ones end. */
  setConcurrency(n: number): void {
    this.pq.concurrency = checkConcurrency(n);
  }

  items(): QueueItemInfo[] {
    return [...this.entries.values()].map(({ id, state, sent, total, retryAt }) => ({
      id,
      state,
      sent,
      total,
      ...(retryAt !== undefined ? { retryAt } : {}),
    }));
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** Resolves when nothing is queued or running (a paused queue with items never is). */
  async onIdle(): Promise<void> {
    if (this.entries.size === 0) return;
    await new Promise<void>((resolve) => {
      const sub = this.on((e) => {
        if (e.type === 'idle') {
          sub.dispose();
          resolve();
        }
      });
    });
  }

  private totals(): { sent: number; total: number; queued: number; running: number } {
    let sent = this.finishedBytes;
    let total = this.finishedBytes;
    let queued = 0;
    let running = 0;
    for (const e of this.entries.values()) {
      sent += e.sent;
      total += Math.max(e.total, e.sent);
      if (e.state === 'running') running++;
      else queued++;
    }
    return { sent, total, queued, running };
  }

  private emitTotal(): void {
    this.emit({ type: 'total-progress', ...this.totals() });
  }

  private settle(): void {
    this.emitTotal();
    if (this.entries.size === 0) {
      this.finishedBytes = 0;
      this.emit({ type: 'idle' });
    }
  }

  private emit(e: QueueEvent): void {
    for (const l of [...this.listeners]) l(e);
  }
}
