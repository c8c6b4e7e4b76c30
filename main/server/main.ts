// Browser mode: the engine plus the contract over HTTP + WebSocket on 127.0.0.1.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppController } from '../core/app/app-controller.js';
import { Dispatcher } from '../core/app/dispatcher.js';
import { parseInstanceArgs } from '../core/app/instance-args.js';
import { regionsFromFile } from '../core/app/regions-file.js';
import { InstanceLock } from '../core/app/instance-lock.js';
import { startLocalChannel } from '../core/app/local-channel.js';
import { openWithSystem } from '../core/app/open-path.js';
import { installProcessSafetyNet } from '../core/app/process-safety-net.js';
import { instancePaths } from '../core/paths.js';
import { JsonSettingsStore } from '../core/settings/json-settings-store.js';
import { MemorySecretStore } from '../core/accounts/secret-store.js';
import { startEngine } from '../core/app/start-engine.js';
import type { SyncEngine } from '../core/sync/engine.js';
import { startRegions } from '../regions/index.js';
import { startBrowserServer } from './browser-server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function main(): Promise<void> {
  const args = parseInstanceArgs(process.argv.slice(2));
  const paths = instancePaths(args.dataDir);
  const staticDir = path.join(root, 'dist', 'renderer');
  if (!fs.existsSync(path.join(staticDir, 'index.html')))
    throw new Error(`the UI is not built (${staticDir} is missing); run "npm run build:renderer"`);
  const lock = InstanceLock.acquire(paths.dataDir);
  const version = (
    JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }
  ).version;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  // Nothing that escaped a handler ends the app (see process-safety-net.ts for why).
  installProcessSafetyNet({ log });

  let shutdown: () => Promise<void> = async () => {};
  const settings = new JsonSettingsStore(paths.settings);
  const controller = new AppController({
    mode: 'browser',
    version,
    dataDir: paths.dataDir,
    settings,
    host: {
      openWindow: () => log('The window is the browser page; open the URL printed at start.'),
      openPath: (p) => openWithSystem(p),
      // The open pages follow the event (and select the conflict).
      openView: (view, conflictId) =>
        controller.events.emit('app.navigate', { view, ...(conflictId ? { conflictId } : {}) }),
      quit: () => void shutdown(),
    },
  });
  const dispatcher = new Dispatcher(controller.handlers, log);
  let engine: SyncEngine | undefined;
  const server = await startBrowserServer({
    dispatcher,
    events: controller.events,
    staticDir,
    port: args.port,
    log,
    // Files dropped on the page (PUT /drop/<folderId>) go into the watched folder's path.
    dropTarget: (folderId) => engine?.folderPath(folderId),
  });
  // The UI stays reachable when the regions cannot start, and says why.
  const regions = await (
    args.regionsFile
      ? regionsFromFile(args.regionsFile, log)
      : startRegions({ dataDir: paths.regions, log })
  ).catch((err: Error) => {
    controller.update({
      status: 'error',
      message: `Local regions could not start: ${err.message}`,
    });
    return undefined;
  });
  if (regions) controller.attachLocalRegions(regions);
  try {
    engine = await startEngine({
      controller,
      settings,
      paths,
      // Browser mode has no keychain: AWS secrets live in memory only (the UI says so).
      secrets: new MemorySecretStore(),
      localRegions: regions,
      folder: args.folder,
      log,
      openPath: (p) => openWithSystem(p),
    });
  } catch (err) {
    controller.update({
      status: 'error',
      message: `The sync engine could not start: ${(err as Error).message}`,
    });
  }
  // The command line's way in; the app runs on without it when it cannot start.
  const channel = await startLocalChannel({ dataDir: paths.dataDir, dispatcher, log }).catch(
    (err: Error) => {
      log(`The local channel for the command line could not start: ${err.message}`);
      return undefined;
    },
  );
  shutdown = async () => {
    await channel?.close();
    await server.close();
    await engine?.dispose();
    await regions?.close();
    lock.release();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
  controller.ready();
  process.stdout.write(`Replica Sync running at ${server.url}\n`);
  if (!args.noOpen && !process.env.CI) {
    const error = await openWithSystem(server.url);
    if (error) log('Open the URL above in a browser.');
  }
}

main().catch((err: Error) => {
  process.stderr.write(`Replica Sync could not start: ${err.message}\n`);
  process.exit(1);
});
