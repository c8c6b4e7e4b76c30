// Picks the bridge once, at start: the Electron preload's `window.replicaSyncBridge`
// (desktop) or else a WebSocket to the browser-mode server that served this page.
// Views import `api`, `mode`, `connection` and `dropCopier` from here and nothing else talks
// to main.
import type { BRIDGE_GLOBAL, Bridge, ReplicaSyncApi } from '../../main/contract/api.js';
import type { AppMode } from '../../main/contract/state.js';
import { createApi } from './api.js';
import { createPathDropCopier, createUploadDropCopier, type DropCopier } from './drop-copier.js';
import { takeSessionToken, webSocketUrl } from './session-token.js';
import { connectWebSocket } from './websocket-transport.js';
import { createWsBridge, type ConnectionStatus } from './ws-bridge.js';

export type { ConnectionStatus } from './ws-bridge.js';

declare global {
  interface Window {
    /** Exposed by the Electron preload through contextBridge (BRIDGE_GLOBAL). */
    readonly replicaSyncBridge?: Bridge;
  }
}

// Typed against the contract's constant, so a rename there fails to compile here.
const BRIDGE_KEY: typeof BRIDGE_GLOBAL = 'replicaSyncBridge';

export interface Connection {
  readonly status: ConnectionStatus;
  subscribe(listener: (status: ConnectionStatus) => void): () => void;
}

function isBridge(value: unknown): value is Bridge {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.invoke === 'function' &&
    typeof v.cancel === 'function' &&
    typeof v.onEvent === 'function'
  );
}

interface Picked {
  api: ReplicaSyncApi;
  mode: AppMode;
  connection: Connection;
  dropCopier: DropCopier;
}

function pick(): Picked {
  const exposed: unknown = window[BRIDGE_KEY];
  if (isBridge(exposed)) {
    const api = createApi(exposed);
    const pathForFile = (file: File): string => exposed.pathForFile?.(file) ?? '';
    return {
      api,
      mode: 'desktop',
      dropCopier: createPathDropCopier(api, pathForFile),
      // IPC to the own process does not drop; the window lives and dies with main.
      connection: { status: 'open', subscribe: () => () => undefined },
    };
  }

  const token = takeSessionToken();
  const bridge = createWsBridge({ url: () => webSocketUrl(token), connect: connectWebSocket });
  window.addEventListener('online', () => bridge.reconnect());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') bridge.reconnect();
  });
  return {
    api: createApi(bridge),
    mode: 'browser',
    dropCopier: createUploadDropCopier(),
    connection: {
      get status() {
        return bridge.status;
      },
      subscribe: (listener) => bridge.onStatus(listener),
    },
  };
}

const picked = pick();

export const api: ReplicaSyncApi = picked.api;
export const mode: AppMode = picked.mode;
export const connection: Connection = picked.connection;
/** Copies files dropped on the window into a watched folder, the way this mode can. */
export const dropCopier: DropCopier = picked.dropCopier;
