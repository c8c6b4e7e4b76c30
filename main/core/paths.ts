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
