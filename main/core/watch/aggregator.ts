// Turns the watcher's raw events into settled batches: a path is reported once it has
// been quiet for settleMs and two stats agree, bursts on one path merge into one change,
// and batches are capped and spaced so a big copy does not flood the folder loop.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Disposable } from '../disposable.js';
import { specialKind } from './key-names.js';
import { limitConcurrency } from './scanner.js';
import type { RawEvent } from './watcher.js';

export type SettledChange =
  | { type: 'add' | 'change'; relPath: string; size: number; mtimeMs: number }
  | { type: 'unlink' | 'addDir' | 'unlinkDir'; relPath: string };

export interface ChangeBatch {
  /** Sorted by path; at most maxBatch. */
  changes: SettledChange[];
  /** Symlinks that appeared (not followed, not synced), for the log. */
  symlinks: string[];
  /** FIFOs, sockets and device files that appeared (never synced); absent when none. */
  special?: SpecialFile[];
}

export interface SpecialFile {
  relPath: string;
  /** 'named pipe', 'socket' or 'device file'. */
  what: string;
}

export interface PathStat {
  kind: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  mtimeMs: number;
  /** For kind 'other': what it is, for the message. */
  special?: string;
}

/** lstat of a relative path; null when it does not exist. */
export type StatFn = (relPath: string) => Promise<PathStat | null>;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  // Monotonic, so a wall-clock jump does not release or hold back everything at once.
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface AggregatorOptions {
  onBatch: (batch: ChangeBatch) => void | Promise<void>;
  /** A failed stat (other than "gone") or a throwing onBatch; the rescan repairs both. */
  onError?: (err: Error) => void;
  /** Folder root for the default stat. */
  root?: string;
  stat?: StatFn;
  clock?: Clock;
  /** Quiet time after a path's last event before it is checked. */
  settleMs?: number;
  /** Time between the two stats that must agree. */
  stabilityMs?: number;
  maxBatch?: number;
  /** Least time from the end of one batch's handling to the next batch. */
  minIntervalMs?: number;
  /** Ready changes wait for the rest of a burst to settle, but no longer than this. */
  maxWaitMs?: number;
  statConcurrency?: number;
}

type Kind = 'add' | 'change' | 'unlink';

interface Entry {
  key: string;
  relPath: string;
  dir: boolean;
  kind: Kind;
  phase: 'settling' | 'rechecking' | 'checking' | 'ready';
  due: number;
  /** Bumped by every event and check start: a check whose gen is stale is dropped. */
  gen: number;
  lastStat: PathStat | undefined;
  change: SettledChange | undefined;
  readyAt: number;
}

const BASE: Record<RawEvent['type'], [Kind, boolean]> = {
  add: ['add', false],
  change: ['change', false],
  unlink: ['unlink', false],
  addDir: ['add', true],
  unlinkDir: ['unlink', true],
};

/** Merges a new event into the pending one; null: they cancel out (add then unlink). */
function merge(prev: Kind, next: Kind): Kind | null {
  if (prev === 'add') return next === 'unlink' ? null : 'add';
  if (prev === 'unlink') return next === 'unlink' ? 'unlink' : 'change';
  return next === 'unlink' ? 'unlink' : 'change';
}

export function lstatUnder(root: string): StatFn {
  return async (relPath) => {
    try {
      const st = await fs.lstat(path.join(root, relPath));
      const kind = st.isSymbolicLink()
        ? 'symlink'
        : st.isFile()
          ? 'file'
          : st.isDirectory()
            ? 'dir'
            : 'other';
      const special = kind === 'other' ? specialKind(st) : undefined;
      return { kind, size: st.size, mtimeMs: st.mtimeMs, ...(special ? { special } : {}) };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw err;
    }
  };
}

export class ChangeAggregator implements Disposable {
  private readonly entries = new Map<string, Entry>();
  // Both hold entries in due order: every insert has due = now + a constant.
  private readonly settling = new Map<string, Entry>();
  private readonly rechecking = new Map<string, Entry>();
  private readonly ready = new Map<string, Entry>();
  private readonly symlinks = new Set<string>();
  private readonly special = new Map<string, string>();
  private readonly stat: StatFn;
  private readonly clock: Clock;
  private readonly limit: ReturnType<typeof limitConcurrency>;
  private readonly o: Required<
    Pick<AggregatorOptions, 'settleMs' | 'stabilityMs' | 'maxBatch' | 'minIntervalMs' | 'maxWaitMs'>
  >;
  private inFlight = 0;
  private emitting: Promise<void> | null = null;
  private lastEmitEnd = -Infinity;
  private timer: unknown = null;
  private timerAt = Infinity;
  private disposed = false;

  constructor(private readonly options: AggregatorOptions) {
    if (!options.stat && !options.root) throw new Error('the aggregator needs a root or a stat');
    this.stat = options.stat ?? lstatUnder(options.root as string);
    this.clock = options.clock ?? systemClock;
    this.limit = limitConcurrency(options.statConcurrency ?? 16);
    this.o = {
      settleMs: options.settleMs ?? 500,
      stabilityMs: options.stabilityMs ?? 200,
      maxBatch: Math.max(1, options.maxBatch ?? 1000),
      minIntervalMs: options.minIntervalMs ?? 1000,
      maxWaitMs: options.maxWaitMs ?? 3000,
    };
  }

  /** Paths with a change not yet handed out. */
  get pendingCount(): number {
    return this.entries.size;
  }

  push(event: RawEvent): void {
    if (this.disposed) return;
    const [kind, dir] = BASE[event.type];
    const key = `${dir ? 'd' : 'f'}:${event.relPath}`;
    const now = this.clock.now();
    let e = this.entries.get(key);
    if (!e) {
      e = {
        key,
        relPath: event.relPath,
        dir,
        kind,
        phase: 'settling',
        due: 0,
        gen: 0,
        lastStat: undefined,
        change: undefined,
        readyAt: 0,
      };
      this.entries.set(key, e);
    } else {
      const merged = merge(e.kind, kind);
      this.detach(e);
      if (merged === null) {
        this.entries.delete(key);
        this.schedule();
        return;
      }
      e.kind = merged;
    }
    e.gen++;
    e.lastStat = undefined;
    e.change = undefined;
    e.phase = 'settling';
    e.due = now + this.o.settleMs;
    this.settling.set(key, e);
    this.schedule();
  }

  /**
   * Checks every pending path now (one stat, no waiting) and hands out everything in
   * batches of maxBatch, ignoring the spacing. For tests and for a pause or shutdown.
   */
  async flush(): Promise<void> {
    if (this.emitting) await this.emitting;
    const todo = [...this.entries.values()].filter((e) => e.phase !== 'ready');
    for (const e of todo) this.detach(e);
    await Promise.all(todo.map((e) => this.check(e, true)));
    while (
      !this.disposed &&
      (this.ready.size > 0 || this.symlinks.size > 0 || this.special.size > 0)
    ) {
      if (this.emitting) await this.emitting;
      else await this.emit();
    }
    this.schedule();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.entries.clear();
    this.settling.clear();
    this.rechecking.clear();
    this.ready.clear();
    this.symlinks.clear();
    this.special.clear();
  }

  private detach(e: Entry) {
    this.settling.delete(e.key);
    this.rechecking.delete(e.key);
    this.ready.delete(e.key);
  }

  private tick = () => {
    this.timer = null;
    this.timerAt = Infinity;
    if (this.disposed) return;
    const now = this.clock.now();
    for (const queue of [this.settling, this.rechecking]) {
      for (const e of queue.values()) {
        if (e.due > now) break;
        queue.delete(e.key);
        void this.check(e, false);
      }
    }
    this.maybeEmit(now);
    this.schedule();
  };

  private async check(e: Entry, force: boolean): Promise<void> {
    const gen = ++e.gen;
    e.phase = 'checking';
    this.inFlight++;
    let st: PathStat | null;
    try {
      st = await this.limit(() => this.stat(e.relPath));
    } catch (err) {
      if (this.current(e, gen)) {
        // Unknown is not gone: drop the change rather than report a delete.
        this.entries.delete(e.key);
        const reason = err instanceof Error ? err.message : String(err);
        this.options.onError?.(
          new Error(`cannot check "${e.relPath}": ${reason}; it is retried at the next rescan`, {
            cause: err,
          }),
        );
      }
      return;
    } finally {
      this.inFlight--;
      if (!force) this.schedule();
    }
    if (!this.current(e, gen)) return;
    this.settle(e, st, force);
    if (!force) this.schedule();
  }

  private current(e: Entry, gen: number) {
    return !this.disposed && this.entries.get(e.key) === e && e.gen === gen;
  }

  private settle(e: Entry, st: PathStat | null, force: boolean) {
    const now = this.clock.now();
    if (st?.kind === 'symlink') this.symlinks.add(e.relPath);
    if (st?.kind === 'other' && !e.dir) this.special.set(e.relPath, st.special ?? 'special file');
    const present = st !== null && st.kind === (e.dir ? 'dir' : 'file');
    if (!present) {
      // Added and gone again (or replaced by a link): nothing happened as far as we sync.
      if (e.kind === 'add') this.entries.delete(e.key);
      else this.markReady(e, { type: e.dir ? 'unlinkDir' : 'unlink', relPath: e.relPath }, now);
      return;
    }
    if (e.dir) {
      this.markReady(e, { type: 'addDir', relPath: e.relPath }, now);
      return;
    }
    const prev = e.lastStat;
    if (force || (prev && prev.size === st.size && prev.mtimeMs === st.mtimeMs)) {
      // A file gone and back (unlink + add) is an edit in place.
      const type = e.kind === 'add' ? 'add' : 'change';
      this.markReady(e, { type, relPath: e.relPath, size: st.size, mtimeMs: st.mtimeMs }, now);
      return;
    }
    e.lastStat = st;
    e.phase = 'rechecking';
    e.due = now + this.o.stabilityMs;
    this.rechecking.set(e.key, e);
  }

  private markReady(e: Entry, change: SettledChange, now: number) {
    e.change = change;
    e.phase = 'ready';
    e.readyAt = now;
    this.ready.set(e.key, e);
  }

  /** When the ready changes may go out, or Infinity when there are none. */
  private emitAt(now: number): number {
    if (
      this.emitting ||
      (this.ready.size === 0 && this.symlinks.size === 0 && this.special.size === 0)
    )
      return Infinity;
    const quiet = this.settling.size === 0 && this.rechecking.size === 0 && this.inFlight === 0;
    let at = now;
    if (!quiet && this.ready.size < this.o.maxBatch) {
      const oldest = this.ready.values().next().value;
      at = (oldest?.readyAt ?? now) + this.o.maxWaitMs;
    }
    return Math.max(at, this.lastEmitEnd + this.o.minIntervalMs);
  }

  private maybeEmit(now: number) {
    if (this.emitAt(now) <= now) void this.emit();
  }

  private emit(): Promise<void> {
    const run = async () => {
      const taken: Entry[] = [];
      for (const e of this.ready.values()) {
        if (taken.length >= this.o.maxBatch) break;
        taken.push(e);
      }
      for (const e of taken) {
        this.ready.delete(e.key);
        this.entries.delete(e.key);
      }
      const changes = taken
        .map((e) => e.change as SettledChange)
        .sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
      const symlinks = [...this.symlinks].sort();
      this.symlinks.clear();
      const special = [...this.special]
        .map(([relPath, what]) => ({ relPath, what }))
        .sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
      this.special.clear();
      try {
        await this.options.onBatch({ changes, symlinks, ...(special.length ? { special } : {}) });
      } catch (err) {
        this.options.onError?.(err instanceof Error ? err : new Error(String(err)));
      }
    };
    const p = run().finally(() => {
      this.emitting = null;
      this.lastEmitEnd = this.clock.now();
      this.schedule();
    });
    this.emitting = p;
    return p;
  }

  private schedule() {
    if (this.disposed) return;
    const now = this.clock.now();
    const first = (m: Map<string, Entry>) => m.values().next().value?.due ?? Infinity;
    const at = Math.min(first(this.settling), first(this.rechecking), this.emitAt(now));
    if (at === Infinity || at >= this.timerAt) return;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = this.clock.setTimeout(this.tick, Math.max(0, at - now));
  }
}
