// Runs sandboxed in the renderer before the page. Exposes only the bridge: no ipcRenderer,
// no node. Bundled to CommonJS because sandboxed preloads cannot be ES modules.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import {
  BRIDGE_GLOBAL,
  IPC_CANCEL,
  IPC_EVENT,
  IPC_INVOKE,
  type Bridge,
  type CancelMessage,
  type EventMessage,
  type InvokeMessage,
  type ResultMessage,
} from '../contract/index.js';

const bridge: Bridge = {
  invoke: (id, command, args) =>
    ipcRenderer.invoke(IPC_INVOKE, {
      type: 'invoke',
      id,
      command,
      args,
    } satisfies InvokeMessage) as Promise<ResultMessage>,
  cancel: (id) => ipcRenderer.send(IPC_CANCEL, { type: 'cancel', id } satisfies CancelMessage),
  onEvent: (listener) => {
    const handler = (_event: Electron.IpcRendererEvent, msg: EventMessage) => listener(msg);
    ipcRenderer.on(IPC_EVENT, handler);
    return () => ipcRenderer.removeListener(IPC_EVENT, handler);
  },
  // Dropped files carry no path in the page since Electron 32; the preload may ask for it.
  pathForFile: (file) => webUtils.getPathForFile(file as File),
};

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);
