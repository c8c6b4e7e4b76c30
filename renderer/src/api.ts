// The core of THE module that talks to main: turns a Bridge (Electron preload or
// WebSocket) into the typed ReplicaSyncApi the views use. No DOM access here, so it runs
// under Node for the unit tests; api-instance.ts picks the bridge in the browser.
import type { Bridge, InvokeOptions, ReplicaSyncApi } from '../../main/contract/api.js';
import type { CommandArgs, CommandName, CommandResult } from '../../main/contract/commands.js';
import type { EventName, EventPayloads } from '../../main/contract/events.js';
import type { EventMessage, ResultMessage } from '../../main/contract/wire.js';
import { ContractError } from './contract-error.js';

export { ContractError } from './contract-error.js';

type AnyListener = (payload: unknown) => void;

function cancelled(command: CommandName): ContractError {
  return new ContractError({ code: 'Cancelled', message: `${command} was cancelled.` });
}

function unavailable(command: CommandName, cause: unknown): ContractError {
  const detail = cause instanceof Error && cause.message ? ` (${cause.message})` : '';
  return new ContractError({
    code: 'Unavailable',
    message: `Could not reach Replica Sync to run ${command}${detail}.`,
    action: { kind: 'retry' },
  });
}

function isResultMessage(value: unknown): value is ResultMessage {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.type === 'result' && typeof v.ok === 'boolean';
}

function reportListenerError(error: unknown): void {
  // A failing view must not stop other listeners from hearing the event.
  console.error('Replica Sync event listener failed:', error);
}

export function createApi(bridge: Bridge): ReplicaSyncApi {
  let nextId = 1;
  const listeners = new Map<EventName, Set<AnyListener>>();
  let detachBridge: (() => void) | null = null;

  function dispatch(message: EventMessage): void {
    if (typeof message !== 'object' || message === null || message.type !== 'event') return;
    const forName = listeners.get(message.name);
    if (!forName) return;
    for (const listener of [...forName]) {
      try {
        listener(message.payload);
      } catch (error) {
        reportListenerError(error);
      }
    }
  }

  function invoke<C extends CommandName>(
    command: C,
    args: CommandArgs<C>,
    options?: InvokeOptions,
  ): Promise<CommandResult<C>> {
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(cancelled(command));
    const id = nextId++;

    return new Promise<CommandResult<C>>((resolve, reject) => {
      let settled = false;
      const onAbort = (): void => {
        if (settled) return;
        settled = true;
        try {
          bridge.cancel(id);
        } catch (error) {
          // The caller has stopped waiting either way; a dead bridge cannot cancel.
          console.error('Replica Sync could not cancel a request:', error);
        }
        reject(cancelled(command));
      };
      const finish = (): boolean => {
        if (settled) return false;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        return true;
      };
      signal?.addEventListener('abort', onAbort, { once: true });

      let pending: Promise<ResultMessage>;
      try {
        pending = bridge.invoke(id, command, args);
      } catch (error) {
        if (finish()) reject(unavailable(command, error));
        return;
      }
      pending.then(
        (message) => {
          if (!finish()) return;
          if (!isResultMessage(message)) {
            reject(
              new ContractError({
                code: 'Internal',
                message: `Replica Sync sent an unreadable answer to ${command}.`,
              }),
            );
          } else if (message.ok) {
            resolve(message.value as CommandResult<C>);
          } else {
            reject(ContractError.from(message.error));
          }
        },
        (error: unknown) => {
          if (finish()) reject(unavailable(command, error));
        },
      );
    });
  }

  function on<E extends EventName>(
    event: E,
    listener: (payload: EventPayloads[E]) => void,
  ): () => void {
    let forName = listeners.get(event);
    if (!forName) {
      forName = new Set();
      listeners.set(event, forName);
    }
    // Wrapped so the same function may be subscribed twice and removed once per call.
    const entry: AnyListener = (payload) => listener(payload as EventPayloads[E]);
    forName.add(entry);
    if (!detachBridge) detachBridge = bridge.onEvent(dispatch);

    let active = true;
    return () => {
      if (!active) return;
      active = false;
      const set = listeners.get(event);
      if (!set) return;
      set.delete(entry);
      if (set.size === 0) listeners.delete(event);
      if (listeners.size === 0 && detachBridge) {
        const detach = detachBridge;
        detachBridge = null;
        detach();
      }
    };
  }

  return { invoke, on };
}
