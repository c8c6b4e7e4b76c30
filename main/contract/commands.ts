// The one typed map of what the renderer may ask of main: arguments (validated at runtime
// by the host) and results (typed only; main produces them).
import { conflictCommandArgs, type ConflictCommandResults } from './conflicts.js';
import { credentialText } from './credentials.js';
import { IMPORT_PATHS_MAX_CHARS, IMPORT_PATHS_MAX_ITEMS } from './limits.js';
import { replicationCommandArgs, type ReplicationCommandResults } from './replication-commands.js';
import {
  array,
  boolean,
  number,
  object,
  oneOf,
  optional,
  string,
  type Infer,
  type Schema,
} from './schema.js';
import { settingsPatchSchema, type Settings } from './settings.js';
import type { ActivityEntry, AppState, MenuModel, TrayActionId } from './state.js';
import type {
  AccountSummary,
  AccountTestResult,
  AwsProfileList,
  FilePage,
  FolderSummary,
} from './sync.js';

const folderId = string({ min: 1, max: 64, pattern: /^[A-Za-z0-9_-]+$/ });
const fileStates = [
  'pending',
  'uploading',
  'synced',
  'interrupted',
  'conflict',
  'error',
  'deleted',
] as const;

const none = object({});

/** The fixed menu actions, and `conflict:<id>:<action>` for a conflict the tray lists. */
export const TRAY_ACTION_PATTERN =
  /^(toggle-pause|open-window|open-folder|quit|resolve-all|open-conflicts|conflict:[A-Za-z0-9_-]+:(keep-local|keep-remote|keep-both|compare))$/;
const trayActionText = string({
  min: 1,
  max: 160,
  pattern: TRAY_ACTION_PATTERN,
  patternMessage:
    'must be a menu action (toggle-pause, open-window, open-folder, quit, resolve-all, open-conflicts) or conflict:<id>:keep-local|keep-remote|keep-both|compare',
});
// The pattern admits exactly the TrayActionId strings, so the checked text is one of them.
const trayActionId: Schema<TrayActionId> = {
  check: (v, path, issues) => trayActionText.check(v, path, issues) as TrayActionId,
};

const accountId = string({
  min: 1,
  max: 64,
  pattern: /^[A-Za-z0-9_-]+$/,
  patternMessage: 'use letters, digits, - and _ only',
});
const accountName = string({
  min: 1,
  max: 64,
  pattern: /^(?=.*\S)\P{Cc}+$/u,
  patternMessage: 'give the account a name (no control characters)',
});
const regionName = string({
  min: 1,
  max: 32,
  pattern: /^[a-z0-9-]+$/,
  patternMessage: 'use a region name such as us-east-1 (lower-case letters, digits and -)',
});

export const commandArgs = {
  'app.getState': none,
  'app.setPaused': object({ paused: boolean() }),
  'activity.list': object({ limit: optional(number({ integer: true, min: 1, max: 1000 })) }),
  'settings.get': none,
  'settings.update': object({ patch: settingsPatchSchema }),
  'tray.getMenu': none,
  'tray.invoke': object({ id: trayActionId }),
  'accounts.list': none,
  'accounts.addProfile': object({
    name: accountName,
    profile: string({
      min: 1,
      max: 64,
      pattern: /^[A-Za-z0-9_.@+-]+$/,
      patternMessage: 'use the name of a profile of the AWS config (letters, digits, _ . @ + -)',
    }),
  }),
  'accounts.addKeys': object({
    name: accountName,
    accessKeyId: credentialText('accessKeyId'),
    secretAccessKey: credentialText('secretAccessKey'),
    endpoint: optional(
      string({
        min: 8,
        max: 2048,
        pattern: /^https?:\/\/[^\s/?#]+[^\s?#]*$/i,
        patternMessage: 'use an http:// or https:// URL without query, e.g. https://s3.example.com',
      }),
    ),
    forcePathStyle: optional(boolean()),
    signingRegion: optional(regionName),
  }),
  'accounts.remove': object({ id: accountId }),
  /** Enters the secret again, e.g. after browser mode (which keeps it in memory) restarted. */
  'accounts.setSecret': object({
    id: accountId,
    secretAccessKey: credentialText('secretAccessKey'),
  }),
  'accounts.test': object({
    id: accountId,
    region: regionName,
    bucket: optional(string({ min: 3, max: 63 })),
  }),
  'accounts.listProfiles': none,
  'folders.list': none,
  'folders.add': object({
    path: string({ min: 1, max: 4096 }),
    accountId: optional(string({ min: 1, max: 64 })),
    bucket: optional(string({ min: 3, max: 63 })),
    prefix: optional(string({ max: 512 })),
    region: optional(string({ min: 1, max: 32 })),
    /** Other endpoints of the same bucket (RGW multisite zones, any active-active pair). */
    peers: optional(
      array(
        object({
          accountId: string({ min: 1, max: 64 }),
          bucket: string({ min: 3, max: 63 }),
          region: string({ min: 1, max: 32 }),
          label: string({ min: 1, max: 64 }),
        }),
        { max: 8 },
      ),
    ),
    /** Make the folder when it does not exist (after every other check passed). */
    create: optional(boolean()),
  }),
  'folders.enableVersioning': object({
    accountId: string({ min: 1, max: 64 }),
    bucket: string({ min: 3, max: 63 }),
    region: string({ min: 1, max: 32 }),
  }),
  'folders.remove': object({ id: folderId }),
  'folders.setPaused': object({ id: folderId, paused: boolean() }),
  'folders.answerMassDelete': object({ id: folderId, proceed: boolean() }),
  'folders.rescan': object({ id: folderId }),
  'files.list': object({
    folderId: optional(folderId),
    state: optional(oneOf(fileStates)),
    search: optional(string({ max: 256 })),
    offset: number({ integer: true, min: 0 }),
    limit: number({ integer: true, min: 1, max: 1000 }),
  }),
  'files.importPaths': object({
    folderId,
    paths: array(string({ min: 1, max: 4096 }), {
      max: IMPORT_PATHS_MAX_ITEMS,
      maxTotalLength: IMPORT_PATHS_MAX_CHARS,
    }),
  }),
  ...replicationCommandArgs,
  ...conflictCommandArgs,
} satisfies Record<string, Schema<unknown>>;

export interface CommandResults extends ReplicationCommandResults, ConflictCommandResults {
  'app.getState': AppState;
  'app.setPaused': AppState;
  'activity.list': ActivityEntry[];
  'settings.get': Settings;
  'settings.update': Settings;
  'tray.getMenu': MenuModel;
  'tray.invoke': { done: boolean; message?: string };
  'accounts.list': AccountSummary[];
  'accounts.addProfile': AccountSummary;
  'accounts.addKeys': AccountSummary;
  'accounts.remove': { removed: true };
  'accounts.setSecret': AccountSummary;
  'accounts.test': AccountTestResult;
  'accounts.listProfiles': AwsProfileList;
  'folders.list': FolderSummary[];
  'folders.add': FolderSummary;
  'folders.enableVersioning': { enabled: true };
  'folders.remove': { removed: true };
  'folders.setPaused': FolderSummary;
  'folders.answerMassDelete': FolderSummary;
  'folders.rescan': FolderSummary;
  'files.list': FilePage;
  'files.importPaths': { copied: string[] };
}

export type CommandName = keyof typeof commandArgs;
export type CommandArgs<C extends CommandName> = Infer<(typeof commandArgs)[C]>;
export type CommandResult<C extends CommandName> = CommandResults[C];

export const commandNames = Object.keys(commandArgs) as CommandName[];

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(commandArgs, name);
}
