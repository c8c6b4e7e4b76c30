import type { ConflictSummary } from '../../../main/contract/conflicts.js';
import { api } from '../api-instance.js';
import { useLiveValue, type LiveValue } from './use-live-value.js';

const load = (signal: AbortSignal): Promise<ConflictSummary[]> =>
  api.invoke('conflicts.list', {}, { signal });
const subscribe = (listener: (list: ConflictSummary[]) => void): (() => void) =>
  api.on('conflicts.changed', listener);

/** The open conflicts from conflicts.list, kept current by 'conflicts.changed' (the full list). */
export function useConflicts(): LiveValue<ConflictSummary[]> {
  return useLiveValue(load, subscribe);
}
