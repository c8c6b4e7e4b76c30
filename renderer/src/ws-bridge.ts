// The Bridge of browser mode: the contract's wire messages as JSON over one WebSocket.
// Invokes made while (re)connecting are queued; when the socket closes every pending
// invoke fails with 'Unavailable' (it may or may not have run) and the bridge reconnects
// with exponential backoff. The socket itself is injected (see websocket-transport.ts),
// so this file has no DOM dependency and is tested under Node.
import type { Bridge } from '../../main/contract/api.js';
import type { CommandName } from '../../main/contract/commands.js';
import type {
  ClientMessage,
  EventMessage,
  InvokeMessage,
  ResultMessage,
} from '../../main/contract/wire.js';
import { MESSAGE_MAX_BYTES, overMessageLimit } from './request-batches.js';

export type ConnectionStatus = 'connecting' | 'open' | 'retrying' | 'stopped';

export interface Transport {
  send(text: string): void;
  close(): void;
}

export interface TransportHandlers {
  onOpen(): void;
  onMessage(text: string): void;
  onClose(): void;
}

/**
 * Opens a socket to url. Handlers are called asynchronously, after connect returned;
 * exactly one onClose follows every attempt, also when opening fails.
 */
export type Connect = (url: string, handlers: TransportHandlers) => Transport;

export interface WsBridgeOptions {
  /** Evaluated for every attempt, so a changed token is picked up. */
  url: () => string;
  connect: Connect;
  /** First retry delay; doubles per failed attempt up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export interface WsBridge extends Bridge {
  readonly status: ConnectionStatus;
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
  /** Skips the remaining backoff wait, e.g. when the network comes back. */
  reconnect(): void;
  /** Closes for good; pending and later invokes fail with 'Unavailable'. */
  stop(): void;
}

interface Pending {
  command: CommandName;
  resolve: (message: ResultMessage) => void;
  sent: boolean;
}

function failure(
  id: number,
  code: 'Unavailable' | 'Cancelled' | 'Internal' | 'TooLarge',
  message: string,
): ResultMessage {
  return {
    type: 'result',
    id,
    ok: false,
    error:
      code === 'Unavailable' ? { code, message, action: { kind: 'retry' } } : { code, message },
  };
}

function parseServerMessage(text: string): ResultMessage | EventMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (v.type === 'result' && typeof v.id === 'number' && typeof v.ok === 'boolean') {
    return value as ResultMessage;
  }
  if (v.type === 'event' && typeof v.name === 'string') return value as EventMessage;
  return null;
}

export function createWsBridge(options: WsBridgeOptions): WsBridge {
  const initialDelay = options.initialDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 10_000;

  let status: ConnectionStatus = 'connecting';
  let transport: Transport | null = null;
  let open = false;
  let stopped = false;
  let failedAttempts = 0;
  /** Bumped per connection attempt, so callbacks of an abandoned socket are ignored. */
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;

  const pending = new Map<number, Pending>();
  const queue: InvokeMessage[] = [];
  const eventListeners = new Set<(message: EventMessage) => void>();
  const statusListeners = new Set<(status: ConnectionStatus) => void>();

  function setStatus(next: ConnectionStatus): void {
    if (next === status) return;
    status = next;
    for (const listener of [...statusListeners]) listener(next);
  }

  function settle(id: number, message: ResultMessage): void {
    const entry = pending.get(id);
    if (!entry) return;
    pending.delete(id);
    entry.resolve(message);
  }

  function send(message: ClientMessage): boolean {
    if (!transport || !open) return false;
    try {
      transport.send(JSON.stringify(message));
      return true;
    } catch {
      return false;
    }
  }

  function flushQueue(): void {
    while (open && queue.length > 0) {
      const message = queue.shift() as InvokeMessage;
      const entry = pending.get(message.id);
      if (!entry) continue;
      if (send(message)) {
        entry.sent = true;
      } else {
        settle(message.id, lost(message.id, entry.command));
      }
    }
  }

  function lost(id: number, command: CommandName): ResultMessage {
    return failure(
      id,
      'Unavailable',
      `The connection to Replica Sync closed before ${command} finished; it may not have run.`,
    );
  }

  function failAllPending(): void {
    queue.length = 0;
    for (const [id, entry] of [...pending]) settle(id, lost(id, entry.command));
  }

  function connectNow(): void {
    if (stopped || transport) return;
    if (retryTimer !== null) {
      clearTimeout(retryTimer);
      retryTimer = null;
    }
    if (failedAttempts === 0) setStatus('connecting');
    const mine = ++attempt;
    let closed = false;
    const live = (): boolean => !closed && mine === attempt && !stopped;

    const handlers: TransportHandlers = {
      onOpen() {
        if (!live()) return;
        open = true;
        failedAttempts = 0;
        setStatus('open');
        flushQueue();
      },
      onMessage(text) {
        if (!live()) return;
        const message = parseServerMessage(text);
        if (!message) return;
        if (message.type === 'result') {
          settle(message.id, message);
          return;
        }
        for (const listener of [...eventListeners]) {
          try {
            listener(message);
          } catch (error) {
            console.error('Replica Sync event listener failed:', error);
          }
        }
      },
      onClose() {
        if (!live()) return;
        closed = true;
        lostConnection();
      },
    };

    try {
      const opened = options.connect(options.url(), handlers);
      if (live()) transport = opened;
    } catch {
      // e.g. a malformed URL: treated like a connection that closed at once.
      if (live()) {
        closed = true;
        lostConnection();
      }
    }
  }

  function lostConnection(): void {
    transport = null;
    open = false;
    failAllPending();
    failedAttempts += 1;
    setStatus('retrying');
    scheduleRetry();
  }

  function scheduleRetry(): void {
    if (stopped || retryTimer !== null) return;
    const base = Math.min(maxDelay, initialDelay * 2 ** Math.max(0, failedAttempts - 1));
    // Jitter, so many tabs do not hammer a restarting server in lockstep.
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connectNow();
    }, delay);
  }

  const bridge: WsBridge = {
    get status() {
      return status;
    },

    invoke(id, command, args) {
      return new Promise<ResultMessage>((resolve) => {
        if (stopped) {
          resolve(failure(id, 'Unavailable', 'Replica Sync is not connected.'));
          return;
        }
        if (pending.has(id)) {
          resolve(failure(id, 'Internal', `Request id ${id} is already in use.`));
          return;
        }
        const message: InvokeMessage = { type: 'invoke', id, command, args };
        // The server would close the socket on it (1009), failing every other pending invoke.
        let text = '';
        try {
          text = JSON.stringify(message);
        } catch {
          // Not encodable (a cycle, a BigInt): send() says so as it always did.
        }
        if (overMessageLimit(text)) {
          resolve(
            failure(
              id,
              'TooLarge',
              `${command} is larger than the ${MESSAGE_MAX_BYTES / 1024 / 1024} MiB a message may be: send fewer items at once.`,
            ),
          );
          return;
        }
        const entry: Pending = { command, resolve, sent: false };
        pending.set(id, entry);
        if (open) {
          if (send(message)) entry.sent = true;
          else settle(id, lost(id, command));
          return;
        }
        queue.push(message);
        // An invoke during the backoff wait tries at once instead of waiting it out.
        if (!transport) connectNow();
      });
    },

    cancel(id) {
      const entry = pending.get(id);
      if (!entry) return;
      if (entry.sent) {
        send({ type: 'cancel', id });
      } else {
        const index = queue.findIndex((message) => message.id === id);
        if (index >= 0) queue.splice(index, 1);
      }
      // Settled here so nothing waits on the server's answer; a later result is ignored.
      settle(id, failure(id, 'Cancelled', `${entry.command} was cancelled.`));
    },

    onEvent(listener) {
      eventListeners.add(listener);
      return () => {
        eventListeners.delete(listener);
      };
    },

    onStatus(listener) {
      statusListeners.add(listener);
      return () => {
        statusListeners.delete(listener);
      };
    },

    reconnect() {
      if (!stopped && !transport) connectNow();
    },

    stop() {
      if (stopped) return;
      stopped = true;
      if (retryTimer !== null) {
        clearTimeout(retryTimer);
        retryTimer = null;
      }
      const closing = transport;
      attempt += 1;
      transport = null;
      open = false;
      failAllPending();
      setStatus('stopped');
      closing?.close();
    },
  };

  connectNow();
  return bridge;
}
