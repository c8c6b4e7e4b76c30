// chokidar on one folder, reporting raw events by relative POSIX path. It does no
// settling (the aggregator does, with stats of its own) and never follows symlinks.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Stats } from 'node:fs';
import { watch, type FSWatcher } from 'chokidar';
import type { Disposable } from '../disposable.js';
import { IgnoreRules } from './ignore-rules.js';

export type RawEventType = 'add' | 'change' | 'unlink' | 'addDir' | 'unlinkDir';

export interface RawEvent {
  type: RawEventType;
  relPath: string;
}

export interface WatchOptions {
  onEvent: (event: RawEvent) => void;
  onError?: (err: Error) => void;
  /** Ignored paths are not watched at all; an edit of .syncignore reloads them. */
  rules?: IgnoreRules;
  /** Network drives and some containers give no native events. */
  usePolling?: boolean;
  pollIntervalMs?: number;
  /**
   * The system's limit of native watches was reached (ENOSPC/EMFILE): the watcher said so
   * through onError and now polls; changes made meanwhile need a rescan.
   */
  onFallback?: () => void;
}

const LIMIT_CODES = new Set(['ENOSPC', 'EMFILE']);

const DEFAULT_RULES = IgnoreRules.fromText('');
const TYPES = new Set<string>(['add', 'change', 'unlink', 'addDir', 'unlinkDir']);

export class FolderWatcher implements Disposable {
  private closing: Promise<void> | null = null;
  private polling = false;

  private constructor(
    readonly root: string,
    private fsw: FSWatcher,
  ) {}

  /** Starts watching; resolves once chokidar has read the tree (events flow from then). */
  static async start(root: string, options: WatchOptions): Promise<FolderWatcher> {
    const abs = path.resolve(root);
    const st = await fs.stat(abs).catch((err: NodeJS.ErrnoException) => {
      throw new Error(
        `cannot watch ${abs} (${err.code ?? err.message}); reconnect the drive or choose ` +
          `the folder again`,
        { cause: err },
      );
    });
    if (!st.isDirectory()) throw new Error(`${abs} is not a folder; choose a folder to sync`);

    const rel = (p: string) => path.relative(abs, p).split(path.sep).join('/');
    const { rules, onEvent, onError } = options;
    const open = (usePolling: boolean): FSWatcher => {
      const fsw = watch(abs, {
        persistent: true,
        ignoreInitial: true,
        followSymlinks: false,
        // Settling is the aggregator's job: it also stats, and merges bursts.
        awaitWriteFinish: false,
        usePolling,
        interval: options.pollIntervalMs ?? 1000,
        binaryInterval: options.pollIntervalMs ?? 1000,
        ignored: (p: string, stats?: Stats) => {
          const r = rel(p);
          if (r === '' || r === '..' || r.startsWith('../')) return false;
          return (rules ?? DEFAULT_RULES).ignores(r, stats?.isDirectory() ?? false);
        },
      });
      fsw.on('all', (type: string, p: string) => {
        if (!TYPES.has(type)) return;
        const relPath = rel(p);
        if (relPath === '') {
          if (type === 'unlinkDir') {
            onError?.(
              new Error(`the folder ${abs} was removed or its drive disconnected; restore it`),
            );
          }
          return;
        }
        if (rules && IgnoreRules.isRulesFile(relPath)) void rules.reload();
        onEvent({ type: type as RawEventType, relPath });
      });
      fsw.on('error', (err: unknown) => {
        const code = (err as NodeJS.ErrnoException | undefined)?.code;
        if (code !== undefined && LIMIT_CODES.has(code)) {
          // Out of native watches: said once, then the folder is polled instead.
          if (!watcher.polling && !watcher.closing) void watcher.fallBack(open, abs, options);
          return;
        }
        onError?.(err instanceof Error ? err : new Error(String(err)));
      });
      return fsw;
    };
    const watcher = new FolderWatcher(abs, open(options.usePolling ?? false));
    watcher.polling = options.usePolling ?? false;
    await ready(watcher.fsw);
    return watcher;
  }

  private async fallBack(
    open: (usePolling: boolean) => FSWatcher,
    abs: string,
    options: WatchOptions,
  ): Promise<void> {
    this.polling = true;
    const every = ((options.pollIntervalMs ?? 1000) / 1000).toString();
    options.onError?.(
      new Error(
        `the system's limit of file watches is reached (raise fs.inotify.max_user_watches), ` +
          `so ${abs} is checked for changes by polling every ${every} s instead`,
      ),
    );
    const previous = this.fsw;
    this.fsw = open(true);
    void previous.close();
    await ready(this.fsw);
    options.onFallback?.();
  }

  close(): Promise<void> {
    this.closing ??= this.fsw.close();
    return this.closing;
  }

  dispose(): void {
    void this.close();
  }
}

function ready(fsw: FSWatcher): Promise<void> {
  return new Promise<void>((resolve) => fsw.once('ready', () => resolve()));
}
