import type { LocalRegionStatus } from '../../../main/contract/replication.js';
import { api } from '../api-instance.js';
import { useLiveValue, type LiveValue } from './use-live-value.js';

const load = (signal: AbortSignal): Promise<LocalRegionStatus[]> =>
  api.invoke('regions.list', {}, { signal });
const subscribe = (listener: (regions: LocalRegionStatus[]) => void): (() => void) =>
  api.on('regions.changed', listener);

/** The local regions and their outage switches (regions.list, kept by 'regions.changed'). */
export function useLocalRegions(): LiveValue<LocalRegionStatus[]> {
  return useLiveValue(load, subscribe);
}
