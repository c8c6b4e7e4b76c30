// What main tells the renderer, by name.
import type { ActivityEntry, AppNavigation, AppState, MenuModel } from './state.js';
import type { ConflictSummary } from './conflicts.js';
import type { FileReplication, LocalRegionStatus, RtcBreachNotice } from './replication.js';
import type { FileRow, FolderSummary } from './sync.js';

export interface EventPayloads {
  'app.state': AppState;
  'tray.menu': MenuModel;
  /** Show a view: the tray or a notification asked for it (the page follows). */
  'app.navigate': AppNavigation;
  activity: ActivityEntry;
  /** Every folder, sent (throttled) when any of them changes. */
  'folders.changed': FolderSummary[];
  /** Rows whose state or progress changed, batched. */
  'files.changed': FileRow[];
  /** Replica status of files changed, batched. */
  'replication.changed': FileReplication[];
  /** A copy missed the 15-minute window of a rule with RTC (for the notifier and the tray). */
  'replication.rtcBreach': RtcBreachNotice;
  /** Open conflicts, the whole list, when it changes. */
  'conflicts.changed': ConflictSummary[];
  /** Outage switches of the local regions changed. */
  'regions.changed': LocalRegionStatus[];
}

export type EventName = keyof EventPayloads;
export const eventNames: EventName[] = [
  'app.state',
  'tray.menu',
  'app.navigate',
  'activity',
  'folders.changed',
  'files.changed',
  'replication.changed',
  'replication.rtcBreach',
  'regions.changed',
  'conflicts.changed',
];
