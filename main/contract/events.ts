// What main tells the renderer, by name.
import type { ActivityEntry, AppState, MenuModel } from './state.js';

export interface EventPayloads {
  'app.state': AppState;
  'tray.menu': MenuModel;
  activity: ActivityEntry;
}

export type EventName = keyof EventPayloads;
export const eventNames: EventName[] = ['app.state', 'tray.menu', 'activity'];
