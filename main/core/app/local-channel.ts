// The local channel: the contract for other processes of the same user on this machine
// (the command line), over a Unix domain socket in the data dir or, on Windows, a named
// pipe. It speaks newline-delimited JSON with the envelopes of the contract: one
// InvokeMessage or CancelMessage per line in, one ResultMessage per line out.
//
// It takes no token: the socket is created with mode 0600 inside the user's data dir, so
// the file permissions already limit it to the user who runs the app (on Windows the
// default pipe security does the same: only that user and administrators may connect).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  ContractError,
  MAX_MESSAGE_BYTES,
  parseClientMessage,
  type ErrorCode,
  type CommandArgs,
  type CommandName,
  type CommandResult,
  type ResultMessage,
} from '../../contract/index.js';
import type { Dispatcher } from './dispatcher.js';

/**
 * A line longer than this (no newline yet) is refused (TooLarge) and the connection closed:
 * the contract's limit for every transport, which no valid message reaches.
 */
export const MAX_LINE_BYTES = MAX_MESSAGE_BYTES;
const SOCKET_NAME = 'rs.sock';

/** Where the channel of the instance with this data dir listens. */
export function localChannelPath(
  dataDir: string,
  platform: NodeJS.Platform = process.platform,
): string {
  const dir = path.resolve(dataDir);
  if (platform === 'win32') {
    const hash = createHash('sha256').update(dir).digest('hex').slice(0, 16);
    return `\\\\.\\pipe\\replica-sync-${hash}`;
  }
  return path.join(dir, SOCKET_NAME);
}

export interface LocalChannel {
  readonly path: string;
  /** Stops listening, drops the connected clients and removes the socket file. */
  close(): Promise<void>;
}

export interface LocalChannelOptions {
  dataDir: string;
  dispatcher: Dispatcher;
  log?: (line: string) => void;
}

/** Starts the server side; the data dir must exist (the instance lock creates it). */
export async function startLocalChannel(opts: LocalChannelOptions): Promise<LocalChannel> {
  const where = localChannelPath(opts.dataDir);
  const log = opts.log ?? (() => {});
  const isPipe = process.platform === 'win32';
  if (!isPipe) await removeStaleSocket(where);

  const sockets = new Set<net.Socket>();
  let nextClient = 1;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveConnection(socket, `local${nextClient++}`, opts.dispatcher, log);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(listenFailure(where, err), { cause: err })),
    );
    // The socket file is created inside listen(), synchronously: the umask makes it 0600
    // from the start, so no other user can connect in the moment before the chmod.
    const previous = isPipe ? undefined : process.umask(0o177);
    try {
      server.listen(where, () => resolve());
    } finally {
      if (previous !== undefined) process.umask(previous);
    }
  });
  if (!isPipe) fs.chmodSync(where, 0o600);
  server.on('error', (err) => log(`local channel: ${err.message}`));

  return {
    path: where,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!isPipe) fs.rmSync(where, { force: true });
    },
  };
}

function listenFailure(where: string, err: NodeJS.ErrnoException): string {
  if (err.code === 'EADDRINUSE')
    return `another process already listens on ${where}; quit the other Replica Sync using this data dir`;
  if (err.code === 'EACCES') return `no permission to create ${where}; check the data dir's owner`;
  if (where.length > 100)
    return `cannot listen on ${where} (${err.message}); a socket path must be shorter than about 100 characters, so use a shorter --data-dir`;
  return `cannot listen on ${where}: ${err.message}`;
}

/**
 * A socket file left by a crashed instance is removed. The instance lock already ensures
 * one instance per data dir; if something still answers on the file, it is not stale.
 */
async function removeStaleSocket(where: string): Promise<void> {
  const st = fs.lstatSync(where, { throwIfNoEntry: false });
  if (!st) return;
  if (!st.isSocket())
    throw new Error(`${where} exists and is not a socket; move it away and start again`);
  const answers = await new Promise<boolean>((resolve) => {
    const probe = net.connect(where);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (answers)
    throw new Error(
      `another Replica Sync already answers on ${where}; quit it or use another --data-dir`,
    );
  fs.rmSync(where, { force: true });
}

function serveConnection(
  socket: net.Socket,
  client: string,
  dispatcher: Dispatcher,
  log: (line: string) => void,
): void {
  let buffer = '';
  let closing = false;
  const send = (msg: ResultMessage) => {
    if (socket.destroyed || !socket.writable) return;
    let text: string;
    try {
      text = JSON.stringify(msg);
    } catch (err) {
      // A value that cannot be encoded (a BigInt, a cycle) still gets an answer.
      log(`local channel ${client}: could not encode a result: ${(err as Error).message}`);
      const error = { code: 'Internal' as const, message: 'The answer could not be encoded.' };
      text = JSON.stringify({ type: 'result', id: msg.id, ok: false, error });
    }
    socket.write(`${text}\n`);
  };
  // A line that is not a contract envelope is answered once, then the connection closes:
  // the client is not speaking the protocol and nothing it sends after can be trusted.
  const refuse = (id: number, message: string, code: ErrorCode = 'InvalidArguments') => {
    log(`rejected a malformed message from ${client}: ${message}`);
    closing = true;
    send({ type: 'result', id, ok: false, error: { code, message } });
    socket.end();
  };
  const handleLine = (line: string) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      refuse(-1, 'malformed message: not JSON');
      return;
    }
    let msg;
    try {
      msg = parseClientMessage(value);
    } catch (err) {
      refuse(idOf(value), `malformed message: ${(err as Error).message}`);
      return;
    }
    if (msg.type === 'cancel') {
      dispatcher.cancel(client, msg.id);
      return;
    }
    const { id, command } = msg;
    dispatcher.dispatch(client, id, command, msg.args).then(send, (err: Error) => {
      // dispatch answers every failure itself; this is the net under it.
      log(`local channel ${client}: ${command} failed outside the dispatcher: ${err.stack}`);
      send({
        type: 'result',
        id,
        ok: false,
        error: { code: 'Internal', message: 'Internal error' },
      });
    });
  };

  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    if (closing) return;
    buffer += chunk;
    let nl: number;
    while (!closing && (nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      handleLine(line);
    }
    if (!closing && Buffer.byteLength(buffer) > MAX_LINE_BYTES)
      refuse(-1, `malformed message: a line is longer than ${MAX_LINE_BYTES} bytes`, 'TooLarge');
  });
  socket.on('error', (err) => log(`local channel ${client}: ${err.message}`));
  socket.on('close', () => dispatcher.cancelAll(client));
}

/** The id of a message that failed validation, when it has a usable one; else -1. */
function idOf(value: unknown): number {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 ? id : -1;
}

export interface LocalChannelClient {
  /** Runs a command in the running instance; rejects with a ContractError when it fails. */
  invoke<C extends CommandName>(
    command: C,
    args: CommandArgs<C>,
    options?: { timeoutMs?: number },
  ): Promise<CommandResult<C>>;
  close(): void;
}

/** Why connecting failed: nothing runs there (`not-running`) or something else went wrong. */
export class LocalChannelError extends Error {
  constructor(
    message: string,
    readonly reason: 'not-running' | 'failed',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LocalChannelError';
  }
}

const NOT_RUNNING = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTDIR', 'ECONNRESET']);

/** Connects to the instance running with this data dir, or fails within `timeoutMs`. */
export async function connectLocalChannel(
  dataDir: string,
  options: { timeoutMs?: number } = {},
): Promise<LocalChannelClient> {
  const where = localChannelPath(dataDir);
  const timeoutMs = options.timeoutMs ?? 1000;
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect(where);
    const timer = setTimeout(() => {
      s.destroy();
      reject(new LocalChannelError(`no answer on ${where} within ${timeoutMs} ms`, 'not-running'));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const reason = NOT_RUNNING.has(err.code ?? '') ? 'not-running' : 'failed';
      reject(
        new LocalChannelError(`cannot connect to ${where}: ${err.message}`, reason, { cause: err }),
      );
    });
  });

  let nextId = 1;
  let buffer = '';
  let closedError: Error | undefined;
  const pending = new Map<
    number,
    { resolve: (msg: ResultMessage) => void; reject: (err: Error) => void }
  >();
  const failAll = (err: Error) => {
    closedError ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };

  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.trim() === '') continue;
      let msg: ResultMessage;
      try {
        msg = JSON.parse(line) as ResultMessage;
      } catch {
        failAll(new LocalChannelError(`the running instance sent a malformed line`, 'failed'));
        socket.destroy();
        return;
      }
      if (msg.type !== 'result') continue;
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      p?.resolve(msg);
    }
  });
  socket.on('error', (err) =>
    failAll(new LocalChannelError(err.message, 'failed', { cause: err })),
  );
  socket.on('close', () =>
    failAll(new LocalChannelError('the running instance closed the local channel', 'failed')),
  );

  return {
    async invoke(command, args, invokeOptions = {}) {
      if (closedError) throw closedError;
      const id = nextId++;
      const limit = invokeOptions.timeoutMs ?? 30_000;
      const msg = await new Promise<ResultMessage>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          socket.write(`${JSON.stringify({ type: 'cancel', id })}\n`);
          reject(new LocalChannelError(`${command} got no answer within ${limit} ms`, 'failed'));
        }, limit);
        pending.set(id, {
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        socket.write(`${JSON.stringify({ type: 'invoke', id, command, args })}\n`);
      });
      if (!msg.ok) throw ContractError.from(msg.error);
      return msg.value as CommandResult<typeof command>;
    },
    close() {
      closedError ??= new LocalChannelError('the local channel client is closed', 'failed');
      socket.end();
    },
  };
}
