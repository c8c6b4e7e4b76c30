// Browser mode's notices of new conflicts, once per conflict: the ids already notified are
// remembered in the page's storage, so a reload stays quiet about them. Pure apart from
// the storage it is given, so it runs under Node for the unit tests.
import type { ConflictSummary } from '../../main/contract/conflicts.js';
import { conflictName, describeSides } from './conflict-format.js';

export const NOTIFIED_STORAGE_KEY = 'replica-sync.notified-conflicts';

/** How many notified ids are remembered; the oldest are forgotten past this. */
const REMEMBER = 5000;

/** Past this many new conflicts at once, one notice sums them up. */
export const NOTICE_BATCH = 3;

export interface ConflictNotice {
  title: string;
  body: string;
  /** The conflict a click selects; absent when the notice covers several. */
  conflictId?: string;
}

/** The part of the page's Storage used here (declared here so the tests run under Node). */
export interface IdStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** The ids notified so far, in storage when there is one (it may be full or refused). */
export class NotifiedConflicts {
  private readonly ids: Set<string>;

  constructor(
    private readonly storage: IdStorage | null,
    private readonly key = NOTIFIED_STORAGE_KEY,
  ) {
    this.ids = new Set(this.load());
  }

  /** The conflicts of the list never notified; they count as notified from now on. */
  takeFresh(list: readonly ConflictSummary[]): ConflictSummary[] {
    // Another tab of the same page may have notified some since.
    for (const id of this.load()) this.ids.add(id);
    const fresh = list.filter((c) => !this.ids.has(c.id));
    if (fresh.length === 0) return fresh;
    for (const conflict of fresh) this.ids.add(conflict.id);
    while (this.ids.size > REMEMBER) {
      const oldest = this.ids.values().next();
      if (oldest.done) break;
      this.ids.delete(oldest.value);
    }
    try {
      this.storage?.setItem(this.key, JSON.stringify([...this.ids]));
    } catch {
      // Full or refused storage only means a repeated notice after a reload.
    }
    return fresh;
  }

  private load(): string[] {
    try {
      const parsed: unknown = JSON.parse(this.storage?.getItem(this.key) ?? '[]');
      return Array.isArray(parsed)
        ? parsed.filter((id): id is string => typeof id === 'string')
        : [];
    } catch {
      return [];
    }
  }
}

/** One notice per new conflict, or a single summary when many arrive together. */
export function conflictNotices(fresh: readonly ConflictSummary[]): ConflictNotice[] {
  if (fresh.length > NOTICE_BATCH) {
    const names = fresh.slice(0, NOTICE_BATCH).map(conflictName);
    const rest = fresh.length - names.length;
    return [
      {
        title: `${fresh.length.toLocaleString('en-US')} new conflicts`,
        body: `${names.join(', ')} and ${rest.toLocaleString('en-US')} more.`,
      },
    ];
  }
  return fresh.map((conflict) => ({
    title: `${conflict.certain ? 'Conflict' : 'Possible conflict'}: ${conflictName(conflict)}`,
    body: `${conflict.relPath} has versions from ${describeSides(conflict.sides)}.`,
    conflictId: conflict.id,
  }));
}
