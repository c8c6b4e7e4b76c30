import { useCallback, useEffect, useState } from 'react';
import type { ActivityEntry } from '../../../main/contract/state.js';
import { api } from '../api-instance.js';
import type { ContractError } from '../contract-error.js';
import { useReconnectCount } from './use-connection.js';
import { asContractError, isCancelled } from './use-live-value.js';

export const ACTIVITY_LIMIT = 200;

function newestFirst(a: ActivityEntry, b: ActivityEntry): number {
  const byTime = Date.parse(b.time) - Date.parse(a.time);
  return Number.isNaN(byTime) || byTime === 0 ? b.id - a.id : byTime;
}

/** Merges entries by id (a live event may also be in the listed page), newest first. */
export function mergeActivity(
  current: readonly ActivityEntry[],
  incoming: readonly ActivityEntry[],
): ActivityEntry[] {
  const byId = new Map<number, ActivityEntry>();
  for (const entry of current) byId.set(entry.id, entry);
  for (const entry of incoming) byId.set(entry.id, entry);
  return [...byId.values()].sort(newestFirst).slice(0, ACTIVITY_LIMIT);
}

export interface Activity {
  entries: ActivityEntry[] | null;
  error: ContractError | null;
  reload(): void;
}

/** The latest activity (activity.list) plus live `activity` events. */
export function useActivity(): Activity {
  const [entries, setEntries] = useState<ActivityEntry[] | null>(null);
  const [error, setError] = useState<ContractError | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const reconnects = useReconnectCount();

  useEffect(
    () =>
      api.on('activity', (entry) => {
        setEntries((current) => mergeActivity(current ?? [], [entry]));
      }),
    [],
  );

  useEffect(() => {
    const controller = new AbortController();
    api.invoke('activity.list', { limit: ACTIVITY_LIMIT }, { signal: controller.signal }).then(
      (listed) => {
        setEntries((current) => mergeActivity(current ?? [], listed));
        setError(null);
      },
      (failure: unknown) => {
        if (!isCancelled(failure)) setError(asContractError(failure));
      },
    );
    return () => controller.abort();
  }, [reloadKey, reconnects]);

  const reload = useCallback(() => setReloadKey((key) => key + 1), []);
  return { entries, error, reload };
}
