import { useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../api-instance.js';
import { ReplicaStatusCache } from '../replica-status-cache.js';
import { useReconnectCount } from './use-connection.js';

export interface ReplicaStatus {
  cache: ReplicaStatusCache;
  /** Changes whenever a state changed, so rows are rendered again. */
  version: number;
}

/**
 * The replica states of the Files view's rows: replication.fileStatus for the rows on screen
 * (batched, cached), kept current by 'replication.changed'.
 */
export function useReplicaStatus(): ReplicaStatus {
  const [version, setVersion] = useState(0);
  const reconnects = useReconnectCount();
  const cache = useMemo(
    () =>
      new ReplicaStatusCache({
        fetch: (args, signal) => api.invoke('replication.fileStatus', args, { signal }),
        onChange: () => setVersion((v) => v + 1),
      }),
    [],
  );

  useEffect(() => {
    cache.start();
    return () => cache.stop();
  }, [cache]);
  useEffect(() => api.on('replication.changed', (updates) => cache.merge(updates)), [cache]);

  // Events sent while the connection was down are lost.
  const seenReconnects = useRef(reconnects);
  useEffect(() => {
    if (reconnects === seenReconnects.current) return;
    seenReconnects.current = reconnects;
    cache.refresh();
  }, [reconnects, cache]);

  return { cache, version };
}
