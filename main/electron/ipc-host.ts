import type { IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import {
  IPC_CANCEL,
  IPC_EVENT,
  IPC_INVOKE,
  parseClientMessage,
  type EventMessage,
  type ResultMessage,
} from '../contract/index.js';
import type { Dispatcher } from '../core/app/dispatcher.js';
import { DisposableStore, toDisposable, type Disposable } from '../core/disposable.js';
import type { EventHub } from '../core/emitter.js';
import type { ElectronDeps } from './electron-deps.js';
import { isTrustedUrl } from './security.js';

/**
 * The only place raw IPC is handled in main. Every message is checked for its sender
 * (our window, our origin, top frame) and its shape before the dispatcher sees it.
 */
export class IpcHost implements Disposable {
  private readonly store = new DisposableStore();
  private readonly windows = new Set<WebContents>();

  constructor(
    private readonly ipcMain: ElectronDeps['ipcMain'],
    private readonly dispatcher: Dispatcher,
    events: EventHub,
    private readonly log: (line: string) => void,
  ) {
    ipcMain.handle(IPC_INVOKE, (event, raw) => this.onInvoke(event, raw));
    ipcMain.on(IPC_CANCEL, (event, raw) => this.onCancel(event, raw));
    this.store.add(
      toDisposable(() => {
        ipcMain.removeHandler(IPC_INVOKE);
        ipcMain.removeAllListeners(IPC_CANCEL);
      }),
    );
    this.store.add(
      events.subscribe((name, payload) => {
        const msg: EventMessage = { type: 'event', name, payload };
        for (const wc of this.windows) if (!wc.isDestroyed()) wc.send(IPC_EVENT, msg);
      }),
    );
  }

  /** Lets a window talk to main; it is forgotten, and its work cancelled, when it goes. */
  attach(contents: WebContents): void {
    this.windows.add(contents);
    contents.once('destroyed', () => {
      this.windows.delete(contents);
      this.dispatcher.cancelAll(clientId(contents));
    });
  }

  isTrustedSender(event: IpcMainEvent | IpcMainInvokeEvent): boolean {
    const frame = event.senderFrame;
    return (
      this.windows.has(event.sender) &&
      frame !== null &&
      frame.parent === null &&
      isTrustedUrl(frame.url)
    );
  }

  private async onInvoke(event: IpcMainInvokeEvent, raw: unknown): Promise<ResultMessage> {
    const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : -1;
    if (!this.isTrustedSender(event)) {
      this.log(
        `refused IPC from an untrusted sender (${event.senderFrame?.url ?? 'unknown frame'})`,
      );
      return {
        type: 'result',
        id,
        ok: false,
        error: { code: 'Forbidden', message: 'Untrusted sender' },
      };
    }
    let msg;
    try {
      msg = parseClientMessage(raw);
    } catch (err) {
      return {
        type: 'result',
        id,
        ok: false,
        error: {
          code: 'InvalidArguments',
          message: `Malformed message: ${(err as Error).message}`,
        },
      };
    }
    if (msg.type !== 'invoke')
      return {
        type: 'result',
        id,
        ok: false,
        error: { code: 'InvalidArguments', message: 'Expected an invoke message' },
      };
    return this.dispatcher.dispatch(clientId(event.sender), msg.id, msg.command, msg.args);
  }

  private onCancel(event: IpcMainEvent, raw: unknown): void {
    if (!this.isTrustedSender(event)) return;
    try {
      const msg = parseClientMessage(raw);
      if (msg.type === 'cancel') this.dispatcher.cancel(clientId(event.sender), msg.id);
    } catch {
      // A malformed cancel is dropped; there is nothing to answer.
    }
  }

  dispose(): void {
    this.store.dispose();
  }
}

function clientId(contents: WebContents): string {
  return `wc${contents.id}`;
}
