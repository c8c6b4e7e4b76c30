// Desktop entry: bundled to dist/electron/main.mjs and started by Electron.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as electron from 'electron';
import { parseInstanceArgs } from '../core/app/instance-args.js';
import { instancePaths } from '../core/paths.js';
import { startRegions } from '../regions/index.js';
import { registerAppScheme } from './app-protocol.js';
import { startDesktop } from './desktop-app.js';
import { ElectronSettingsStore } from './electron-settings-store.js';

const { app } = electron;
const distDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const log = (line: string) => process.stderr.write(`${line}\n`);

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
    const desktop = startDesktop(electron, {
      dataDir: paths.dataDir,
      distDir,
      settings: new ElectronSettingsStore(paths.dataDir),
      log,
    });
    app.on('second-instance', () => desktop.showWindow());
    void startRegions({ dataDir: paths.regions, log }).then(
      (regions) => {
        desktop.controller.attachLocalRegions(regions);
        app.on('will-quit', () => void regions.close());
      },
      (err: Error) =>
        desktop.controller.update({
          status: 'error',
          message: `Local regions could not start: ${err.message}`,
        }),
    );
    app.on('before-quit', () => desktop.dispose());
  });
}
