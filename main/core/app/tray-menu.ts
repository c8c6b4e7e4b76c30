import type { AppState, MenuItem, MenuModel } from '../../contract/index.js';

/**
 * The tray menu as data, from the app state alone. Electron turns it into a native menu;
 * browser mode renders it in the page header. Keep it pure: tests assert it directly.
 */
export function buildTrayMenu(state: AppState): MenuModel {
  const items: MenuItem[] = [
    { kind: 'status', id: 'status', label: statusLine(state) },
    { kind: 'separator', id: 'sep-1' },
    {
      kind: 'action',
      id: 'toggle-pause',
      label: state.paused ? 'Resume syncing' : 'Pause syncing',
      enabled: state.status !== 'starting',
    },
    { kind: 'action', id: 'open-window', label: 'Open Replica Sync', enabled: true },
    {
      kind: 'action',
      id: 'open-folder',
      label: state.folders.length > 1 ? 'Open first folder' : 'Open folder',
      enabled: state.folders.length > 0,
    },
    { kind: 'separator', id: 'sep-2' },
    { kind: 'action', id: 'quit', label: 'Quit Replica Sync', enabled: true },
  ];
  return { tooltip: `Replica Sync — ${statusLine(state)}`, icon: iconFor(state), items };
}

function statusLine(state: AppState): string {
  if (state.paused) return 'Paused';
  return state.message;
}

function iconFor(state: AppState): MenuModel['icon'] {
  if (state.status === 'error') return 'error';
  if (state.conflicts > 0) return 'conflict';
  if (state.paused) return 'paused';
  if (state.status === 'syncing') return 'syncing';
  return 'normal';
}
