// Drag and drop in desktop mode: copies the dropped files (or folders) into a watched folder
// under a free name, atomically per file, so the watcher sees whole files only.
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

async function freeName(dir: string, name: string): Promise<string> {
  const ext = path.extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? name : `${stem} (${n})${ext}`;
    if ((await fs.lstat(path.join(dir, candidate)).catch(() => undefined)) === undefined)
      return candidate;
  }
}

/** Copies each path into `folder`; returns the names written, relative to the folder. */
export async function importPaths(folder: string, sources: string[]): Promise<string[]> {
  const copied: string[] = [];
  for (const source of sources) {
    const abs = path.resolve(source);
    const st = await fs.lstat(abs).catch(() => undefined);
    if (!st) throw new Error(`cannot copy ${abs}: it does not exist`);
    if (abs === folder || abs.startsWith(folder + path.sep)) {
      copied.push(path.relative(folder, abs));
      continue;
    }
    const name = await freeName(folder, path.basename(abs));
    const target = path.join(folder, name);
    if (st.isDirectory()) {
      await fs.cp(abs, target, { recursive: true, verbatimSymlinks: true });
    } else if (st.isFile()) {
      const tmp = path.join(folder, `.rs-tmp-${randomBytes(6).toString('hex')}`);
      await fs.copyFile(abs, tmp);
      await fs.rename(tmp, target);
    } else {
      throw new Error(`cannot copy ${abs}: only files and folders can be dropped`);
    }
    copied.push(name);
  }
  return copied;
}
