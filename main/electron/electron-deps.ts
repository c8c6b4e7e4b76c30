// The parts of Electron the wiring uses, injected so tests can pass a small fake and the
// real entry passes `electron` itself. Types come from electron's own d.ts.
import type * as Electron from 'electron';

export type ElectronDeps = Pick<
  typeof Electron,
  | 'app'
  | 'BrowserWindow'
  | 'Menu'
  | 'Tray'
  | 'nativeImage'
  | 'ipcMain'
  | 'shell'
  | 'protocol'
  | 'session'
  | 'safeStorage'
  | 'Notification'
>;
