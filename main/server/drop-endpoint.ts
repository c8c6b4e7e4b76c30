// Browser mode's way in for files dropped on the page: `PUT /drop/<folderId>?name=<relative
// name>` with the raw bytes as the body. The page has no local paths, so it sends the bytes
// to this server, which writes them into the watched folder: streamed to a temp file beside
// the target (ignored by the watcher), flushed, then moved into place without replacing
// anything (a taken name becomes "name (2).ext"). Access (token, Host, Origin) is checked by
// the caller before this runs.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { localPathForKey, TEMP_PREFIX, UnsafeKeyError } from '../core/transfer/downloader.js';

export const DROP_PATH_PREFIX = '/drop/';
/** The largest file the page may drop: 5 GiB. */
export const DROP_MAX_BYTES = 5 * 1024 ** 3;
const MAX_NAME_CHARS = 4096;
const FOLDER_ID = /^[A-Za-z0-9_-]{1,64}$/;

export interface DropEndpointOptions {
  /** The local path of a watched folder, or undefined when there is no such folder. */
  target: (folderId: string) => string | undefined;
  maxBytes?: number;
  log?: (line: string) => void;
}

/** A refusal with its HTTP status and a message that names the problem and the fix. */
export class DropError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'DropError';
  }
}

/**
 * Where `name` lands inside `root`, or a 400 DropError saying why it may not: names are
 * relative, '/'-separated paths with no '..', '.', empty segments, backslashes, NUL, drive
 * letters or names Replica Sync reserves, and they stay inside the folder.
 */
export function dropTargetPath(root: string, name: string): { relPath: string; absPath: string } {
  if (name.length > MAX_NAME_CHARS) {
    throw new DropError(400, `The name is longer than ${MAX_NAME_CHARS} characters.`);
  }
  try {
    return localPathForKey(root, name);
  } catch (err) {
    if (err instanceof UnsafeKeyError) {
      throw new DropError(400, `Cannot save ${JSON.stringify(name)} in the folder: ${err.reason}.`);
    }
    throw err;
  }
}

/** Counts bytes on their way through and fails once more than `max` have passed. */
class SizeLimit extends Transform {
  bytes = 0;
  constructor(private readonly max: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.max) {
      done(new DropError(413, tooLarge(this.max)));
      return;
    }
    done(null, chunk);
  }
}

function tooLarge(max: number): string {
  return `The file is larger than ${(max / 1024 ** 3).toFixed(0)} GiB, the most a drop may copy; copy it into the folder with the file manager instead.`;
}

function inside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root + path.sep);
}

/**
 * Creates the parent folders of absPath one by one inside root. A file in the way is a 409;
 * a link that leads outside the folder is a 400.
 */
async function makeParents(root: string, absPath: string): Promise<string> {
  const realRoot = await fs.realpath(root);
  const dir = path.dirname(absPath);
  const parts = path.relative(root, dir).split(path.sep).filter(Boolean);
  let current = root;
  for (const part of parts) {
    current = path.join(current, part);
    const st = await fs.lstat(current).catch(() => undefined);
    if (st === undefined) {
      await fs.mkdir(current).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
    } else if (st.isSymbolicLink()) {
      const real = await fs.realpath(current).catch(() => undefined);
      if (real === undefined || !inside(realRoot, real)) {
        throw new DropError(400, `"${part}" is a link that leads outside the folder.`);
      }
    } else if (!st.isDirectory()) {
      throw new DropError(409, `A file named "${part}" is in the way of the folder of that name.`);
    }
  }
  const realDir = await fs.realpath(dir);
  if (!inside(realRoot, realDir)) {
    throw new DropError(400, 'The name resolves outside the folder.');
  }
  return dir;
}

/** `report.txt`, `report (2).txt`, `report (3).txt`, … */
function candidateName(absPath: string, n: number): string {
  if (n === 1) return absPath;
  const ext = path.extname(absPath);
  const stem = ext === '' || ext === absPath ? absPath : absPath.slice(0, -ext.length);
  return `${stem} (${n})${ext}`;
}

/** Moves tmp to absPath or, when that name is taken, to the first free "name (n).ext". */
async function placeWithoutReplacing(tmp: string, absPath: string): Promise<string> {
  for (let n = 1; n < 10_000; n++) {
    const candidate = candidateName(absPath, n);
    try {
      // A hard link fails when the name exists, so nothing is ever replaced.
      await fs.link(tmp, candidate);
      await fs.unlink(tmp);
      return candidate;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS')
        throw err;
      // A file system without hard links (FAT, some network shares): check, then rename.
      if ((await fs.lstat(candidate).catch(() => undefined)) !== undefined) continue;
      await fs.rename(tmp, candidate);
      return candidate;
    }
  }
  throw new DropError(409, 'Too many files of that name are in the folder already.');
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, 'r').catch(() => undefined);
  await fh?.sync().catch(() => undefined);
  await fh?.close();
}

function writeError(err: unknown, where: string): DropError {
  if (err instanceof DropError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new DropError(507, `The disk of ${where} is full: free some space and drop again.`);
    case 'EACCES':
    case 'EPERM':
      return new DropError(403, `Permission denied writing into ${where}: check its permissions.`);
    case 'EROFS':
      return new DropError(403, `${where} is on a read-only disk.`);
    case 'ENAMETOOLONG':
      return new DropError(400, 'The name is too long for this file system.');
    case 'EISDIR':
      return new DropError(409, 'A folder of that name is in the way.');
    default:
      return new DropError(
        500,
        `Could not write into ${where}${code ? ` (${code})` : ''}: ${err instanceof Error ? err.message : String(err)}`,
      );
  }
}

/** Copies the body into `file`, stopping at maxBytes; never destroys the request itself. */
function receiveBody(req: IncomingMessage, file: string, maxBytes: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const limit = new SizeLimit(maxBytes);
    const out = createWriteStream(file, { flags: 'wx', mode: 0o644, flush: true });
    let failed = false;
    const fail = (err: unknown): void => {
      if (failed) return;
      failed = true;
      req.unpipe(limit);
      limit.destroy();
      out.destroy();
      reject(err);
    };
    limit.on('error', fail);
    out.on('error', fail);
    req.on('error', () => fail(new DropError(400, 'The upload was interrupted.')));
    req.on('close', () => {
      if (!req.complete) fail(new DropError(400, 'The upload was interrupted.'));
    });
    // 'close' comes after the data was flushed to the disk (flush: true).
    out.on('close', () => {
      if (!failed) resolve(limit.bytes);
    });
    req.pipe(limit).pipe(out);
  });
}

/** Streams the request body into the folder; answers the relative path that was written. */
export async function receiveDrop(
  req: IncomingMessage,
  root: string,
  name: string,
  maxBytes: number = DROP_MAX_BYTES,
): Promise<{ relPath: string; bytes: number }> {
  const rootAbs = path.resolve(root);
  const { absPath } = dropTargetPath(rootAbs, name);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new DropError(413, tooLarge(maxBytes));
  }
  const stat = await fs.stat(rootAbs).catch(() => undefined);
  if (!stat?.isDirectory()) {
    throw new DropError(
      409,
      `The watched folder ${rootAbs} is missing: reconnect its drive, or remove the folder from Replica Sync.`,
    );
  }
  let tmp: string | undefined;
  try {
    const dir = await makeParents(rootAbs, absPath);
    if ((await fs.lstat(absPath).catch(() => undefined))?.isDirectory()) {
      throw new DropError(409, 'A folder of that name is in the way.');
    }
    tmp = path.join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    const bytes = await receiveBody(req, tmp, maxBytes);
    const placed = await placeWithoutReplacing(tmp, absPath);
    tmp = undefined;
    await fsyncDir(dir);
    const relPath = path.relative(rootAbs, placed).split(path.sep).join('/');
    return { relPath, bytes };
  } catch (err) {
    throw writeError(err, rootAbs);
  } finally {
    if (tmp !== undefined) await fs.rm(tmp, { force: true }).catch(() => undefined);
  }
}

function answer(
  res: ServerResponse,
  status: number,
  body: string,
  type: string,
  close = false,
): void {
  const headers: Record<string, string> = {
    'content-type': type,
    'cache-control': 'no-store',
  };
  if (close) headers.connection = 'close';
  res.writeHead(status, headers);
  res.end(body);
}

/**
 * Handles one request under /drop/. The caller has already refused foreign Hosts/Origins
 * (403) and requests without the token (401).
 */
export async function handleDrop(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  opts: DropEndpointOptions,
): Promise<void> {
  const refuse = (status: number, message: string): void => {
    if (res.headersSent || req.socket.destroyed) return;
    if (status === 413) {
      // Reading on could take gigabytes: answer, then drop the connection.
      answer(res, status, `${message}\n`, 'text/plain; charset=utf-8', true);
      res.once('finish', () => req.destroy());
      return;
    }
    // The rest of the body is read and discarded, so the client can read the answer.
    req.resume();
    answer(res, status, `${message}\n`, 'text/plain; charset=utf-8');
  };
  if (req.method !== 'PUT') {
    res.setHeader('allow', 'PUT');
    return refuse(405, 'Method not allowed: drop files with PUT.');
  }
  let folderId: string;
  try {
    folderId = decodeURIComponent(url.pathname.slice(DROP_PATH_PREFIX.length));
  } catch {
    return refuse(404, 'No such folder.');
  }
  const root = FOLDER_ID.test(folderId) ? opts.target(folderId) : undefined;
  if (root === undefined) {
    return refuse(404, `No watched folder has the id "${folderId.slice(0, 64)}".`);
  }
  const name = url.searchParams.get('name');
  if (name === null || name === '') {
    return refuse(400, 'Say where the file goes: ?name=<relative name>.');
  }
  try {
    const written = await receiveDrop(req, root, name, opts.maxBytes ?? DROP_MAX_BYTES);
    opts.log?.(`dropped ${written.relPath} (${written.bytes} bytes) into ${root}`);
    answer(res, 201, `${JSON.stringify({ path: written.relPath })}\n`, 'application/json');
  } catch (err) {
    const e = err instanceof DropError ? err : writeError(err, root);
    if (e.status >= 500) opts.log?.(`drop into ${root} failed: ${e.message}`);
    refuse(e.status, e.message);
  }
}
