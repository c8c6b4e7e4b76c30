// Desktop entry: bundled to dist/electron/main.mjs and started by Electron.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as electron from 'electron';
import { parseInstanceArgs } from '../core/app/instance-args.js';
import { regionsFromFile } from '../core/app/regions-file.js';
import { startLocalChannel } from '../core/app/local-channel.js';
import { installProcessSafetyNet } from '../core/app/process-safety-net.js';
import { instancePaths } from '../core/paths.js';
import { startEngine } from '../core/app/start-engine.js';
import { startRegions } from '../regions/index.js';
import { SafeStorageSecretStore } from './safe-storage-secrets.js';
import { registerAppScheme } from './app-protocol.js';
import { startDesktop } from './desktop-app.js';
import { ElectronSettingsStore } from './electron-settings-store.js';
import { nativeAbiMessage } from './native-abi.js';

const { app } = electron;
const distDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const log = (line: string) => process.stderr.write(`${line}\n`);
// Nothing that escaped a handler ends the app, and Electron shows no crash dialog for it
// (see process-safety-net.ts for why it keeps running).
installProcessSafetyNet({ log });

const args = parseInstanceArgs(process.argv.slice(app.isPackaged ? 1 : 2));
const paths = instancePaths(args.dataDir);
// Everything of this instance lives in its data dir, and the single-instance lock is per
// data dir, so two instances with different dirs run side by side.
app.setPath('userData', paths.dataDir);
registerAppScheme(electron.protocol);

if (!app.requestSingleInstanceLock()) {
  log(`Replica Sync is already running with data dir ${paths.dataDir}; showing it.`);
  app.quit();
} else {
  app.on('window-all-closed', () => {
    // A tray app keeps syncing with no window open.
  });
  void app.whenReady().then(() => {
    const settings = new ElectronSettingsStore(paths.dataDir);
    const desktop = startDesktop(electron, {
      dataDir: paths.dataDir,
      distDir,
      settings,
      log,
    });
    app.on('second-instance', () => desktop.showWindow());
    // A native module built for Node's ABI (not rebuilt for Electron's) is said plainly,
    // once, in the terminal and in the window; any other failure keeps its own message.
    let abiSaid = false;
    const failed = (err: Error, message: string) => {
      const abi = nativeAbiMessage(err);
      if (abi && !abiSaid) log(abi);
      abiSaid ||= abi !== undefined;
      desktop.controller.update({ status: 'error', message: abi ?? message });
    };
    void (async () => {
      const regions = await (
        args.regionsFile
          ? regionsFromFile(args.regionsFile, log)
          : startRegions({ dataDir: paths.regions, log })
      ).catch((err: Error) => {
        failed(err, `Local regions could not start: ${err.message}`);
        return undefined;
      });
      if (regions) {
        desktop.controller.attachLocalRegions(regions);
        app.on('will-quit', () => void regions.close());
      }
      const engine = await startEngine({
        controller: desktop.controller,
        settings,
        paths,
        secrets: new SafeStorageSecretStore(electron.safeStorage, paths.secrets),
        localRegions: regions,
        folder: args.folder,
        log,
        openPath: (p) => electron.shell.openPath(p),
      });
      app.on('will-quit', () => void engine.dispose());
      // The command line's way in; the app runs on without it when it cannot start.
      const channel = await startLocalChannel({
        dataDir: paths.dataDir,
        dispatcher: desktop.dispatcher,
        log,
      }).catch((err: Error) => {
        log(`The local channel for the command line could not start: ${err.message}`);
        return undefined;
      });
      if (channel) app.on('will-quit', () => void channel.close());
    })().catch((err: Error) => failed(err, `The sync engine could not start: ${err.message}`));
    app.on('before-quit', () => desktop.dispose());
  });
}
