// The browser's WebSocket as the Transport the WebSocket bridge drives.
import type { Connect } from './ws-bridge.js';

export const connectWebSocket: Connect = (url, handlers) => {
  const socket = new WebSocket(url);
  socket.addEventListener('open', () => handlers.onOpen());
  socket.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (typeof event.data === 'string') handlers.onMessage(event.data);
  });
  // An 'error' is always followed by 'close', which is where the bridge reacts.
  socket.addEventListener('close', () => handlers.onClose());
  return {
    send: (text) => socket.send(text),
    close: () => socket.close(1000, 'closing'),
  };
};
