import type { MenuModel } from '../../../main/contract/state.js';
import { api } from '../api-instance.js';
import { useLiveValue, type LiveValue } from './use-live-value.js';

const load = (signal: AbortSignal): Promise<MenuModel> =>
  api.invoke('tray.getMenu', {}, { signal });
const subscribe = (listener: (menu: MenuModel) => void): (() => void) =>
  api.on('tray.menu', listener);

/** The tray's menu model from tray.getMenu, kept current by the tray.menu event. */
export function useTrayMenu(): LiveValue<MenuModel> {
  return useLiveValue(load, subscribe);
}
