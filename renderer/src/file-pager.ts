// Drives a FilePageCache: fetches the pages of the rows on screen (missing ones at once,
// stale ones after a short wait, since changes come in bursts), never the same page twice at
// a time, and stops retrying after a failure until asked to. The list call is injected, so
// this runs under Node for the unit tests.
import type { CommandArgs } from '../../main/contract/commands.js';
import type { FilePage, FileRow } from '../../main/contract/sync.js';
import { FilePageCache, type FileQuery } from './file-page-cache.js';

export const STALE_REFETCH_MS = 300;

export type ListFiles = (args: CommandArgs<'files.list'>, signal: AbortSignal) => Promise<FilePage>;

export interface FilePagerOptions {
  list: ListFiles;
  /** A page or row changed: render again. */
  onChange: () => void;
  /** A fetch failed (not when cancelled); fetching waits for refresh(). */
  onError: (error: unknown) => void;
  staleDelayMs?: number;
}

export function listArgs(
  query: FileQuery,
  offset: number,
  limit: number,
): CommandArgs<'files.list'> {
  const args: CommandArgs<'files.list'> = { offset, limit };
  if (query.folderId !== undefined) args.folderId = query.folderId;
  if (query.state !== undefined) args.state = query.state;
  const search = query.search?.trim();
  if (search) args.search = search;
  return args;
}

export class FilePager {
  readonly cache: FilePageCache;
  private readonly inFlight = new Map<number, { controller: AbortController; mark: number }>();
  private range: [number, number] = [0, 0];
  private failed = false;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly staleDelay: number;

  constructor(
    query: FileQuery,
    private readonly options: FilePagerOptions,
  ) {
    this.cache = new FilePageCache(query);
    this.staleDelay = options.staleDelayMs ?? STALE_REFETCH_MS;
  }

  get failing(): boolean {
    return this.failed;
  }

  /** Rows first..last are on screen. */
  showRange(first: number, last: number): void {
    this.range = [first, last];
    this.fetchOnScreen(false);
  }

  /** Rows of a 'files.changed' event. */
  merge(rows: readonly FileRow[]): void {
    if (this.stopped) return;
    const merged = this.cache.merge(rows);
    if (merged.updated > 0 || merged.stale) this.options.onChange();
    if (merged.stale) this.fetchOnScreen(false);
  }

  /** Everything may be out of date (a reconnect, a Try again): fetch the rows on screen. */
  refresh(): void {
    this.failed = false;
    this.cache.markAllStale();
    this.fetchOnScreen(true);
  }

  /** (Again) fetches what is on screen; after stop() too, as React may stop and restart it. */
  start(): void {
    this.stopped = false;
    this.fetchOnScreen(false);
  }

  stop(): void {
    this.stopped = true;
    for (const { controller } of this.inFlight.values()) controller.abort();
    this.inFlight.clear();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private fetchOnScreen(includeStale: boolean): void {
    if (this.failed || this.stopped) return;
    const [first, last] = this.range;
    let waiting = false;
    for (const page of this.cache.pagesToFetch(first, last)) {
      if (includeStale || !this.cache.isLoaded(page)) this.fetchPage(page);
      else waiting = true;
    }
    if (waiting && this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.fetchOnScreen(true);
      }, this.staleDelay);
    }
  }

  private fetchPage(page: number): void {
    if (this.inFlight.has(page)) return;
    const controller = new AbortController();
    const entry = { controller, mark: this.cache.mark };
    this.inFlight.set(page, entry);
    const size = this.cache.pageSize;
    let ok = false;
    this.options
      .list(listArgs(this.cache.query, page * size, size), controller.signal)
      .then(
        (answer) => {
          if (controller.signal.aborted) return;
          this.cache.store(answer, entry.mark);
          ok = true;
        },
        (error: unknown) => {
          if (controller.signal.aborted) return;
          this.failed = true;
          this.options.onError(error);
        },
      )
      .finally(() => {
        if (this.inFlight.get(page) === entry) this.inFlight.delete(page);
        const marks = [...this.inFlight.values()].map((r) => r.mark);
        this.cache.forgetBefore(marks.length > 0 ? Math.min(...marks) : this.cache.mark);
        if (!ok || this.stopped) return;
        this.options.onChange();
        // The answer may have moved rows (a new total) or come back stale.
        this.fetchOnScreen(false);
      });
  }
}
