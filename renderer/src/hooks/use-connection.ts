import { useSyncExternalStore } from 'react';
import { connection, type ConnectionStatus } from '../api-instance.js';

// Counts reconnections (an 'open' after a lost connection), so data can be fetched again:
// events sent while the socket was down are gone. The first open needs no refetch because
// invokes made while connecting were queued and sent when it opened.
let reconnects = 0;
let last: ConnectionStatus = connection.status;
const listeners = new Set<() => void>();

connection.subscribe((status) => {
  if (status === 'open' && last === 'retrying') reconnects += 1;
  last = status;
  for (const listener of [...listeners]) listener();
});

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

export function useConnectionStatus(): ConnectionStatus {
  return useSyncExternalStore(subscribe, () => connection.status);
}

export function useReconnectCount(): number {
  return useSyncExternalStore(subscribe, () => reconnects);
}
