import { useCallback, useEffect, useState } from 'react';
import type { BucketReplication } from '../../../main/contract/replication.js';
import { api } from '../api-instance.js';
import type { ContractError } from '../contract-error.js';
import { useReconnectCount } from './use-connection.js';
import { asContractError, isCancelled } from './use-live-value.js';

export interface ReplicationBuckets {
  /** Every bucket of the account with its rules; null while loading. */
  value: BucketReplication[] | null;
  error: ContractError | null;
  reload(): void;
  /** Takes a command's fresher answer for one bucket. */
  replace(...buckets: BucketReplication[]): void;
}

function sameBucket(a: BucketReplication, b: BucketReplication): boolean {
  return a.bucket === b.bucket && a.region === b.region;
}

/** replication.buckets for one account; no event announces rule changes, so it reloads. */
export function useReplicationBuckets(accountId: string | null): ReplicationBuckets {
  const [value, setValue] = useState<BucketReplication[] | null>(null);
  const [error, setError] = useState<ContractError | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const reconnects = useReconnectCount();

  useEffect(() => {
    setValue(null);
    setError(null);
  }, [accountId]);

  useEffect(() => {
    if (accountId === null) return;
    const controller = new AbortController();
    api.invoke('replication.buckets', { accountId }, { signal: controller.signal }).then(
      (buckets) => {
        setValue(buckets);
        setError(null);
      },
      (failure: unknown) => {
        if (!isCancelled(failure)) setError(asContractError(failure));
      },
    );
    return () => controller.abort();
  }, [accountId, reloadKey, reconnects]);

  const reload = useCallback(() => setReloadKey((key) => key + 1), []);
  const replace = useCallback((...fresh: BucketReplication[]) => {
    setValue((current) => {
      const list = [...(current ?? [])];
      for (const bucket of fresh) {
        const at = list.findIndex((b) => sameBucket(b, bucket));
        if (at >= 0) list[at] = bucket;
        else list.push(bucket);
      }
      return list;
    });
  }, []);

  return { value, error, reload, replace };
}
