// Payload types shared by commands and events.

export type AppStatus = 'starting' | 'idle' | 'syncing' | 'paused' | 'error';
export type AppMode = 'desktop' | 'browser';

export interface AppState {
  status: AppStatus;
  /** One line for the status bar and the tray, e.g. "Up to date". */
  message: string;
  paused: boolean;
  mode: AppMode;
  version: string;
  deviceName: string;
  dataDir: string;
  /** Watched folders, by local path; filled by the sync engine. */
  folders: string[];
  conflicts: number;
  /** The embedded local regions this instance runs, empty when they are off. */
  localRegions: { name: string; endpoint: string }[];
}

export type ActivityLevel = 'info' | 'warn' | 'error';

export interface ActivityEntry {
  id: number;
  time: string;
  level: ActivityLevel;
  message: string;
}

export type MenuItem =
  | { kind: 'status'; id: string; label: string }
  | { kind: 'separator'; id: string }
  | { kind: 'action'; id: MenuActionId; label: string; enabled: boolean };

export type MenuActionId = 'toggle-pause' | 'open-window' | 'open-folder' | 'quit';

export interface MenuModel {
  /** Tooltip of the tray icon. */
  tooltip: string;
  /** Which icon the tray shows. */
  icon: 'normal' | 'syncing' | 'paused' | 'error' | 'conflict';
  items: MenuItem[];
}
