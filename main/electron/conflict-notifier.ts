// Desktop notifications for new conflicts, once per conflict: the ids already notified are
// kept in memory and in a small JSON file in the data dir, so a restart stays quiet about
// conflicts the user has been told of.
import fs from 'node:fs';
import path from 'node:path';
import type { Notification } from 'electron';
import type { ConflictSummary } from '../contract/index.js';
import { conflictNotices } from '../core/app/conflict-text.js';
import type { ElectronDeps } from './electron-deps.js';

export const CONFLICT_NOTICES_FILE = 'conflict-notifications.json';

/** How many notified ids are remembered; the oldest are forgotten past this. */
const REMEMBER = 5000;

export interface ConflictNotifierOptions {
  /** The JSON file that remembers the notified ids. */
  file: string;
  /** A click on a notice: show the Conflicts view (with this conflict selected). */
  onOpen: (conflictId?: string) => void;
  log: (line: string) => void;
}

interface StoredIds {
  notified: string[];
}

export class ConflictNotifier {
  /** Insertion-ordered, so the oldest ids are the first forgotten. */
  private readonly notified: Set<string>;
  /** Shown notices, held so they are not collected before the user clicks them. */
  private readonly live = new Set<Notification>();

  constructor(
    private readonly deps: Pick<ElectronDeps, 'Notification'>,
    private readonly opts: ConflictNotifierOptions,
  ) {
    this.notified = new Set(this.load());
  }

  /** Whether a conflict was notified already (this run or an earlier one). */
  has(id: string): boolean {
    return this.notified.has(id);
  }

  /** The whole list of open conflicts; notifies the ones never notified. Returns how many. */
  update(list: readonly ConflictSummary[]): number {
    const fresh = list.filter((c) => !this.notified.has(c.id));
    if (fresh.length === 0) return 0;
    for (const conflict of fresh) this.notified.add(conflict.id);
    while (this.notified.size > REMEMBER) {
      const oldest = this.notified.values().next();
      if (oldest.done) break;
      this.notified.delete(oldest.value);
    }
    this.save();
    if (!this.deps.Notification.isSupported()) {
      this.opts.log(`${fresh.length} new conflict(s); this system shows no desktop notifications.`);
      return 0;
    }
    const notices = conflictNotices(fresh);
    for (const notice of notices) {
      const shown = new this.deps.Notification({ title: notice.title, body: notice.body });
      this.live.add(shown);
      shown.on('click', () => {
        this.live.delete(shown);
        this.opts.onOpen(notice.conflictId);
      });
      shown.on('close', () => this.live.delete(shown));
      shown.show();
    }
    return notices.length;
  }

  private load(): string[] {
    let text: string;
    try {
      text = fs.readFileSync(this.opts.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        this.opts.log(`Could not read ${this.opts.file}: ${(err as Error).message}`);
      return [];
    }
    try {
      const stored = JSON.parse(text) as Partial<StoredIds>;
      if (Array.isArray(stored.notified))
        return stored.notified.filter((id): id is string => typeof id === 'string');
    } catch {
      // Falls through to the message below.
    }
    this.opts.log(`${this.opts.file} is not a list of notified conflicts; starting afresh.`);
    return [];
  }

  private save(): void {
    const stored: StoredIds = { notified: [...this.notified] };
    const tmp = `${this.opts.file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(path.dirname(this.opts.file), { recursive: true });
      fs.writeFileSync(tmp, JSON.stringify(stored), { mode: 0o600 });
      fs.renameSync(tmp, this.opts.file);
    } catch (err) {
      // Only costs a repeated notice after a restart.
      this.opts.log(`Could not remember notified conflicts: ${(err as Error).message}`);
    }
  }
}
