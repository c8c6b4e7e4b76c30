import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { FileRow } from '../../../main/contract/sync.js';
import { api } from '../api-instance.js';
import type { ContractError } from '../contract-error.js';
import { queryKey, type FileQuery } from '../file-page-cache.js';
import { FilePager } from '../file-pager.js';
import { useReconnectCount } from './use-connection.js';
import { asContractError, isCancelled } from './use-live-value.js';

export interface FilePages {
  /** Rows in the filter; null until the first page has answered. */
  total: number | null;
  rowAt(index: number): FileRow | undefined;
  /** The loaded row of a rowKey, wherever it is in the list. */
  rowByKey(key: string): FileRow | undefined;
  /** Rows first..last are on screen: fetches their pages when missing, soon when stale. */
  showRange(first: number, last: number): void;
  error: ContractError | null;
  /** Clears the error and fetches the rows on screen again. */
  reload(): void;
  /** Changes whenever a page or a row changed, so rows are rendered again. */
  version: number;
}

/**
 * files.list pages for one filter, fetched as rows come on screen and kept current by
 * 'files.changed'. A new filter starts a new cache and cancels the old requests.
 */
export function useFilePages(query: FileQuery): FilePages {
  const key = queryKey(query);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<ContractError | null>(null);
  const reconnects = useReconnectCount();

  const pager = useMemo(
    () =>
      new FilePager(query, {
        list: (args, signal) => api.invoke('files.list', args, { signal }),
        onChange: () => setVersion((v) => v + 1),
        onError: (failure) => {
          if (!isCancelled(failure)) setError(asContractError(failure));
        },
      }),
    // One pager per filter: the key stands for the query.
    [key],
  );

  useEffect(() => {
    setError(null);
    setVersion((v) => v + 1);
    pager.start();
    return () => pager.stop();
  }, [pager]);

  useEffect(() => api.on('files.changed', (rows) => pager.merge(rows)), [pager]);

  // Events sent while the connection was down are lost: everything may be out of date.
  const seenReconnects = useRef(reconnects);
  useEffect(() => {
    if (reconnects === seenReconnects.current) return;
    seenReconnects.current = reconnects;
    setError(null);
    pager.refresh();
  }, [reconnects, pager]);

  const reload = useCallback(() => {
    setError(null);
    pager.refresh();
  }, [pager]);

  const showRange = useCallback(
    (first: number, last: number) => pager.showRange(first, last),
    [pager],
  );
  const rowAt = useCallback((index: number) => pager.cache.rowAt(index), [pager]);
  const rowByKey = useCallback((key: string) => pager.cache.rowByKey(key), [pager]);

  return { total: pager.cache.total, rowAt, rowByKey, showRange, error, reload, version };
}
