// Which local paths Replica Sync may watch (folders.add) or copy from (files.importPaths):
// never the whole disk, a system folder, the home folder itself, the app's own data
// directory, or a place that holds keys. Every answer is a reason a user can act on.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface GuardContext {
  platform: NodeJS.Platform;
  home: string;
  /** The app's data directory; absent where the engine runs without one (some tests). */
  dataDir?: string | undefined;
  env: NodeJS.ProcessEnv;
  tmpdir: string;
}

export function guardContext(dataDir?: string): GuardContext {
  return {
    platform: process.platform,
    home: os.homedir(),
    dataDir,
    env: process.env,
    tmpdir: os.tmpdir(),
  };
}

function pathApi(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

/** `child` is `parent` or somewhere below it (case-insensitive on Windows and macOS). */
export function isInside(child: string, parent: string, platform = process.platform): boolean {
  const p = pathApi(platform);
  const fold = platform === 'win32' || platform === 'darwin';
  const a = fold ? child.toLowerCase() : child;
  const b = fold ? parent.toLowerCase() : parent;
  const rel = p.relative(b, a);
  return rel === '' || (!rel.startsWith('..') && !p.isAbsolute(rel));
}

/** The path with symlinks resolved; for a missing path, its deepest existing ancestor's. */
export function realPathOf(p: string): string {
  // Another platform's path (the unit tests of Windows rules on Linux) is taken as is.
  if (!path.isAbsolute(p)) return p;
  const missing: string[] = [];
  let cur = p;
  for (;;) {
    try {
      return path.join(fs.realpathSync.native(cur), ...missing.reverse());
    } catch {
      const parent = path.dirname(cur);
      if (parent === cur) return p;
      missing.push(path.basename(cur));
      cur = parent;
    }
  }
}

/** Folders of the operating system, by platform. */
export function systemFolders(ctx: Pick<GuardContext, 'platform' | 'env'>): string[] {
  if (ctx.platform === 'win32') {
    const e = ctx.env;
    return [
      e.SystemRoot ?? e.windir ?? 'C:\\Windows',
      e.ProgramFiles ?? 'C:\\Program Files',
      e['ProgramFiles(x86)'] ?? 'C:\\Program Files (x86)',
      e.ProgramData ?? 'C:\\ProgramData',
    ];
  }
  const unix = ['/bin', '/sbin', '/usr', '/etc', '/dev', '/var', '/opt'];
  if (ctx.platform === 'darwin')
    return [...unix, '/System', '/Library', '/Applications', '/private', '/cores'];
  return [
    ...unix,
    '/proc',
    '/sys',
    '/boot',
    '/run',
    '/root',
    '/lib',
    '/lib32',
    '/lib64',
    '/libx32',
    '/snap',
    '/lost+found',
  ];
}

/** Places in the home that hold keys and credentials. */
const HOME_SECRETS = [
  '.ssh',
  '.aws',
  '.gnupg',
  '.kube',
  '.docker',
  '.netrc',
  '.pgpass',
  '.git-credentials',
  '.password-store',
  path.join('.config', 'gcloud'),
];

function homeSecrets(ctx: GuardContext): string[] {
  const p = pathApi(ctx.platform);
  return HOME_SECRETS.map((s) => p.join(ctx.home, s));
}

function isRoot(p: string, platform: NodeJS.Platform): boolean {
  const api = pathApi(platform);
  return api.parse(p).root === p || api.dirname(p) === p;
}

/** The system folder `p` is inside, if any; the home and the temp folder are never one. */
function systemFolderOf(p: string, ctx: GuardContext): string | undefined {
  const mine = [ctx.home, realPathOf(ctx.home), ctx.tmpdir, realPathOf(ctx.tmpdir)];
  if (mine.some((m) => !isRoot(m, ctx.platform) && isInside(p, m, ctx.platform))) return undefined;
  return systemFolders(ctx).find((s) => isInside(p, s, ctx.platform));
}

function both(abs: string): string[] {
  const real = realPathOf(abs);
  return real === abs ? [abs] : [abs, real];
}

/** The ways `abs` and `dir` touch: equal, one inside the other. */
function relation(
  abs: string,
  dir: string,
  platform: NodeJS.Platform,
): 'is' | 'inside' | 'contains' | undefined {
  if (isInside(abs, dir, platform)) return isInside(dir, abs, platform) ? 'is' : 'inside';
  return isInside(dir, abs, platform) ? 'contains' : undefined;
}

function via(abs: string, real: string): string {
  return real === abs ? '' : ` (it leads to ${real})`;
}

/**
 * Why `abs` (absolute) may not be watched as a folder, or undefined when it may. Checked on
 * the path as given and with symlinks resolved.
 */
export function folderRefusal(abs: string, ctx: GuardContext): string | undefined {
  const api = pathApi(ctx.platform);
  for (const p of both(abs)) {
    const where = via(abs, p);
    if (isRoot(p, ctx.platform))
      return `${abs}${where} is the whole disk: pick a folder of your own, e.g. ${api.join(ctx.home, 'Documents')}.`;
    const system = systemFolderOf(p, ctx);
    if (system)
      return `${abs}${where} is a system folder (in ${system}): pick a folder of your own, e.g. ${api.join(ctx.home, 'Documents')}.`;
    for (const home of new Set([ctx.home, realPathOf(ctx.home)]))
      if (relation(p, home, ctx.platform) === 'is')
        return `${abs}${where} is your whole home folder: pick a folder inside it, e.g. ${api.join(ctx.home, 'Documents')}.`;
    const dataRefusal = dataDirRefusal(abs, p, ctx);
    if (dataRefusal) return dataRefusal;
    const secret = homeSecrets(ctx).find((s) => relation(p, s, ctx.platform) !== undefined);
    if (secret)
      return `${abs}${where} holds keys or credentials (${secret}): pick a folder without them.`;
  }
  return undefined;
}

function dataDirRefusal(abs: string, p: string, ctx: GuardContext): string | undefined {
  if (!ctx.dataDir) return undefined;
  const where = via(abs, p);
  for (const d of new Set([ctx.dataDir, realPathOf(ctx.dataDir)])) {
    const r = relation(p, d, ctx.platform);
    if (r === 'is')
      return `${abs}${where} is Replica Sync's own data folder: pick a folder outside it.`;
    if (r === 'inside')
      return `${abs}${where} is inside Replica Sync's data folder ${ctx.dataDir}: pick a folder outside it.`;
    if (r === 'contains')
      return `${abs}${where} contains Replica Sync's data folder ${ctx.dataDir}: pick a folder that does not.`;
  }
  return undefined;
}

/**
 * Why the dropped path `abs` may not be copied into the watched folder `folder`, or undefined
 * when it may. `isDir`: what it is once symlinks are followed.
 */
export function importRefusal(
  abs: string,
  folder: string,
  isDir: boolean,
  ctx: GuardContext,
): string | undefined {
  const folders = new Set([folder, realPathOf(folder)]);
  const dataDirs = ctx.dataDir
    ? new Set([ctx.dataDir, realPathOf(ctx.dataDir)])
    : new Set<string>();
  for (const p of both(abs)) {
    const where = via(abs, p);
    if (isRoot(p, ctx.platform)) return `${abs}${where} is the whole disk`;
    const system = systemFolderOf(p, ctx);
    if (system) return `${abs}${where} is in the system folder ${system}`;
    if (isDir) {
      const inner = systemFolders(ctx).find((s) => isInside(s, p, ctx.platform));
      if (inner && systemFolderOf(inner, ctx))
        return `${abs}${where} contains the system folder ${inner}`;
    }
    for (const d of dataDirs) {
      const r = relation(p, d, ctx.platform);
      if (r === 'is' || r === 'inside')
        return `${abs}${where} is in Replica Sync's own data folder ${ctx.dataDir ?? d}`;
      if (r === 'contains' && isDir)
        return `${abs}${where} contains Replica Sync's own data folder ${ctx.dataDir ?? d}`;
    }
    const secret = homeSecrets(ctx).find((s) => {
      const r = relation(p, s, ctx.platform);
      return r === 'is' || r === 'inside' || (isDir && r === 'contains');
    });
    if (secret) return `${abs}${where} is or holds keys or credentials (${secret})`;
    for (const f of folders) {
      const r = relation(p, f, ctx.platform);
      if (r === 'is' || r === 'inside') return `${abs}${where} is already in the folder ${folder}`;
      if (r === 'contains' && isDir) return `${abs}${where} contains the folder ${folder} itself`;
    }
  }
  return undefined;
}
