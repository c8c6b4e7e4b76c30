import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';
import type { ElectronDeps } from './electron-deps.js';
import { APP_ORIGIN, isTrustedUrl } from './security.js';

export interface MainWindowOptions {
  preload: string;
  icon?: string;
  /** A hash route to open at, e.g. `#/conflicts/<id>`. */
  route?: string;
}

/** Every window is isolated and sandboxed, with no node, and cannot navigate away. */
export function mainWindowOptions(opts: MainWindowOptions): BrowserWindowConstructorOptions {
  return {
    width: 1100,
    height: 720,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Replica Sync',
    ...(opts.icon ? { icon: opts.icon } : {}),
    webPreferences: {
      preload: opts.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
    },
  };
}

export function createMainWindow(
  deps: Pick<ElectronDeps, 'BrowserWindow' | 'shell'>,
  opts: MainWindowOptions,
): BrowserWindow {
  const win = new deps.BrowserWindow(mainWindowOptions(opts));
  const contents = win.webContents;
  contents.on('will-navigate', (event, url) => {
    if (!isTrustedUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isTrustedUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // New windows are never created; http(s) links open in the user's browser instead.
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void deps.shell.openExternal(url);
    return { action: 'deny' };
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${APP_ORIGIN}/index.html${opts.route ?? ''}`);
  return win;
}
