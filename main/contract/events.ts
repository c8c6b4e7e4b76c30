// What main tells the renderer, by name.
import type { ActivityEntry, AppState, MenuModel } from './state.js';
import type { FileRow, FolderSummary } from './sync.js';

export interface EventPayloads {
  'app.state': AppState;
  'tray.menu': MenuModel;
  activity: ActivityEntry;
  /** Every folder, sent (throttled) when any of them changes. */
  'folders.changed': FolderSummary[];
  /** Rows whose state or progress changed, batched. */
  'files.changed': FileRow[];
}

export type EventName = keyof EventPayloads;
export const eventNames: EventName[] = [
  'app.state',
  'tray.menu',
  'activity',
  'folders.changed',
  'files.changed',
];
