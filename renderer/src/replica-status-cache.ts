// The Files view's replica states: replication.fileStatus asked for the rows on screen only,
// a few at a time after scrolling pauses, kept (up to a limit) and kept current by the
// 'replication.changed' event. A row whose version changed is asked again; a state still
// settling is asked again now and then while on screen, as a safety net for a lost event; a
// failed question waits before it is asked again. The fetch and the timers are injected, so
// this runs under Node for the unit tests.
import type { FileReplication } from '../../main/contract/replication.js';
import { isSettling } from './replica-badges.js';

export interface StatusRow {
  folderId: string;
  relPath: string;
  /** The version the row shows; a row with none (not uploaded yet) is not asked about. */
  versionId: string | null;
}

export type FetchStatus = (
  args: { folderId: string; relPath: string },
  signal: AbortSignal,
) => Promise<FileReplication>;

export interface ReplicaStatusOptions {
  fetch: FetchStatus;
  /** A state changed: render again. */
  onChange: () => void;
  /** Questions in flight at once. */
  concurrency?: number;
  /** How long scrolling must pause before rows are asked about. */
  batchDelayMs?: number;
  /** States kept; the oldest not on screen go first. */
  maxEntries?: number;
  /** A state still settling is asked again after this long on screen. */
  settleRefreshMs?: number;
  /** A failed question is asked again after this long. */
  retryMs?: number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

interface Entry {
  status: FileReplication | null;
  /** The row's version when it was asked (or the event's version). */
  askedFor: string | null;
  at: number;
  failedAt: number | null;
  stale: boolean;
}

export function statusKey(row: { folderId: string; relPath: string }): string {
  return `${row.folderId}\u0000${row.relPath}`;
}

export class ReplicaStatusCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, AbortController>();
  private wanted = new Map<string, StatusRow>();
  private timer: unknown = null;
  private timerDue = 0;
  private stopped = false;
  private readonly o: Required<ReplicaStatusOptions>;

  constructor(options: ReplicaStatusOptions) {
    this.o = {
      concurrency: 4,
      batchDelayMs: 60,
      maxEntries: 3000,
      settleRefreshMs: 20_000,
      retryMs: 10_000,
      now: () => Date.now(),
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
      ...options,
    };
  }

  get(row: { folderId: string; relPath: string }): FileReplication | undefined {
    return this.entries.get(statusKey(row))?.status ?? undefined;
  }

  /** How many questions are in flight (for tests and a busy hint). */
  get busy(): number {
    return this.inFlight.size;
  }

  /** These rows are on screen now; rows that left it stop being asked about. */
  show(rows: readonly StatusRow[]): void {
    if (this.stopped) return;
    this.wanted = new Map(rows.map((row) => [statusKey(row), row]));
    for (const [key, controller] of this.inFlight) {
      if (!this.wanted.has(key)) {
        controller.abort();
        this.inFlight.delete(key);
      }
    }
    this.schedule(this.o.batchDelayMs);
  }

  /** States from a 'replication.changed' event or a command's answer. */
  merge(updates: readonly FileReplication[]): void {
    if (this.stopped || updates.length === 0) return;
    const now = this.o.now();
    for (const status of updates) {
      const key = statusKey(status);
      this.inFlight.get(key)?.abort();
      this.inFlight.delete(key);
      this.set(key, { status, askedFor: status.versionId, at: now, failedAt: null, stale: false });
    }
    this.trim();
    this.o.onChange();
    this.schedule(this.o.batchDelayMs);
  }

  /** Everything may be out of date (a reconnect): ask again about the rows on screen. */
  refresh(): void {
    for (const entry of this.entries.values()) {
      entry.stale = true;
      entry.failedAt = null;
    }
    this.schedule(0);
  }

  /** (Again) asks about the rows on screen; after stop() too, as React may stop and restart. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    for (const controller of this.inFlight.values()) controller.abort();
    this.inFlight.clear();
    if (this.timer !== null) this.o.clearTimer(this.timer);
    this.timer = null;
  }

  private set(key: string, entry: Entry): void {
    // Deleted first, so the map's order is the order of use (the oldest goes first).
    this.entries.delete(key);
    this.entries.set(key, entry);
  }

  private trim(): void {
    let excess = this.entries.size - this.o.maxEntries;
    if (excess <= 0) return;
    for (const key of this.entries.keys()) {
      if (excess <= 0) break;
      if (this.wanted.has(key) || this.inFlight.has(key)) continue;
      this.entries.delete(key);
      excess -= 1;
    }
  }

  /** When a row on screen should be asked about: 0 now, a delay, or null never. */
  private dueIn(row: StatusRow, now: number): number | null {
    const key = statusKey(row);
    if (row.versionId === null || this.inFlight.has(key)) return null;
    const entry = this.entries.get(key);
    if (!entry) return 0;
    if (entry.failedAt !== null) {
      return entry.askedFor !== row.versionId ? 0 : entry.failedAt + this.o.retryMs - now;
    }
    if (entry.stale || entry.askedFor !== row.versionId) return 0;
    if (entry.status && isSettling(entry.status)) return entry.at + this.o.settleRefreshMs - now;
    return null;
  }

  /** Wakes the pump after `ms`, unless it wakes sooner already (so bursts cannot starve it). */
  private schedule(ms: number): void {
    if (this.stopped) return;
    const due = this.o.now() + Math.max(0, ms);
    if (this.timer !== null) {
      if (this.timerDue <= due) return;
      this.o.clearTimer(this.timer);
    }
    this.timerDue = due;
    this.timer = this.o.setTimer(
      () => {
        this.timer = null;
        this.pump();
      },
      Math.max(0, ms),
    );
  }

  private pump(): void {
    if (this.stopped) return;
    const now = this.o.now();
    let nextWake: number | null = null;
    for (const row of this.wanted.values()) {
      const due = this.dueIn(row, now);
      if (due === null) continue;
      if (due > 0) {
        nextWake = nextWake === null ? due : Math.min(nextWake, due);
        continue;
      }
      if (this.inFlight.size >= this.o.concurrency) continue;
      this.ask(row);
    }
    if (nextWake !== null) this.schedule(nextWake);
  }

  private ask(row: StatusRow): void {
    const key = statusKey(row);
    const controller = new AbortController();
    this.inFlight.set(key, controller);
    this.o.fetch({ folderId: row.folderId, relPath: row.relPath }, controller.signal).then(
      (status) => {
        if (controller.signal.aborted || this.inFlight.get(key) !== controller) return;
        this.inFlight.delete(key);
        const entry = { status, askedFor: row.versionId, at: this.o.now(), failedAt: null };
        this.set(key, { ...entry, stale: false });
        this.trim();
        this.o.onChange();
        this.pump();
      },
      () => {
        if (controller.signal.aborted || this.inFlight.get(key) !== controller) return;
        this.inFlight.delete(key);
        const old = this.entries.get(key);
        this.set(key, {
          status: old?.status ?? null,
          askedFor: row.versionId,
          at: old?.at ?? 0,
          failedAt: this.o.now(),
          stale: false,
        });
        this.pump();
      },
    );
  }
}
