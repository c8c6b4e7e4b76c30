import path from 'node:path';
import type { BrowserWindow } from 'electron';
import type { ConflictSummary, MenuModel, RtcBreachNotice } from '../contract/index.js';
import { AppController } from '../core/app/app-controller.js';
import { Dispatcher } from '../core/app/dispatcher.js';
import { buildTrayMenu } from '../core/app/tray-menu.js';
import { DisposableStore } from '../core/disposable.js';
import type { SettingsStore } from '../core/settings/settings-store.js';
import { serveRenderer } from './app-protocol.js';
import { CONFLICT_NOTICES_FILE, ConflictNotifier } from './conflict-notifier.js';
import { RtcNotifier } from './rtc-notifier.js';
import type { ElectronDeps } from './electron-deps.js';
import { IpcHost } from './ipc-host.js';
import { TrayController } from './tray.js';
import { createMainWindow } from './window.js';

export interface DesktopOptions {
  dataDir: string;
  /** dist/ of the build: electron/preload.cjs, renderer/, icons/. */
  distDir: string;
  settings: SettingsStore;
  log: (line: string) => void;
}

/**
 * Desktop mode once Electron is ready: the controller, the IPC host, the window and the
 * tray. Takes Electron as an argument so it can be tested under Node with a fake.
 */
export function startDesktop(deps: ElectronDeps, opts: DesktopOptions) {
  const disposables = new DisposableStore();
  const rendererDir = path.join(opts.distDir, 'renderer');
  const preload = path.join(opts.distDir, 'electron', 'preload.cjs');
  const iconPath = (icon: MenuModel['icon']) =>
    path.join(opts.distDir, 'icons', `tray-${icon}.png`);
  let window: BrowserWindow | undefined;

  // No page of ours needs camera, notifications prompts, etc.; refuse every permission.
  deps.session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) =>
    callback(false),
  );
  serveRenderer(deps.protocol, rendererDir);

  const controller = new AppController({
    mode: 'desktop',
    version: deps.app.getVersion(),
    dataDir: opts.dataDir,
    settings: opts.settings,
    host: {
      openWindow: () => showWindow(),
      openPath: (p) => deps.shell.openPath(p),
      openView: (view, conflictId) => openView(view, conflictId),
      quit: () => deps.app.quit(),
    },
  });
  const dispatcher = new Dispatcher(controller.handlers, opts.log);
  const ipc = disposables.add(new IpcHost(deps.ipcMain, dispatcher, controller.events, opts.log));

  /** Shows the window; a new one opens at `route` (an open one is told by app.navigate). */
  function showWindow(route?: string): BrowserWindow {
    if (window && !window.isDestroyed()) {
      if (window.isMinimized()) window.restore();
      window.show();
      window.focus();
      return window;
    }
    window = createMainWindow(deps, {
      preload,
      icon: iconPath('normal'),
      ...(route ? { route } : {}),
    });
    ipc.attach(window.webContents);
    window.on('closed', () => {
      window = undefined;
    });
    return window;
  }

  function openView(view: 'conflicts', conflictId?: string): void {
    showWindow(conflictId ? `#/${view}/${conflictId}` : `#/${view}`);
    controller.events.emit('app.navigate', { view, ...(conflictId ? { conflictId } : {}) });
  }

  const notifier = new ConflictNotifier(deps, {
    file: path.join(opts.dataDir, CONFLICT_NOTICES_FILE),
    onOpen: (conflictId) => controller.openView(conflictId),
    log: opts.log,
  });

  const rtc = new RtcNotifier(
    deps,
    () => {
      showWindow('#/files');
      controller.events.emit('app.navigate', { view: 'files' });
    },
    opts.log,
  );

  const tray = disposables.add(
    new TrayController(deps, iconPath, buildTrayMenu(controller.getState()), (id) => {
      void controller.invokeMenu(id);
    }),
  );
  disposables.add(
    controller.events.subscribe((name, payload) => {
      if (name === 'tray.menu') tray.render(payload as MenuModel);
      if (name === 'conflicts.changed') notifier.update(payload as ConflictSummary[]);
      if (name === 'replication.rtcBreach') rtc.notify(payload as RtcBreachNotice);
    }),
  );

  showWindow();
  controller.ready();
  return {
    controller,
    dispatcher,
    notifier,
    showWindow: () => showWindow(),
    dispose: () => disposables.dispose(),
  };
}
