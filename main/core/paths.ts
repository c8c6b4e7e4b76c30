import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const APP_NAME = 'Replica Sync';

/** The OS's per-user app-data folder, the same place Electron's userData points at. */
export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = os.homedir(),
): string {
  if (platform === 'win32')
    return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_NAME);
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), APP_NAME);
}

export type InstancePaths = ReturnType<typeof instancePaths>;

/** Where each part of one instance lives inside its data dir. */
export function instancePaths(dataDir: string) {
  return {
    dataDir,
    settings: path.join(dataDir, 'settings.json'),
    regions: path.join(dataDir, 'regions'),
    index: path.join(dataDir, 'index.sqlite'),
    secrets: path.join(dataDir, 'secrets.json'),
    conflictPolicies: path.join(dataDir, 'conflict-policies.json'),
    /** Accounts the user added, without secrets (core/accounts/account-store.ts). */
    accounts: path.join(dataDir, 'accounts.json'),
  };
}

/** Mode of the data dir: only its user may list or enter it. */
export const PRIVATE_DIR_MODE = 0o700;
/** Mode of every file the app writes there. */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Makes `dir` (and any missing parent) 0700 when missing; an existing one is left as it is
 * (it may be a folder of others, like the temp dir of a test).
 */
export function mkdirPrivate(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * Makes `dir` (and any missing parent) 0700, and tightens it to 0700 when it exists with
 * wider rights, whatever the umask. Windows keeps its per-user ACLs (chmod means nothing
 * there).
 */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (process.platform === 'win32') return;
  const abs = path.resolve(dir);
  const st = fs.statSync(abs);
  // A shared folder given as the data dir (the disk's root, a sticky one like /tmp) keeps
  // its mode: narrowing it would lock others out of it.
  if (abs === path.parse(abs).root || (st.mode & 0o1000) !== 0) return;
  if ((st.mode & 0o777) !== PRIVATE_DIR_MODE) fs.chmodSync(abs, PRIVATE_DIR_MODE);
}

/** Sets each file that exists to 0600 (a missing one is skipped), whatever the umask. */
export function makePrivate(...files: string[]): void {
  if (process.platform === 'win32') return;
  for (const file of files) {
    try {
      if ((fs.statSync(file).mode & 0o777) !== PRIVATE_FILE_MODE)
        fs.chmodSync(file, PRIVATE_FILE_MODE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
