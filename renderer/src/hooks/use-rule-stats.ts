import { useCallback, useEffect, useState } from 'react';
import type { RuleStats } from '../../../main/contract/replication.js';
import { api } from '../api-instance.js';
import type { ContractError } from '../contract-error.js';
import { useReconnectCount } from './use-connection.js';
import { asContractError, isCancelled } from './use-live-value.js';

/** Replica changes come in bursts; the counts are read again at most this often. */
export const STATS_REFRESH_MS = 3000;

export interface RuleStatsValue {
  value: RuleStats[] | null;
  error: ContractError | null;
  reload(): void;
}

/** replication.ruleStats of one bucket, read again (throttled) as replica states change. */
export function useRuleStats(accountId: string, bucket: string, region: string): RuleStatsValue {
  const [value, setValue] = useState<RuleStats[] | null>(null);
  const [error, setError] = useState<ContractError | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const reconnects = useReconnectCount();

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = api.on('replication.changed', () => {
      if (timer !== null) return;
      timer = setTimeout(() => {
        timer = null;
        setReloadKey((key) => key + 1);
      }, STATS_REFRESH_MS);
    });
    return () => {
      off();
      if (timer !== null) clearTimeout(timer);
    };
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    api
      .invoke('replication.ruleStats', { accountId, bucket, region }, { signal: controller.signal })
      .then(
        (stats) => {
          setValue(stats);
          setError(null);
        },
        (failure: unknown) => {
          if (!isCancelled(failure)) setError(asContractError(failure));
        },
      );
    return () => controller.abort();
  }, [accountId, bucket, region, reloadKey, reconnects]);

  const reload = useCallback(() => setReloadKey((key) => key + 1), []);
  return { value, error, reload };
}
