import type { AppState } from '../../../main/contract/state.js';
import { api } from '../api-instance.js';
import { useLiveValue, type LiveValue } from './use-live-value.js';

const load = (signal: AbortSignal): Promise<AppState> => api.invoke('app.getState', {}, { signal });
const subscribe = (listener: (state: AppState) => void): (() => void) =>
  api.on('app.state', listener);

/** AppState from app.getState, kept current by the app.state event. */
export function useAppState(): LiveValue<AppState> {
  return useLiveValue(load, subscribe);
}
