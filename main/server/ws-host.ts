import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  MAX_MESSAGE_BYTES,
  parseClientMessage,
  type ClientMessage,
  type ContractErrorData,
  type ServerMessage,
} from '../contract/index.js';
import type { Dispatcher } from '../core/app/dispatcher.js';
import type { EventHub } from '../core/emitter.js';

/**
 * The largest frame the host reads. The contract keeps every valid message below it
 * (contract/limits.ts); a bigger frame is refused by `ws` itself, which closes that socket
 * with 1009 (message too big) and reports an 'error', logged below.
 */
export const WS_MAX_PAYLOAD = MAX_MESSAGE_BYTES;

/** The contract over WebSocket: the browser-mode twin of the Electron IPC host. */
export class WsHost {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD });
  private nextClient = 1;

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly events: EventHub,
    private readonly log: (line: string) => void,
  ) {
    this.wss.on('error', (err) => this.log(`WebSocket server: ${err.message}`));
  }

  /** Called after the HTTP layer has checked the token and origin. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    try {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.serve(ws));
    } catch (err) {
      this.log(`refused a WebSocket upgrade: ${(err as Error).message}`);
      socket.destroy();
    }
  }

  private serve(ws: WebSocket): void {
    const client = `ws${this.nextClient++}`;
    const send = (msg: ServerMessage) => {
      if (ws.readyState !== ws.OPEN) return;
      let text: string;
      try {
        text = JSON.stringify(msg);
      } catch (err) {
        // A value that cannot be encoded (a BigInt, a cycle) still gets an answer.
        this.log(`${client}: could not encode a ${msg.type}: ${(err as Error).message}`);
        if (msg.type !== 'result') return;
        text = JSON.stringify(refusal(msg.id, 'Internal', 'The answer could not be encoded.'));
      }
      ws.send(text, (err) => {
        if (err) this.log(`${client}: could not send: ${err.message}`);
      });
    };
    // Transport errors (a frame over WS_MAX_PAYLOAD: 1009; invalid UTF-8 in a text frame:
    // 1007; a bad opcode, a reset) end this socket only; `ws` closes it with the code.
    ws.on('error', (err: Error & { code?: string }) =>
      this.log(`${client}: closed on a transport error: ${err.message} (${err.code ?? 'no code'})`),
    );
    const subscription = this.events.subscribe((name, payload) =>
      send({ type: 'event', name, payload }),
    );
    ws.on('message', (data, isBinary) => {
      const parsed = readMessage(data, isBinary);
      if ('refused' in parsed) {
        // Not the protocol: answered once (with its id when it had one), then closed, since
        // nothing the client sends after can be trusted.
        this.log(`rejected a malformed message from ${client}: ${parsed.refused.message}`);
        send(refusal(parsed.id, parsed.refused.code, parsed.refused.message));
        ws.close(1008, 'malformed message');
        return;
      }
      const msg = parsed.message;
      if (msg.type === 'cancel') {
        this.dispatcher.cancel(client, msg.id);
        return;
      }
      this.dispatcher.dispatch(client, msg.id, msg.command, msg.args).then(send, (err: Error) => {
        // dispatch answers every failure itself; this is the net under it.
        this.log(`${client}: ${msg.command} failed outside the dispatcher: ${err.stack ?? err}`);
        send(refusal(msg.id, 'Internal', 'Internal error'));
      });
    });
    ws.on('close', () => {
      subscription.dispose();
      this.dispatcher.cancelAll(client);
    });
  }

  close(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }
}

type Read = { message: ClientMessage } | { id: number; refused: ContractErrorData };

/** One frame as a contract message, or why it is not one (and its id, when it had one). */
function readMessage(data: RawData, isBinary: boolean): Read {
  const bad = (message: string, id = -1): Read => ({
    id,
    refused: { code: 'InvalidArguments', message: `Malformed message: ${message}` },
  });
  if (isBinary) return bad('binary frames are not part of the contract; send JSON text');
  const bytes = Array.isArray(data)
    ? Buffer.concat(data)
    : Buffer.isBuffer(data)
      ? data
      : Buffer.from(data);
  if (bytes.length > MAX_MESSAGE_BYTES)
    return {
      id: -1,
      refused: { code: 'TooLarge', message: `the message is over ${MAX_MESSAGE_BYTES} bytes` },
    };
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return bad('not JSON');
  }
  try {
    return { message: parseClientMessage(value) };
  } catch (err) {
    return bad((err as Error).message.slice(0, 500), idOf(value));
  }
}

function idOf(value: unknown): number {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : -1;
}

function refusal(id: number, code: ContractErrorData['code'], message: string): ServerMessage {
  return { type: 'result', id, ok: false, error: { code, message } };
}
