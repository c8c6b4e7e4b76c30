// The Files view's cache of files.list pages for one filter. Pages are fetched as the
// user scrolls; 'files.changed' rows are merged in place when they are loaded. A change
// the cache cannot place (a row not loaded, or one that left the filter) makes every page
// stale: stale pages still show, and the visible ones are fetched again. Pure (no DOM, no
// api), so it runs under Node for the unit tests.
import type { FilePage, FileRow, FileSyncState } from '../../main/contract/sync.js';

export const PAGE_SIZE = 200;

export interface FileQuery {
  folderId?: string;
  state?: FileSyncState;
  search?: string;
}

/** One string per filter, so a changed filter starts a new cache. */
export function queryKey(query: FileQuery): string {
  return JSON.stringify([query.folderId ?? '', query.state ?? '', query.search ?? '']);
}

export function rowKey(row: Pick<FileRow, 'folderId' | 'relPath'>): string {
  return `${row.folderId}\u0000${row.relPath}`;
}

/**
 * Whether a row belongs to the filter as far as the renderer can tell (the search is a
 * case-insensitive part of the path). The engine's answer wins when the page is fetched.
 */
export function rowMatches(row: FileRow, query: FileQuery): boolean {
  if (query.folderId !== undefined && row.folderId !== query.folderId) return false;
  if (query.state !== undefined && row.state !== query.state) return false;
  const search = query.search?.trim().toLowerCase();
  if (search && !row.relPath.toLowerCase().includes(search)) return false;
  return true;
}

interface Page {
  rows: FileRow[];
  stale: boolean;
}

export interface MergeResult {
  /** Loaded rows replaced in place. */
  updated: number;
  /** True when pages must be fetched again to be right (rows moved, appeared or left). */
  stale: boolean;
}

/** How many changes a cache remembers for answers that were already on their way. */
const RECENT_LIMIT = 5000;

export class FilePageCache {
  readonly key: string;
  /** Rows in the filter, from the last page answered; null before the first answer. */
  total: number | null = null;
  private readonly pages = new Map<number, Page>();
  private readonly where = new Map<string, { page: number; slot: number }>();
  /** Changes by row key with a sequence number, laid over pages fetched before them. */
  private readonly recent = new Map<string, { row: FileRow; seq: number }>();
  private seq = 0;

  constructor(
    readonly query: FileQuery,
    readonly pageSize = PAGE_SIZE,
  ) {
    this.key = queryKey(query);
  }

  /** A mark to pass to store(): changes after it are laid over the page it answers. */
  get mark(): number {
    return this.seq;
  }

  pageOf(index: number): number {
    return Math.floor(index / this.pageSize);
  }

  rowAt(index: number): FileRow | undefined {
    return this.pages.get(this.pageOf(index))?.rows[index % this.pageSize];
  }

  /** The loaded row of this key (folderId + relPath), if its page is loaded. */
  rowByKey(key: string): FileRow | undefined {
    const at = this.where.get(key);
    const row = at ? this.pages.get(at.page)?.rows[at.slot] : undefined;
    return row && rowKey(row) === key ? row : undefined;
  }

  isLoaded(page: number): boolean {
    return this.pages.has(page);
  }

  loadedPages(): number[] {
    return [...this.pages.keys()].sort((a, b) => a - b);
  }

  /** Pages of rows first..last (inclusive) that are missing or stale, in order. */
  pagesToFetch(first: number, last: number): number[] {
    const limit = this.total === null ? 0 : Math.max(0, this.total - 1);
    const from = this.pageOf(Math.max(0, Math.min(first, last)));
    const to = this.pageOf(Math.max(0, Math.min(Math.max(first, last), limit)));
    const out: number[] = [];
    for (let p = from; p <= to; p++) {
      const page = this.pages.get(p);
      if (!page || page.stale) out.push(p);
    }
    return out;
  }

  /** Takes an answer of files.list; `mark` is `this.mark` from when it was asked for. */
  store(answer: FilePage, mark: number = this.seq): void {
    const page = this.pageOf(answer.offset);
    const rows = answer.rows.slice(0, this.pageSize);
    let stale = answer.offset % this.pageSize !== 0;
    for (let slot = 0; slot < rows.length; slot++) {
      const newer = this.recent.get(rowKey(rows[slot] as FileRow));
      if (newer && newer.seq > mark) {
        rows[slot] = newer.row;
        if (!rowMatches(newer.row, this.query)) stale = true;
      }
    }
    if (this.total !== null && answer.total !== this.total) {
      // Rows were added or removed: every other page may have shifted.
      for (const [p, other] of this.pages) if (p !== page) other.stale = true;
    }
    this.total = answer.total;
    this.dropPage(page);
    this.pages.set(page, { rows, stale });
    rows.forEach((row, slot) => this.where.set(rowKey(row), { page, slot }));
    for (const p of [...this.pages.keys()]) {
      if (p > 0 && p * this.pageSize >= answer.total) this.dropPage(p);
    }
  }

  /** Merges rows of a 'files.changed' event. */
  merge(changed: readonly FileRow[]): MergeResult {
    let updated = 0;
    let stale = false;
    for (const row of changed) {
      if (this.query.folderId !== undefined && row.folderId !== this.query.folderId) continue;
      const key = rowKey(row);
      this.seq += 1;
      // Deleted first, so the map's order stays the order of the changes.
      this.recent.delete(key);
      this.recent.set(key, { row, seq: this.seq });
      const at = this.where.get(key);
      const page = at ? this.pages.get(at.page) : undefined;
      if (at && page && page.rows[at.slot] && rowKey(page.rows[at.slot] as FileRow) === key) {
        page.rows[at.slot] = row;
        updated += 1;
        if (!rowMatches(row, this.query)) stale = true;
      } else if (rowMatches(row, this.query)) {
        // Not loaded: a new file, or one on a page not fetched yet; the total may change.
        stale = true;
      }
    }
    this.trimRecent();
    if (stale) this.markAllStale();
    return { updated, stale };
  }

  markAllStale(): void {
    for (const page of this.pages.values()) page.stale = true;
  }

  /** Forgets changes older than `mark` once no answer asked for before them is awaited. */
  forgetBefore(mark: number): void {
    for (const [key, entry] of this.recent) if (entry.seq <= mark) this.recent.delete(key);
  }

  private trimRecent(): void {
    if (this.recent.size <= RECENT_LIMIT) return;
    const excess = this.recent.size - RECENT_LIMIT;
    let i = 0;
    // Maps iterate in insertion order, so the oldest changes go first.
    for (const key of this.recent.keys()) {
      if (i++ >= excess) break;
      this.recent.delete(key);
    }
  }

  private dropPage(page: number): void {
    const old = this.pages.get(page);
    if (!old) return;
    this.pages.delete(page);
    old.rows.forEach((row, slot) => {
      const at = this.where.get(rowKey(row));
      if (at && at.page === page && at.slot === slot) this.where.delete(rowKey(row));
    });
  }
}
