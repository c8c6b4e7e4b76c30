// The app as the hosts assemble it, without a window: AppController + Dispatcher + a real
// SyncEngine started by startEngine on a data dir, against local regions. Commands go
// through the Dispatcher (argument validation included); events, activity and log lines
// are recorded so tests can check what left the engine.
import {
  ContractError,
  type CommandArgs,
  type CommandName,
  type CommandResult,
} from '../../main/contract/index.js';
import type { SecretStore } from '../../main/core/accounts/secret-store.js';
import { AppController } from '../../main/core/app/app-controller.js';
import { Dispatcher } from '../../main/core/app/dispatcher.js';
import { startEngine } from '../../main/core/app/start-engine.js';
import { instancePaths } from '../../main/core/paths.js';
import { JsonSettingsStore } from '../../main/core/settings/json-settings-store.js';
import type { SyncEngine } from '../../main/core/sync/engine.js';
import type { TestRegions } from './regions.js';

export interface TestApp {
  controller: AppController;
  engine: SyncEngine;
  dispatcher: Dispatcher;
  /** Every event payload and log line, as text. */
  seen: string[];
  call<C extends CommandName>(command: C, args: CommandArgs<C>): Promise<CommandResult<C>>;
  /** Runs a command that must fail and returns its error. */
  refused(command: CommandName, args: unknown): Promise<ContractError>;
  stop(): Promise<void>;
}

let nextId = 1;

export async function startTestApp(opts: {
  dataDir: string;
  regions: TestRegions;
  secrets: SecretStore;
}): Promise<TestApp> {
  const paths = instancePaths(opts.dataDir);
  const settings = new JsonSettingsStore(paths.settings);
  // No first-start folder in ~/Replica Sync: the tests add their own folders.
  settings.markSetupDone();
  const seen: string[] = [];
  const controller = new AppController({
    mode: 'browser',
    version: 'test',
    dataDir: paths.dataDir,
    settings,
    host: { openWindow: () => {}, openPath: async () => '', quit: () => {} },
  });
  controller.events.subscribe((name, payload) => seen.push(`${name} ${JSON.stringify(payload)}`));
  const log = (line: string): void => {
    seen.push(`log ${line}`);
  };
  const handle = opts.regions.handle;
  const engine = await startEngine({
    controller,
    settings,
    paths,
    secrets: opts.secrets,
    localRegions: {
      accessKeyId: handle.accessKeyId,
      secretAccessKey: handle.secretAccessKey,
      regions: handle.regions.map((r) => ({ name: r.name, endpoint: r.endpoint })),
      close: async () => {},
    },
    log,
  });
  controller.ready();
  const dispatcher = new Dispatcher(controller.handlers, log);
  const app: TestApp = {
    controller,
    engine,
    dispatcher,
    seen,
    async call(command, args) {
      const r = await dispatcher.dispatch('test', nextId++, command, args);
      if (!r.ok) throw ContractError.from(r.error);
      return r.value as CommandResult<typeof command>;
    },
    async refused(command, args) {
      const r = await dispatcher.dispatch('test', nextId++, command, args);
      if (r.ok) throw new Error(`${command} should have been refused: ${JSON.stringify(r.value)}`);
      return ContractError.from(r.error);
    },
    async stop() {
      await engine.dispose();
    },
  };
  return app;
}
