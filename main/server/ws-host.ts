import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseClientMessage, type ServerMessage } from '../contract/index.js';
import type { Dispatcher } from '../core/app/dispatcher.js';
import type { EventHub } from '../core/emitter.js';

const MAX_MESSAGE_BYTES = 1024 * 1024;

/** The contract over WebSocket: the browser-mode twin of the Electron IPC host. */
export class WsHost {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  private nextClient = 1;

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly events: EventHub,
    private readonly log: (line: string) => void,
  ) {}

  /** Called after the HTTP layer has checked the token and origin. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.serve(ws));
  }

  private serve(ws: WebSocket): void {
    const client = `ws${this.nextClient++}`;
    const send = (msg: ServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    const subscription = this.events.subscribe((name, payload) =>
      send({ type: 'event', name, payload }),
    );
    ws.on('message', async (data, isBinary) => {
      let msg;
      try {
        if (isBinary) throw new Error('binary frames are not part of the contract');
        msg = parseClientMessage(JSON.parse(data.toString()));
      } catch (err) {
        this.log(`rejected a malformed message from ${client}: ${(err as Error).message}`);
        ws.close(1008, 'malformed message');
        return;
      }
      if (msg.type === 'cancel') {
        this.dispatcher.cancel(client, msg.id);
        return;
      }
      send(await this.dispatcher.dispatch(client, msg.id, msg.command, msg.args));
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
