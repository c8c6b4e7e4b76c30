// The local side of a resolution (DESIGN.md section 2): the conflict-copy name under which
// "keep both" saves the other side, and the file moves that never overwrite anything the
// user has not decided about: a private work dir inside the folder (ignored by the watcher),
// exclusive placement of a new name, and a copy into the folder's trash of local content
// that no version holds before it is replaced.
import type { S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { digestFile, sameStamp, stampFile, type FileStamp } from '../transfer/content-hash.js';
import { downloadVersion, TEMP_PREFIX, TRASH_DIR } from '../transfer/downloader.js';

const pad = (n: number): string => String(n).padStart(2, '0');

/** `yyyy-mm-dd hhmmss` in local time. */
export function conflictTimestamp(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new RangeError('conflict copy: invalid last-modified date');
  const day = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return `${day} ${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}

const MAX_LABEL = 64;

/** A device name or id made safe for a file name on every platform. */
export function fileSafeLabel(label: string): string {
  const clean = label
    .replace(/\s+/g, ' ')
    // eslint-disable-next-line no-control-regex -- control characters cannot be in a file name
    .replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, '-')
    .trim()
    .slice(0, MAX_LABEL)
    .trim();
  return clean === '' || /^[.-]+$/.test(clean) ? 'unknown device' : clean;
}

/**
 * `dir/name (conflict <device> <yyyy-mm-dd hhmmss>).ext` for `dir/name.ext`: the device's
 * name (or id), the side's last-modified in local time. A name without an extension, or a
 * dotfile (`.env`), gets the suffix at the end. When `exists` says the name is taken,
 * ` 2`, ` 3`… goes before the extension. Pure: `exists` is the only look at the world.
 */
export function conflictCopyName(
  relPath: string,
  deviceLabel: string,
  lastModified: Date,
  exists: (relPath: string) => boolean,
): string {
  const slash = relPath.lastIndexOf('/');
  const dir = relPath.slice(0, slash + 1);
  const base = relPath.slice(slash + 1);
  if (base === '') throw new Error(`conflict copy: '${relPath}' names no file`);
  // extname gives '' for 'Makefile' and for dotfiles ('.env'), '.gz' for 'a.tar.gz'.
  const ext = path.posix.extname(base);
  const stem = base.slice(0, base.length - ext.length);
  const tag = `${stem} (conflict ${fileSafeLabel(deviceLabel)} ${conflictTimestamp(lastModified)})`;
  for (let n = 1; ; n++) {
    const candidate = `${dir}${tag}${n === 1 ? '' : ` ${n}`}${ext}`;
    if (!exists(candidate)) return candidate;
  }
}

/** The side "keep both" saves under the conflict-copy name: a version, or the local file. */
export type OtherSide = ({ versionId: string } | { local: true }) & {
  /** Name of the device that wrote it when known, else its id. */
  deviceLabel: string;
  lastModified: Date;
};

/** A fresh private dir inside the folder; its name is one the watcher never syncs. */
export async function makeWorkDir(folder: string): Promise<string> {
  const dir = path.join(path.resolve(folder), `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
  await fsp.mkdir(dir);
  return dir;
}

/** Absolute path of a relative POSIX path inside the folder. */
export function inFolder(folder: string, relPath: string): string {
  return path.join(path.resolve(folder), ...relPath.split('/'));
}

/** Creates the parent of `absPath` and checks no link leads it out of the folder. */
export async function safeParentDir(folder: string, absPath: string): Promise<void> {
  const dir = path.dirname(absPath);
  await fsp.mkdir(dir, { recursive: true });
  const root = await fsp.realpath(folder);
  const real = await fsp.realpath(dir);
  if (real !== root && !real.startsWith(root + path.sep)) {
    throw new Error(`Cannot write '${absPath}': one of its folders leads outside '${folder}'.`);
  }
}

/**
 * Moves `tmpFile` to `absPath` only if nothing is there (a hard link fails on an existing
 * name, unlike a rename). False when the name is taken.
 */
export async function placeExclusive(tmpFile: string, absPath: string): Promise<boolean> {
  try {
    await fsp.link(tmpFile, absPath);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EEXIST') return false;
    // File systems without hard links (FAT, some network shares): check, then rename.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'ENOSYS') {
      throw err;
    }
    if ((await fsp.lstat(absPath).catch(() => undefined)) !== undefined) return false;
    await fsp.rename(tmpFile, absPath);
    return true;
  }
  await fsp.rm(tmpFile, { force: true });
  return true;
}

/**
 * Saves `tmpFile` in the folder under the conflict-copy name of `relPath` (the first free
 * one at the moment it is placed). Returns the relative path it got.
 */
export async function placeConflictCopy(
  folder: string,
  tmpFile: string,
  relPath: string,
  side: Pick<OtherSide, 'deviceLabel' | 'lastModified'>,
): Promise<string> {
  const taken = new Set<string>();
  const exists = (p: string): boolean => taken.has(p) || fs.existsSync(inFolder(folder, p));
  for (;;) {
    const name = conflictCopyName(relPath, side.deviceLabel, side.lastModified, exists);
    const abs = inFolder(folder, name);
    await safeParentDir(folder, abs);
    if (await placeExclusive(tmpFile, abs)) return name;
    taken.add(name);
  }
}

/**
 * Copies a local file about to be replaced into `<folder>/.replica-sync-trash/<yyyy-mm-dd>/
 * <relPath>` (` (2)`… when taken), the same place remote deletes go. Returns the copy's path.
 */
export async function copyToTrash(
  folder: string,
  relPath: string,
  absPath: string,
  now: Date,
): Promise<string> {
  const day = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  const target = path.join(path.resolve(folder), TRASH_DIR, day, ...relPath.split('/'));
  const ext = path.extname(target);
  const stem = target.slice(0, target.length - ext.length);
  await fsp.mkdir(path.dirname(target), { recursive: true });
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? target : `${stem} (${n})${ext}`;
    try {
      await fsp.copyFile(absPath, candidate, fs.constants.COPYFILE_EXCL);
      return candidate;
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
    }
  }
}

/** The file's stamp, or undefined when there is no file. */
export async function stampOrAbsent(absPath: string): Promise<FileStamp | undefined> {
  return stampFile(absPath).catch((err: unknown) => {
    if ((err as { code?: string }).code === 'ENOENT') return undefined;
    throw err;
  });
}

export function sameStampOrAbsent(a: FileStamp | undefined, b: FileStamp | undefined): boolean {
  return a === undefined || b === undefined ? a === b : sameStamp(a, b);
}

export interface ReplaceLocal {
  folder: string;
  relPath: string;
  absPath: string;
  /** The verified file that becomes the local file (in the folder's work dir). */
  staged: string;
  /** The local file as it was when the resolution started. */
  expect: FileStamp | undefined;
  /** Whether content with this sha256 is kept elsewhere (a version, a conflict copy). */
  isKept: (sha256: string) => Promise<boolean>;
  now: Date;
}

/**
 * Renames the staged file over the local file, unless the local file changed since the
 * resolution started (a newer edit stays: `local` is null). Local content kept nowhere else
 * is first copied into the trash (`savedTo`).
 */
export async function replaceLocal(
  r: ReplaceLocal,
): Promise<{ local: { size: number; mtimeMs: number } | null; savedTo?: string }> {
  const current = await stampOrAbsent(r.absPath);
  if (!sameStampOrAbsent(r.expect, current)) return { local: null };
  let savedTo: string | undefined;
  if (current !== undefined) {
    const { sha256 } = await digestFile(r.absPath);
    if (!(await r.isKept(sha256)))
      savedTo = await copyToTrash(r.folder, r.relPath, r.absPath, r.now);
  }
  await safeParentDir(r.folder, r.absPath);
  await fsp.rename(r.staged, r.absPath);
  const placed = await stampFile(r.absPath);
  const local = { size: placed.size, mtimeMs: placed.mtimeMs };
  return savedTo === undefined ? { local } : { local, savedTo };
}

/** Where a version is read from, to stage it in a work dir. */
export interface VersionSource {
  client: S3Client;
  bucket: string;
  key: string;
  /** The folder's key prefix: the staged file keeps the key's relative path under `dir`. */
  prefix: string;
  region?: string;
  signal?: AbortSignal;
}

/** Downloads one version into `dir` (verified, atomic); returns the staged file. */
export async function stageVersion(
  src: VersionSource,
  versionId: string,
  dir: string,
): Promise<string> {
  await fsp.mkdir(dir, { recursive: true });
  const got = await downloadVersion({
    client: src.client,
    bucket: src.bucket,
    key: src.key,
    versionId,
    folder: dir,
    prefix: src.prefix,
    ...(src.region !== undefined ? { region: src.region } : {}),
    ...(src.signal ? { signal: src.signal } : {}),
  });
  if (got.kind !== 'downloaded') {
    throw new Error(
      `Version ${versionId} of '${src.key}' is a delete marker: it has no content to keep.`,
    );
  }
  return got.path;
}

/**
 * Stages the side "keep both" saves: a snapshot of the local file, or a downloaded version.
 * Undefined when the local file changed (from `before`) while it was copied.
 */
export async function stageOther(
  src: VersionSource,
  other: OtherSide,
  work: string,
  absPath: string,
  before: FileStamp | undefined,
): Promise<string | undefined> {
  if (!('local' in other)) return stageVersion(src, other.versionId, path.join(work, 'other'));
  const file = path.join(work, 'other-local');
  await fsp.copyFile(absPath, file);
  return sameStampOrAbsent(before, await stampOrAbsent(absPath)) ? file : undefined;
}
