import {
  ContractError,
  conflictCommandArgs,
  replicationCommandArgs,
  type AppMode,
  type AppState,
  type CommandName,
  type ConflictMenuAction,
  type ConflictSummary,
  type TrayActionId,
} from '../../contract/index.js';
import { accountCommands } from '../accounts/account-commands.js';
import { listAwsProfiles } from '../accounts/aws-profiles.js';
import type {
  CommandHandlers,
  ConflictCommand,
  ConflictHandlers,
  ReplicationCommand,
  ReplicationHandlers,
} from '../command-handlers.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { SyncEngine } from '../sync/engine.js';
import type { LocalRegions } from './local-regions.js';
import { EventHub } from '../emitter.js';
import { ActivityLog } from './activity-log.js';
import { conflictFileName } from './conflict-text.js';
import type { HostActions } from './host-actions.js';
import { buildTrayMenu } from './tray-menu.js';

export interface AppControllerOptions {
  mode: AppMode;
  version: string;
  dataDir: string;
  settings: SettingsStore;
  host: HostActions;
}

export type * from '../command-handlers.js';

const CONFLICT_ACTION = /^conflict:([A-Za-z0-9_-]+):(keep-local|keep-remote|keep-both|compare)$/;
const KEEP: Record<Exclude<ConflictMenuAction, 'compare'>, 'local' | 'remote' | 'both'> = {
  'keep-local': 'local',
  'keep-remote': 'remote',
  'keep-both': 'both',
};

/**
 * The app's state and the handlers of every contract command. Both hosts (Electron IPC,
 * browser-mode WebSocket) dispatch into the same handlers, so the modes cannot drift.
 */
export class AppController {
  readonly events = new EventHub();
  readonly activity: ActivityLog;
  private state: AppState;
  private engine: SyncEngine | undefined;
  private replication: ReplicationHandlers | undefined;
  private conflicts: ConflictHandlers | undefined;
  /** The open conflicts as the conflict service last reported them; null until it does. */
  private conflictList: ConflictSummary[] | null = null;

  constructor(private readonly opts: AppControllerOptions) {
    // The list arrives through setConflicts, or as the event if a service emits it itself.
    this.events.subscribe((name, payload) => {
      if (name === 'conflicts.changed') this.applyConflicts(payload as ConflictSummary[]);
    });
    const settings = opts.settings.get();
    this.activity = new ActivityLog(1000, (entry) => this.events.emit('activity', entry));
    this.state = {
      status: 'starting',
      message: 'Starting…',
      paused: settings.startPaused,
      mode: opts.mode,
      version: opts.version,
      deviceName: settings.deviceName,
      dataDir: opts.dataDir,
      folders: [],
      conflicts: 0,
      localRegions: [],
    };
  }

  getState(): AppState {
    return this.state;
  }

  /** The host started the embedded regions; the engine will use them as the default account. */
  attachLocalRegions(regions: LocalRegions): void {
    this.update({
      localRegions: regions.regions.map((r) => ({ name: r.name, endpoint: r.endpoint })),
    });
    this.activity.add(
      'info',
      `Local regions running: ${regions.regions.map((r) => `${r.name} at ${r.endpoint}`).join(', ')}`,
    );
  }

  /** Marks start-up done; the engine will report its own progress through update(). */
  ready(): void {
    // The engine may have reported its own state (syncing, error) already.
    if (this.state.status === 'starting')
      this.update({
        status: this.state.paused ? 'paused' : 'idle',
        message: this.state.paused ? 'Paused' : 'Up to date',
      });
    this.activity.add(
      'info',
      `Replica Sync ${this.opts.version} started in ${this.opts.mode} mode`,
    );
  }

  update(patch: Partial<AppState>): void {
    this.state = { ...this.state, ...patch };
    // Once the conflict service reports, its list is the count (the engine counts files).
    if (this.conflictList !== null)
      this.state = { ...this.state, conflicts: this.conflictList.length };
    this.events.emit('app.state', this.state);
    this.events.emit('tray.menu', this.trayMenu());
  }

  /**
   * The conflict service's whole list of open conflicts, whenever it changes: sent to the
   * windows as 'conflicts.changed', counted in the state, listed in the tray.
   */
  setConflicts(list: ConflictSummary[]): void {
    this.events.emit('conflicts.changed', list);
  }

  getConflicts(): ConflictSummary[] {
    return this.conflictList ?? [];
  }

  private applyConflicts(list: ConflictSummary[]): void {
    this.conflictList = list;
    this.update({});
  }

  private trayMenu() {
    return buildTrayMenu(this.state, this.conflictList ?? []);
  }

  /** The replication service is running: its commands work from now on. */
  attachReplication(handlers: ReplicationHandlers): void {
    this.replication = handlers;
  }

  /** The conflict service is running: its commands work from now on. */
  attachConflicts(handlers: ConflictHandlers): void {
    this.conflicts = handlers;
  }

  /** Each command of a group goes to its service once that is attached. */
  private delegate<N extends CommandName>(
    names: N[],
    service: () => Partial<Record<N, unknown>> | undefined,
    what: string,
  ): Pick<CommandHandlers, N> {
    const out: Record<string, (args: unknown, signal: AbortSignal) => Promise<unknown>> = {};
    for (const name of names) {
      out[name] = async (args, signal) => {
        const handler = service()?.[name] as
          ((a: unknown, s: AbortSignal) => Promise<unknown>) | undefined;
        if (!handler)
          throw new ContractError({
            code: 'Unavailable',
            message: `${what} is still starting; try again in a moment.`,
            action: { kind: 'retry' },
          });
        return handler(args, signal);
      };
    }
    return out as unknown as Pick<CommandHandlers, N>;
  }

  /** The engine is running: its commands work from now on. */
  attachEngine(engine: SyncEngine): void {
    this.engine = engine;
  }

  private requireEngine(): SyncEngine {
    if (!this.engine)
      throw new ContractError({
        code: 'Unavailable',
        message: 'The sync engine is still starting; try again in a moment.',
        action: { kind: 'retry' },
      });
    return this.engine;
  }

  setPaused(paused: boolean): AppState {
    if (paused !== this.state.paused) {
      this.engine?.setPaused(paused);
      this.update({
        paused,
        status: paused ? 'paused' : 'idle',
        message: paused ? 'Paused' : 'Up to date',
      });
      this.activity.add('info', paused ? 'Syncing paused' : 'Syncing resumed');
    }
    return this.state;
  }

  async invokeMenu(
    id: TrayActionId,
    signal: AbortSignal = new AbortController().signal,
  ): Promise<{ done: boolean; message?: string }> {
    const conflictAction = CONFLICT_ACTION.exec(id);
    if (conflictAction) {
      const [, conflictId = '', action = ''] = conflictAction;
      if (action === 'compare') {
        this.openView(conflictId);
        return { done: true };
      }
      return this.resolveFromMenu(conflictId, KEEP[action as keyof typeof KEEP], signal);
    }
    switch (id) {
      case 'toggle-pause':
        this.setPaused(!this.state.paused);
        return { done: true };
      case 'open-window':
        this.opts.host.openWindow();
        return { done: true };
      case 'open-folder': {
        const folder = this.state.folders[0];
        if (!folder) return { done: false, message: 'No folder is watched yet.' };
        const error = await this.opts.host.openPath(folder);
        return error ? { done: false, message: error } : { done: true };
      }
      case 'quit':
        this.activity.add('info', 'Quitting');
        // Answer first, so the caller sees the result before the host goes away.
        setTimeout(() => this.opts.host.quit(), 50);
        return { done: true };
      case 'resolve-all':
      case 'open-conflicts':
        this.openView();
        return { done: true };
    }
    return { done: false, message: `The menu has no action "${id}".` };
  }

  /** Shows the Conflicts view (and selects a conflict) the way the host can. */
  openView(conflictId?: string): void {
    const host = this.opts.host;
    if (host.openView) host.openView('conflicts', conflictId);
    else host.openWindow();
  }

  /** Keep mine / theirs / both from the tray: the same command the Conflicts view runs. */
  private async resolveFromMenu(
    id: string,
    keep: 'local' | 'remote' | 'both',
    signal: AbortSignal,
  ): Promise<{ done: boolean; message?: string }> {
    const known = this.conflictList?.find((c) => c.id === id);
    const name = known ? conflictFileName(known) : 'the file';
    try {
      const result = await this.handlers['conflicts.resolve']({ id, keep }, signal);
      const kept =
        keep === 'both'
          ? `Kept both versions of ${name}${result.copy ? `; the other one is ${result.copy}` : ''}.`
          : `Kept ${keep === 'local' ? 'your' : 'their'} version of ${name}.`;
      return { done: true, message: kept };
    } catch (err) {
      const message = `Could not resolve the conflict in ${name}: ${(err as Error).message}`;
      this.activity.add('warn', message);
      return { done: false, message };
    }
  }

  readonly handlers: CommandHandlers = {
    ...this.delegate(
      Object.keys(replicationCommandArgs) as ReplicationCommand[],
      () => this.replication,
      'Replication',
    ),
    ...this.delegate(
      Object.keys(conflictCommandArgs) as ConflictCommand[],
      () => this.conflicts,
      'Conflict detection',
    ),
    'app.getState': async () => this.state,
    'app.setPaused': async ({ paused }) => this.setPaused(paused),
    'activity.list': async ({ limit }) => this.activity.list(limit),
    'settings.get': async () => this.opts.settings.get(),
    'settings.update': async ({ patch }) => {
      const next = this.opts.settings.update(patch);
      if (next.deviceName !== this.state.deviceName) this.update({ deviceName: next.deviceName });
      this.engine?.queue.setConcurrency(next.uploadConcurrency);
      return next;
    },
    'tray.getMenu': async () => this.trayMenu(),
    'tray.invoke': async ({ id }, signal) => this.invokeMenu(id, signal),
    'accounts.list': async () =>
      accountCommands(this.requireEngine(), this.opts.dataDir, this.activity).list(),
    'accounts.addProfile': async (args) =>
      accountCommands(this.requireEngine(), this.opts.dataDir, this.activity).addProfile(args),
    'accounts.addKeys': async (args) =>
      accountCommands(this.requireEngine(), this.opts.dataDir, this.activity).addKeys(args),
    'accounts.remove': async ({ id }) => {
      await accountCommands(this.requireEngine(), this.opts.dataDir, this.activity).remove(id);
      return { removed: true };
    },
    'accounts.setSecret': async (args) =>
      accountCommands(this.requireEngine(), this.opts.dataDir, this.activity).setSecret(args),
    'accounts.test': async (args, signal) =>
      accountCommands(this.requireEngine(), this.opts.dataDir, this.activity).test(args, signal),
    'accounts.listProfiles': async () => listAwsProfiles(),
    'folders.list': async () => this.requireEngine().listFolders(),
    'folders.add': async (args) => this.requireEngine().addFolder(args),
    'folders.enableVersioning': async (args) => {
      await this.requireEngine().enableVersioning(args);
      return { enabled: true };
    },
    'folders.remove': async ({ id }) => {
      this.requireEngine().removeFolder(id);
      return { removed: true };
    },
    'folders.setPaused': async ({ id, paused }) => this.requireEngine().setFolderPaused(id, paused),
    'folders.answerMassDelete': async ({ id, proceed }) =>
      this.requireEngine().answerMassDelete(id, proceed),
    'folders.rescan': async ({ id }) => this.requireEngine().rescan(id),
    'files.list': async (args) => this.requireEngine().listFiles(args),
    'files.importPaths': async ({ folderId, paths }) => ({
      copied: await this.requireEngine().importPaths(folderId, paths),
    }),
  };
}
