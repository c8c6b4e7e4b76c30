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
    // Whatever a window sends, the invoke channel answers with a typed result and the cancel
    // channel returns quietly: nothing a renderer does may throw into Electron's IPC.
    ipcMain.handle(IPC_INVOKE, (event, raw) =>
      this.onInvoke(event, raw).catch((err: unknown) => {
        this.log(`IPC invoke failed outside the dispatcher: ${describe(err)}`);
        const error = { code: 'Internal' as const, message: 'Internal error' };
        return { type: 'result' as const, id: idOf(raw), ok: false as const, error };
      }),
    );
    ipcMain.on(IPC_CANCEL, (event, raw) => {
      try {
        this.onCancel(event, raw);
      } catch (err) {
        this.log(`IPC cancel failed: ${describe(err)}`);
      }
    });
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
    const frame = event?.senderFrame;
    return (
      this.windows.has(event.sender) &&
      frame !== null &&
      frame.parent === null &&
      isTrustedUrl(frame.url)
    );
  }

  private async onInvoke(event: IpcMainInvokeEvent, raw: unknown): Promise<ResultMessage> {
    const id = idOf(raw);
    if (!this.isTrustedSender(event)) {
      this.log(
        `refused IPC from an untrusted sender (${event?.senderFrame?.url ?? 'unknown frame'})`,
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

/** The id of a raw message when it has a usable one; else -1. */
function idOf(raw: unknown): number {
  try {
    const id = (raw as { id?: unknown } | null | undefined)?.id;
    return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : -1;
  } catch {
    return -1; // a getter that throws: structured clone cannot make one, but nothing is trusted
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
