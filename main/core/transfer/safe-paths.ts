// The link checks of the downloader (DESIGN.md section 4, step 5: never outside the folder):
// every existing segment of a target, from the folder root down, is looked at with lstat
// before anything is created or renamed, so nothing is written through a symbolic link and a
// link in the folder is never replaced.
import fs from 'node:fs/promises';
import path from 'node:path';

/** A key that cannot become a file inside the folder. */
export class UnsafeKeyError extends Error {
  override readonly name = 'UnsafeKeyError';
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(
      `Key '${key.replace(/\0/g, '\\0')}' cannot be saved in this folder: ${reason}. Rename the object in the bucket to sync it.`,
    );
  }
}

/** File systems cap one name (a path segment) at 255 bytes. */
export const NAME_MAX_BYTES = 255;

const LINK_FIX =
  'links are not followed (a link that leads outside the folder would let a key write there): replace the link with a real folder, or rename the object in the bucket';

/**
 * Checks, from the folder root down, every existing parent of `absPath` and the target itself
 * with lstat, before anything is created: no segment may be a symbolic link, a parent may not
 * be a file. Returns the first parent that does not exist yet (undefined when all exist).
 */
export async function checkPath(
  folder: string,
  absPath: string,
  key: string,
  target: 'file' | 'folder',
): Promise<string | undefined> {
  const root = path.resolve(folder);
  const rel = path.relative(root, absPath);
  const segments = rel.split(path.sep);
  for (const s of segments) {
    const bytes = Buffer.byteLength(s);
    if (bytes > NAME_MAX_BYTES) {
      throw new UnsafeKeyError(
        key,
        `a name in it is ${bytes} bytes long, and file systems take at most ${NAME_MAX_BYTES} bytes per name`,
      );
    }
  }
  let current = root;
  for (let i = 0; i < segments.length; i++) {
    current = path.join(current, segments[i] ?? '');
    const relNow = segments.slice(0, i + 1).join('/');
    const st = await fs.lstat(current).catch((err: unknown) => {
      const code = (err as { code?: string }).code;
      if (code === 'ENOENT') return undefined;
      if (code === 'ENOTDIR') throw new UnsafeKeyError(key, `a file is in the way of its folders`);
      throw err;
    });
    if (st === undefined) return i === segments.length - 1 ? undefined : path.dirname(current);
    if (st.isSymbolicLink()) {
      throw new UnsafeKeyError(
        key,
        i === segments.length - 1
          ? `'${relNow}' is a symbolic link in the folder, which is left as it is (${LINK_FIX})`
          : `its folder '${relNow}' is a symbolic link; ${LINK_FIX}`,
      );
    }
    const last = i === segments.length - 1;
    if (!last && !st.isDirectory())
      throw new UnsafeKeyError(key, `the file '${relNow}' is in the way of one of its folders`);
    if (last && target === 'file' && st.isDirectory())
      throw new UnsafeKeyError(key, `a folder of the same name ('${relNow}') is in the way`);
    if (last && target === 'folder' && !st.isDirectory())
      throw new UnsafeKeyError(key, `a file of the same name ('${relNow}') is in the way`);
  }
  return undefined;
}

/**
 * Creates `dir` (inside `folder`) one segment at a time, each checked with lstat first: nothing
 * is created through a symbolic link, and a link that appears meanwhile is refused.
 */
export async function makeDirs(folder: string, dir: string, key: string): Promise<void> {
  const root = path.resolve(folder);
  const segments = path
    .relative(root, dir)
    .split(path.sep)
    .filter((s) => s !== '');
  let current = root;
  for (const s of segments) {
    current = path.join(current, s);
    const relNow = path.relative(root, current).split(path.sep).join('/');
    let st = await fs.lstat(current).catch(() => undefined);
    if (st === undefined) {
      try {
        await fs.mkdir(current);
      } catch (err) {
        if ((err as { code?: string }).code !== 'EEXIST') throw err;
      }
      st = await fs.lstat(current);
    }
    if (st.isSymbolicLink())
      throw new UnsafeKeyError(key, `its folder '${relNow}' is a symbolic link; ${LINK_FIX}`);
    if (!st.isDirectory())
      throw new UnsafeKeyError(key, `the file '${relNow}' is in the way of one of its folders`);
  }
  const realRoot = await fs.realpath(root);
  const realDir = await fs.realpath(dir);
  if (realDir !== realRoot && !realDir.startsWith(realRoot + path.sep)) {
    throw new UnsafeKeyError(key, 'one of its folders is a link that leads outside the folder');
  }
}
