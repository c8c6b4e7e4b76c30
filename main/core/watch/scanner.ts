// Full walk of a folder: the safety net under the watcher. Names are read as bytes so a
// name that is not UTF-8 is reported instead of being silently mangled; symlinks are
// never followed (a link could leave the folder or loop).
import fs from 'node:fs/promises';
import path from 'node:path';
import { IgnoreRules } from './ignore-rules.js';
import { invalidUtf8Problem, isValidUtf8, specialFileMessage, specialKind } from './key-names.js';

export interface ScanEntry {
  relPath: string; // POSIX separators
  size: number;
  mtimeMs: number;
}

export interface ScanProblem {
  code: 'unreadable' | 'invalid-utf8' | 'special-file';
  relPath: string;
  message: string;
}

export interface ScanResult {
  /** Regular files, by path. */
  entries: ScanEntry[];
  /** Every symlink met (not followed), by path. */
  symlinks: string[];
  problems: ScanProblem[];
  /** Files and folders left out by the ignore rules (an ignored folder counts once). */
  ignored: number;
}

export interface ScanOptions {
  /** Defaults to the built-in rules only. */
  rules?: IgnoreRules;
  /** File-system calls in flight at once. */
  concurrency?: number;
  signal?: AbortSignal;
  /**
   * Called once per symlink: paths in reportedSymlinks are skipped, new ones added and
   * vanished ones dropped, so periodic rescans report each link once.
   */
  onSymlink?: (relPath: string) => void;
  reportedSymlinks?: Set<string>;
}

/** Runs async functions with at most n in flight; a freed slot passes straight to a waiter. */
export function limitConcurrency(n: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active < n) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

const SEP = Buffer.from(path.sep);
const errCode = (err: unknown) => (err as NodeJS.ErrnoException).code ?? String(err);
/** Gone between readdir and lstat: a race with the user, not a problem. */
const vanished = (err: unknown) => ['ENOENT', 'ENOTDIR'].includes(errCode(err));

export async function scanFolder(root: string, options: ScanOptions = {}): Promise<ScanResult> {
  const rules = options.rules ?? IgnoreRules.fromText('');
  const limit = limitConcurrency(Math.max(1, options.concurrency ?? 16));
  const { signal } = options;
  const result: ScanResult = { entries: [], symlinks: [], problems: [], ignored: 0 };

  let rootStat;
  try {
    rootStat = await fs.stat(root);
  } catch (err) {
    throw new Error(
      `the folder ${root} cannot be read (${errCode(err)}); reconnect the drive or ` +
        `choose the folder again`,
      { cause: err },
    );
  }
  if (!rootStat.isDirectory()) {
    throw new Error(`${root} is not a folder; choose a folder to sync`);
  }

  const unreadable = (relPath: string, err: unknown, what: string) =>
    result.problems.push({
      code: 'unreadable',
      relPath,
      message:
        `cannot read the ${what} "${relPath}" (${errCode(err)}); give read permission ` +
        `or add it to .syncignore`,
    });

  const walk = async (dir: Buffer, relDir: string): Promise<void> => {
    signal?.throwIfAborted();
    let names: Buffer[];
    try {
      names = await limit(() => fs.readdir(dir, { encoding: 'buffer' }));
    } catch (err) {
      if (!vanished(err)) unreadable(relDir, err, 'folder');
      return;
    }
    await Promise.all(
      names.map(async (nameBytes) => {
        const name = nameBytes.toString('utf8');
        const relPath = relDir === '' ? name : `${relDir}/${name}`;
        if (!isValidUtf8(nameBytes)) {
          const { message } = invalidUtf8Problem(relPath);
          result.problems.push({ code: 'invalid-utf8', relPath, message });
          return;
        }
        const abs = Buffer.concat([dir, SEP, nameBytes]);
        signal?.throwIfAborted();
        let st;
        try {
          st = await limit(() => fs.lstat(abs));
        } catch (err) {
          if (!vanished(err)) unreadable(relPath, err, 'file');
          return;
        }
        const isDir = st.isDirectory();
        if (rules.ignores(relPath, isDir)) {
          result.ignored++;
        } else if (st.isSymbolicLink()) {
          result.symlinks.push(relPath);
          if (!options.reportedSymlinks?.has(relPath)) {
            options.reportedSymlinks?.add(relPath);
            options.onSymlink?.(relPath);
          }
        } else if (isDir) {
          await walk(abs, relPath);
        } else if (st.isFile()) {
          result.entries.push({ relPath, size: st.size, mtimeMs: st.mtimeMs });
        } else {
          // Sockets, FIFOs and devices have no content to sync: said, not skipped silently.
          const what = specialKind(st) ?? 'special file';
          result.problems.push({
            code: 'special-file',
            relPath,
            message: specialFileMessage(relPath, what),
          });
        }
      }),
    );
  };

  await walk(Buffer.from(root), '');
  // A link that went away is reported again should it come back.
  const seen = new Set(result.symlinks);
  for (const p of options.reportedSymlinks ?? []) {
    if (!seen.has(p)) options.reportedSymlinks?.delete(p);
  }
  const byPath = (a: { relPath: string }, b: { relPath: string }) =>
    a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0;
  result.entries.sort(byPath);
  result.problems.sort(byPath);
  result.symlinks.sort();
  return result;
}
