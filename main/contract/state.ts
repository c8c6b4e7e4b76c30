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
  /** A replica line for the tray, e.g. "2 replicas missed the 15-minute RTC window". */
  replicaAlert?: string | null;
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
  | { kind: 'action'; id: TrayActionId; label: string; enabled: boolean }
  | { kind: 'submenu'; id: string; label: string; items: MenuItem[] };

/** The menu's fixed actions; 'open-conflicts' is the "more…" entry past the listed conflicts. */
export type MenuActionId =
  'toggle-pause' | 'open-window' | 'open-folder' | 'quit' | 'resolve-all' | 'open-conflicts';

/** What the tray offers for one listed conflict. */
export type ConflictMenuAction = 'keep-local' | 'keep-remote' | 'keep-both' | 'compare';

/** `conflict:<conflict id>:<action>`; the id has letters, digits, - and _ only. */
export type ConflictMenuActionId = `conflict:${string}:${ConflictMenuAction}`;

/** Any id that tray.invoke takes. */
export type TrayActionId = MenuActionId | ConflictMenuActionId;

/** A view the app can be asked to show (the tray's "Compare…", a notification's click). */
export interface AppNavigation {
  /** Conflicts (a conflict notice, the tray) or Files (an RTC breach notice). */
  view: 'conflicts' | 'files';
  /** The conflict to select in the view. */
  conflictId?: string;
}

export interface MenuModel {
  /** Tooltip of the tray icon. */
  tooltip: string;
  /** Which icon the tray shows. */
  icon: 'normal' | 'syncing' | 'paused' | 'error' | 'conflict';
  items: MenuItem[];
}
