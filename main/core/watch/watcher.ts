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
}

const DEFAULT_RULES = IgnoreRules.fromText('');
const TYPES = new Set<string>(['add', 'change', 'unlink', 'addDir', 'unlinkDir']);

export class FolderWatcher implements Disposable {
  private closing: Promise<void> | null = null;

  private constructor(
    readonly root: string,
    private readonly fsw: FSWatcher,
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
    const fsw = watch(abs, {
      persistent: true,
      ignoreInitial: true,
      followSymlinks: false,
      // Settling is the aggregator's job: it also stats, and merges bursts.
      awaitWriteFinish: false,
      usePolling: options.usePolling ?? false,
      interval: options.pollIntervalMs ?? 1000,
      binaryInterval: options.pollIntervalMs ?? 1000,
      ignored: (p: string, stats?: Stats) => {
        const r = rel(p);
        if (r === '' || r === '..' || r.startsWith('../')) return false;
        return (rules ?? DEFAULT_RULES).ignores(r, stats?.isDirectory() ?? false);
      },
    });
    const watcher = new FolderWatcher(abs, fsw);

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
      onError?.(err instanceof Error ? err : new Error(String(err)));
    });

    await new Promise<void>((resolve) => fsw.once('ready', () => resolve()));
    return watcher;
  }

  close(): Promise<void> {
    this.closing ??= this.fsw.close();
    return this.closing;
  }

  dispose(): void {
    void this.close();
  }
}
