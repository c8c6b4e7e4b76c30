// Shared by `npm run rebuild:electron` and `npm run dist`: the Electron version, whether its
// downloads can be reached, and keeping Node's build of better-sqlite3 (which npm made for
// Node's ABI) when a rebuild for Electron's ABI replaces or, failing, deletes it.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
export const electronVersion = require('electron/package.json').version;
/** Electron's NODE_MODULE_VERSION (electron's package ships it in abi_version). */
export const electronAbi = fs
  .readFileSync(
    path.join(path.dirname(require.resolve('electron/package.json')), 'abi_version'),
    'utf8',
  )
  .trim();
const release = path.join(root, 'node_modules', 'better-sqlite3', 'build', 'Release');
const saved = path.join(root, 'node_modules', '.cache', 'replica-sync', 'better-sqlite3-node');

/**
 * Undefined when `url` answers (any HTTP status below 500), else why not, in a few words.
 * Bounded by `timeoutMs` so an unreachable host fails fast instead of hanging.
 */
export async function unreachable(url, timeoutMs = 15_000) {
  try {
    const res = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs) });
    return res.status < 500 ? undefined : `HTTP ${res.status}`;
  } catch (err) {
    const cause = err?.cause;
    if (err?.name === 'TimeoutError') return `no answer in ${timeoutMs / 1000} s`;
    return cause?.code ? `${cause.code} ${cause.hostname ?? ''}`.trim() : String(err?.message);
  }
}

/** The URL @electron/get downloads this platform's Electron zip from (ELECTRON_MIRROR honoured). */
export function electronZipUrl(platform = process.platform, arch = process.arch) {
  const mirror =
    process.env.ELECTRON_MIRROR ?? 'https://github.com/electron/electron/releases/download/';
  const dir = process.env.ELECTRON_CUSTOM_DIR ?? `v${electronVersion}`;
  return `${mirror.replace(/\/?$/, '/')}${dir}/electron-v${electronVersion}-${platform}-${arch}.zip`;
}

/** Copies Node's build of better-sqlite3 aside; false when there is none to keep. */
export function saveNodeBuild() {
  if (!fs.existsSync(path.join(release, 'better_sqlite3.node'))) return false;
  fs.rmSync(saved, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(saved), { recursive: true });
  fs.cpSync(release, saved, { recursive: true });
  return true;
}

/** Puts the build saved by saveNodeBuild back (a failed rebuild deletes build/Release). */
export function restoreNodeBuild() {
  if (!fs.existsSync(saved)) return false;
  fs.rmSync(release, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(release), { recursive: true });
  fs.cpSync(saved, release, { recursive: true });
  return true;
}

/**
 * @electron/rebuild's note that build/Release is already Electron's; removed so packaging
 * rebuilds for real (a wrong note would ship Node's build).
 */
export function forgetRebuildNote() {
  fs.rmSync(path.join(release, '.forge-meta'), { force: true });
}

/** The ABI a better-sqlite3 build was made for (its node_register_module_vN). */
export function builtAbi(dir = release) {
  try {
    const bin = fs.readFileSync(path.join(dir, 'better_sqlite3.node')).toString('latin1');
    return /node_register_module_v(\d+)/.exec(bin)?.[1];
  } catch {
    return undefined;
  }
}

/**
 * The environment for a rebuild for Electron: without npm's `nodedir` (npm passes it on as
 * npm_config_nodedir), which would make node-gyp compile against Node's headers, so the
 * module claims Electron but has Node's ABI.
 */
export function electronBuildEnv() {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (/^npm_config_nodedir$/i.test(name)) delete env[name];
  return env;
}
