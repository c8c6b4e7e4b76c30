import type {
  AppState,
  ConflictMenuAction,
  ConflictSummary,
  MenuItem,
  MenuModel,
} from '../../contract/index.js';
import { conflictFileName, countConflicts } from './conflict-text.js';

/** How many conflicts the menu lists before "more…". */
export const TRAY_CONFLICT_LIMIT = 10;

const CONFLICT_ACTIONS: { action: ConflictMenuAction; label: string }[] = [
  { action: 'keep-local', label: 'Keep mine' },
  { action: 'keep-remote', label: 'Keep theirs' },
  { action: 'keep-both', label: 'Keep both' },
];

/**
 * The tray menu as data, from the app state and the open conflicts. Electron turns it into a
 * native menu; browser mode renders it in the page header. Keep it pure: tests assert it
 * directly.
 */
export function buildTrayMenu(
  state: AppState,
  conflicts: readonly ConflictSummary[] = [],
  limit = TRAY_CONFLICT_LIMIT,
): MenuModel {
  const count = conflictCount(state, conflicts);
  const items: MenuItem[] = [
    { kind: 'status', id: 'status', label: statusLine(state) },
    ...(state.replicaAlert
      ? [{ kind: 'status' as const, id: 'replica-alert', label: state.replicaAlert }]
      : []),
    { kind: 'separator', id: 'sep-1' },
    ...conflictItems(count, conflicts, limit),
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
  const tooltip =
    count > 0
      ? `Replica Sync — ${statusLine(state)} — ${countConflicts(count)}`
      : `Replica Sync — ${statusLine(state)}`;
  return { tooltip, icon: iconFor(state, count), items };
}

/** The service's list once it has one; until then the engine's count of files in conflict. */
function conflictCount(state: AppState, conflicts: readonly ConflictSummary[]): number {
  return conflicts.length > 0 ? conflicts.length : state.conflicts;
}

function conflictItems(
  count: number,
  conflicts: readonly ConflictSummary[],
  limit: number,
): MenuItem[] {
  if (count === 0) return [];
  const shown = conflicts.slice(0, Math.max(0, limit));
  const hidden = count - shown.length;
  const items: MenuItem[] = [
    { kind: 'status', id: 'conflicts-status', label: countConflicts(count) },
    ...shown.map(conflictSubmenu),
  ];
  if (hidden > 0 && shown.length > 0)
    items.push({
      kind: 'action',
      id: 'open-conflicts',
      label: `${hidden.toLocaleString('en-US')} more…`,
      enabled: true,
    });
  items.push(
    { kind: 'action', id: 'resolve-all', label: 'Resolve all…', enabled: true },
    { kind: 'separator', id: 'sep-conflicts' },
  );
  return items;
}

function conflictSubmenu(conflict: ConflictSummary): MenuItem {
  const prefix = `conflict:${conflict.id}` as const;
  const name = conflictFileName(conflict);
  return {
    kind: 'submenu',
    id: prefix,
    label: conflict.certain ? name : `${name} (possible)`,
    items: [
      { kind: 'status', id: `${prefix}:path`, label: conflict.relPath },
      ...(conflict.certain
        ? []
        : [
            {
              kind: 'status' as const,
              id: `${prefix}:possible`,
              label: 'Possible conflict: versions without lineage',
            },
          ]),
      { kind: 'separator', id: `${prefix}:sep` },
      ...CONFLICT_ACTIONS.map(({ action, label }): MenuItem => ({
        kind: 'action',
        id: `${prefix}:${action}`,
        label,
        enabled: true,
      })),
      { kind: 'action', id: `${prefix}:compare`, label: 'Compare…', enabled: true },
    ],
  };
}

function statusLine(state: AppState): string {
  if (state.paused) return 'Paused';
  return state.message;
}

function iconFor(state: AppState, conflicts: number): MenuModel['icon'] {
  if (state.status === 'error') return 'error';
  if (conflicts > 0) return 'conflict';
  if (state.paused) return 'paused';
  if (state.status === 'syncing') return 'syncing';
  return 'normal';
}
