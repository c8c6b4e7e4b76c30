// Starts the sync engine for a host (browser mode or Electron), the same way in both.
import type { LocalAccount } from '../accounts/account.js';
import { loadStoredAccounts } from '../accounts/account-commands.js';
import type { SecretStore } from '../accounts/secret-store.js';
import { ensurePrivateDir, type InstancePaths } from '../paths.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { ConflictService } from '../conflicts/service.js';
import { ReplicationService } from '../replication/service.js';
import { SyncEngine } from '../sync/engine.js';
import type { FolderTuning } from '../sync/folder-types.js';
import type { AppController } from './app-controller.js';
import { defaultFolderPath, runDefaultSetup } from './default-setup.js';
import type { LocalRegions } from './local-regions.js';

export interface StartEngineOptions {
  controller: AppController;
  settings: SettingsStore;
  paths: InstancePaths;
  secrets: SecretStore;
  localRegions: LocalRegions | undefined;
  /** --folder: the first-start folder. */
  folder?: string | undefined;
  tuning?: Partial<FolderTuning>;
  log: (line: string) => void;
  /** Opens a file with the system's app (conflict sides). */
  openPath?: (p: string) => Promise<string>;
}

export const LOCAL_ACCOUNT_ID = 'local';

export function localAccount(regions: LocalRegions): LocalAccount {
  return {
    id: LOCAL_ACCOUNT_ID,
    kind: 'local',
    name: 'Local regions',
    endpoints: Object.fromEntries(regions.regions.map((r) => [r.name, r.endpoint])),
    credentials: { accessKeyId: regions.accessKeyId, secretAccessKey: regions.secretAccessKey },
  };
}

export async function startEngine(o: StartEngineOptions): Promise<SyncEngine> {
  const settings = o.settings.get();
  const installationId = settings.installationId;
  if (!installationId) throw new Error('settings have no installation id');
  // Others may not list the data dir: made 0700, or tightened to it when older or wider.
  ensurePrivateDir(o.paths.dataDir);
  const engine = new SyncEngine({
    indexFile: o.paths.index,
    dataDir: o.paths.dataDir,
    device: installationId,
    concurrency: settings.uploadConcurrency,
    secrets: o.secrets,
    events: o.controller.events,
    activity: (level, message) => o.controller.activity.add(level, message),
    onStatus: (patch) => o.controller.update(patch),
    ...(o.tuning ? { tuning: o.tuning } : {}),
    log: o.log,
  });
  const account = o.localRegions ? localAccount(o.localRegions) : undefined;
  if (account) engine.addAccount(account);
  // Before start: the folders' loops need their accounts.
  try {
    loadStoredAccounts(engine, o.paths.accounts);
  } catch (err) {
    await engine.dispose();
    throw err;
  }
  await engine.start({ paused: o.controller.getState().paused });
  if (account && !settings.setupDone && engine.folderCount() === 0) {
    const r = await runDefaultSetup(
      engine,
      account,
      installationId,
      o.folder ?? defaultFolderPath(),
    );
    o.controller.activity.add(
      'info',
      `First start: watching ${r.folder}, synced to ${r.buckets.map((b) => `${b.bucket} (${b.region})`).join(' and ')}, with two-way replication between them`,
    );
  }
  if (!settings.setupDone) o.settings.markSetupDone();
  o.controller.attachEngine(engine);
  const replication = ReplicationService.attach({
    folders: engine,
    uploads: engine,
    db: engine.indexDb,
    files: engine.files,
    events: o.controller.events,
    activity: (level, message) => o.controller.activity.add(level, message),
    localRegions: o.localRegions,
    device: installationId,
    onRtcBreach: (_e, total) =>
      o.controller.update({
        replicaAlert: `${total} ${total === 1 ? 'copy' : 'copies'} missed the 15-minute RTC window`,
      }),
  });
  engine.addDisposable(replication);
  o.controller.attachReplication(replication.handlers);
  const conflicts = new ConflictService({
    folders: engine,
    db: engine.indexDb,
    files: engine.files,
    forks: engine,
    policyHost: engine,
    events: o.controller.events,
    device: installationId,
    deviceName: () => o.settings.get().deviceName,
    activity: (level, message) => o.controller.activity.add(level, message),
    openPath: (p) => o.openPath?.(p) ?? Promise.resolve('opening files is not available here'),
    onList: (list) => o.controller.setConflicts(list),
    policyFile: o.paths.conflictPolicies,
  });
  engine.addDisposable(conflicts);
  o.controller.attachConflicts(conflicts.handlers);
  void conflicts.scanAll();
  return engine;
}
