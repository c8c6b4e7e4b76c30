// Drag and drop in desktop mode: copies the dropped files (or folders) into a watched folder
// under a free name, atomically per file, so the watcher sees whole files only. Only what a
// user would drop from their own folders is taken: nothing of the system, of Replica Sync's
// data folder, of the places that hold keys, or of the folder itself, also not through a
// symlink. Every path is checked before anything is copied.
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ContractError } from '../../contract/index.js';
import { guardContext, importRefusal, type GuardContext } from './path-guards.js';

async function freeName(dir: string, name: string): Promise<string> {
  const ext = path.extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? name : `${stem} (${n})${ext}`;
    if ((await fs.lstat(path.join(dir, candidate)).catch(() => undefined)) === undefined)
      return candidate;
  }
}

export interface ImportOptions {
  /** The app's data directory: nothing in it is ever copied. */
  dataDir?: string | undefined;
  /** Platform, home and the rest (tests give their own). */
  guard?: GuardContext;
}

interface Checked {
  abs: string;
  /** The path with symlinks resolved: what is read. */
  real: string;
  isDir: boolean;
}

async function check(folder: string, source: string, ctx: GuardContext): Promise<Checked | string> {
  if (!path.isAbsolute(source)) return `${source} is not a full path`;
  const abs = path.resolve(source);
  const real = await fs.realpath(abs).catch(() => undefined);
  const st = real === undefined ? undefined : await fs.stat(real).catch(() => undefined);
  if (real === undefined || !st) return `${abs} does not exist`;
  if (!st.isDirectory() && !st.isFile())
    return `${abs} is neither a file nor a folder (only files and folders can be dropped)`;
  const refusal = importRefusal(abs, folder, st.isDirectory(), ctx);
  return refusal ?? { abs, real, isDir: st.isDirectory() };
}

/** Copies each path into `folder`; returns the names written, relative to the folder. */
export async function importPaths(
  folder: string,
  sources: string[],
  opts: ImportOptions = {},
): Promise<string[]> {
  const ctx = opts.guard ?? guardContext(opts.dataDir);
  const checked: Checked[] = [];
  const refused: string[] = [];
  for (const source of sources) {
    const c = await check(folder, source, ctx);
    if (typeof c === 'string') refused.push(c);
    else checked.push(c);
  }
  if (refused.length > 0) {
    const message = `Copied nothing: ${refused.join('; ')}. Drop files from your own folders.`;
    throw new ContractError({
      code: 'InvalidArguments',
      message,
      issues: refused.map((r) => ({ path: 'paths', message: r })),
    });
  }
  const copied: string[] = [];
  for (const { abs, real, isDir } of checked) {
    const name = await freeName(folder, path.basename(abs));
    const target = path.join(folder, name);
    if (isDir) {
      await fs.cp(real, target, { recursive: true, verbatimSymlinks: true });
    } else {
      const tmp = path.join(folder, `.rs-tmp-${randomBytes(6).toString('hex')}`);
      await fs.copyFile(real, tmp);
      await fs.rename(tmp, target);
    }
    copied.push(name);
  }
  return copied;
}
