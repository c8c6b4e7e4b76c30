// A small fake of the Electron API surface that main/electron uses, recording what the
// wiring does so tests can assert it under plain Node.
import { EventEmitter } from 'node:events';
import type { ElectronDeps } from '../../main/electron/electron-deps.js';

type Listener = (...args: never[]) => unknown;

export class FakeWebContents extends EventEmitter {
  static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  sent: { channel: string; payload: unknown }[] = [];
  openHandler?: (details: { url: string }) => { action: string };
  destroyed = false;
  send(channel: string, payload: unknown) {
    this.sent.push({ channel, payload });
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
    this.openHandler = handler;
  }
  isDestroyed() {
    return this.destroyed;
  }
  /** Emits a navigation event and says whether the wiring blocked it. */
  navigate(event: 'will-navigate' | 'will-redirect', url: string): boolean {
    let prevented = false;
    this.emit(event, { preventDefault: () => (prevented = true) }, url);
    return prevented;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static created: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  loadedUrl?: string;
  shown = false;
  constructor(readonly options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.created.push(this);
  }
  loadURL(url: string) {
    this.loadedUrl = url;
    return Promise.resolve();
  }
  isDestroyed() {
    return false;
  }
  isMinimized() {
    return false;
  }
  restore() {}
  show() {
    this.shown = true;
  }
  focus() {}
}

export class FakeTray {
  static created: FakeTray[] = [];
  tooltip = '';
  menu?: { template: Record<string, unknown>[] };
  image?: unknown;
  destroyed = false;
  constructor(image: unknown) {
    this.image = image;
    FakeTray.created.push(this);
  }
  setToolTip(t: string) {
    this.tooltip = t;
  }
  setImage(i: unknown) {
    this.image = i;
  }
  setContextMenu(m: { template: Record<string, unknown>[] }) {
    this.menu = m;
  }
  destroy() {
    this.destroyed = true;
  }
}

export class FakeNotification extends EventEmitter {
  static created: FakeNotification[] = [];
  static supported = true;
  static isSupported() {
    return FakeNotification.supported;
  }
  shown = false;
  constructor(readonly options: { title: string; body: string }) {
    super();
    FakeNotification.created.push(this);
  }
  show() {
    this.shown = true;
  }
  /** What Electron does when the user clicks the notice. */
  click() {
    this.emit('click', {});
  }
}

export class FakeIpcMain extends EventEmitter {
  handlers = new Map<string, Listener>();
  handle(channel: string, fn: Listener) {
    this.handlers.set(channel, fn);
  }
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  }
}

export interface FakeElectron {
  deps: ElectronDeps;
  ipcMain: FakeIpcMain;
  opened: string[];
  quitCalls: number;
  protocolHandlers: Map<string, (req: Request) => Promise<Response>>;
  permissionHandler?: (wc: unknown, permission: string, cb: (ok: boolean) => void) => void;
}

export function createFakeElectron(): FakeElectron {
  FakeBrowserWindow.created = [];
  FakeTray.created = [];
  FakeNotification.created = [];
  FakeNotification.supported = true;
  const ipcMain = new FakeIpcMain();
  const fake: FakeElectron = {
    ipcMain,
    opened: [],
    quitCalls: 0,
    protocolHandlers: new Map(),
    deps: undefined as unknown as ElectronDeps,
  };
  const deps = {
    app: Object.assign(new EventEmitter(), {
      getVersion: () => '0.0.0-test',
      quit: () => {
        fake.quitCalls++;
      },
    }),
    BrowserWindow: FakeBrowserWindow,
    Tray: FakeTray,
    Notification: FakeNotification,
    Menu: { buildFromTemplate: (template: Record<string, unknown>[]) => ({ template }) },
    nativeImage: { createFromPath: (p: string) => ({ path: p }) },
    ipcMain,
    shell: {
      openPath: async (p: string) => {
        fake.opened.push(p);
        return '';
      },
      openExternal: async (u: string) => {
        fake.opened.push(u);
      },
    },
    protocol: {
      registerSchemesAsPrivileged: () => {},
      handle: (scheme: string, fn: (req: Request) => Promise<Response>) =>
        fake.protocolHandlers.set(scheme, fn),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: FakeElectron['permissionHandler']) => {
          fake.permissionHandler = fn;
        },
      },
    },
  };
  fake.deps = deps as unknown as ElectronDeps;
  return fake;
}

/** An IPC event as Electron would deliver it from a given frame. */
export function ipcEvent(sender: FakeWebContents, url: string, topFrame = true) {
  return { sender, senderFrame: { url, parent: topFrame ? null : {} } };
}
