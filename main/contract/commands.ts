// The one typed map of what the renderer may ask of main: arguments (validated at runtime
// by the host) and results (typed only; main produces them).
import { boolean, object, oneOf, number, optional, type Infer, type Schema } from './schema.js';
import { settingsPatchSchema, type Settings } from './settings.js';
import type { ActivityEntry, AppState, MenuModel } from './state.js';

const none = object({});

export const commandArgs = {
  'app.getState': none,
  'app.setPaused': object({ paused: boolean() }),
  'activity.list': object({ limit: optional(number({ integer: true, min: 1, max: 1000 })) }),
  'settings.get': none,
  'settings.update': object({ patch: settingsPatchSchema }),
  'tray.getMenu': none,
  'tray.invoke': object({
    id: oneOf(['toggle-pause', 'open-window', 'open-folder', 'quit'] as const),
  }),
} satisfies Record<string, Schema<unknown>>;

export interface CommandResults {
  'app.getState': AppState;
  'app.setPaused': AppState;
  'activity.list': ActivityEntry[];
  'settings.get': Settings;
  'settings.update': Settings;
  'tray.getMenu': MenuModel;
  'tray.invoke': { done: boolean; message?: string };
}

export type CommandName = keyof typeof commandArgs;
export type CommandArgs<C extends CommandName> = Infer<(typeof commandArgs)[C]>;
export type CommandResult<C extends CommandName> = CommandResults[C];

export const commandNames = Object.keys(commandArgs) as CommandName[];

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(commandArgs, name);
}
