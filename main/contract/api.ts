// The seam between renderer and main, whichever way it is carried.
import type { CommandArgs, CommandName, CommandResult } from './commands.js';
import type { EventName, EventPayloads } from './events.js';
import type { EventMessage, ResultMessage } from './wire.js';

/**
 * What crosses the process boundary: exposed by the Electron preload through
 * contextBridge, or implemented over WebSocket in browser mode. Results come back as
 * envelopes, never thrown errors, because Error objects lose their fields crossing
 * contextBridge.
 */
export interface Bridge {
  invoke(id: number, command: CommandName, args: unknown): Promise<ResultMessage>;
  cancel(id: number): void;
  onEvent(listener: (message: EventMessage) => void): () => void;
  /** Desktop only: the local path of a File dropped on the window (webUtils.getPathForFile). */
  pathForFile?(file: unknown): string;
}

export interface InvokeOptions {
  signal?: AbortSignal;
}

/** The one object the renderer's views use. */
export interface ReplicaSyncApi {
  invoke<C extends CommandName>(
    command: C,
    args: CommandArgs<C>,
    options?: InvokeOptions,
  ): Promise<CommandResult<C>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
}

/** Name of the global the Electron preload exposes. */
export const BRIDGE_GLOBAL = 'replicaSyncBridge';
