import { useCallback, useEffect, useRef, useState } from 'react';
import { ContractError } from '../contract-error.js';
import { useReconnectCount } from './use-connection.js';

export interface LiveValue<T> {
  value: T | null;
  error: ContractError | null;
  /** Fetches again, e.g. from a Retry button. */
  reload(): void;
  /** Takes a fresh value from a command's result. */
  replace(value: T): void;
}

export function asContractError(error: unknown): ContractError {
  if (error instanceof ContractError) return error;
  return new ContractError({
    code: 'Internal',
    message: error instanceof Error ? error.message : String(error),
  });
}

export function isCancelled(error: unknown): boolean {
  return error instanceof ContractError && error.code === 'Cancelled';
}

/**
 * A value loaded by a command and kept current by an event. `load` and `subscribe` must
 * be stable (module-level) functions. An event that arrives while the load is in flight
 * wins over the load's older answer.
 */
export function useLiveValue<T>(
  load: (signal: AbortSignal) => Promise<T>,
  subscribe: (listener: (value: T) => void) => () => void,
): LiveValue<T> {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<ContractError | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const reconnects = useReconnectCount();
  const eventCount = useRef(0);

  useEffect(
    () =>
      subscribe((next) => {
        eventCount.current += 1;
        setValue(next);
        setError(null);
      }),
    [subscribe],
  );

  useEffect(() => {
    const controller = new AbortController();
    const eventsAtStart = eventCount.current;
    load(controller.signal).then(
      (result) => {
        if (eventCount.current === eventsAtStart) setValue(result);
        setError(null);
      },
      (failure: unknown) => {
        if (!isCancelled(failure)) setError(asContractError(failure));
      },
    );
    return () => controller.abort();
  }, [load, reloadKey, reconnects]);

  const reload = useCallback(() => setReloadKey((key) => key + 1), []);
  const replace = useCallback((next: T) => {
    eventCount.current += 1;
    setValue(next);
    setError(null);
  }, []);

  return { value, error, reload, replace };
}
