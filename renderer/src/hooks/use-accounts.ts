import type { AccountSummary } from '../../../main/contract/sync.js';
import { api } from '../api-instance.js';
import { useLiveValue, type LiveValue } from './use-live-value.js';

const load = (signal: AbortSignal): Promise<AccountSummary[]> =>
  api.invoke('accounts.list', {}, { signal });
// No event announces account changes; the list is read again on reconnect or reload().
const subscribe = (): (() => void) => () => undefined;

/** The accounts a folder can use, from accounts.list. */
export function useAccounts(): LiveValue<AccountSummary[]> {
  return useLiveValue(load, subscribe);
}
