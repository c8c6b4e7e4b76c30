import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AppState, ConflictSummary } from '../../main/contract/index.js';
import { buildTrayMenu } from '../../main/core/app/tray-menu.js';

const base: AppState = {
  status: 'idle',
  message: 'Up to date',
  paused: false,
  mode: 'desktop',
  version: '1.0.0',
  deviceName: 'box',
  dataDir: '/d',
  folders: [],
  conflicts: 0,
  localRegions: [],
};

const labels = (s: AppState) =>
  buildTrayMenu(s).items.map((i) =>
    i.kind === 'separator'
      ? '-'
      : `${i.label}${i.kind === 'action' && !i.enabled ? ' (disabled)' : ''}`,
  );

test('idle state: status line, pause, open window, open folder disabled, quit', () => {
  assert.deepEqual(labels(base), [
    'Up to date',
    '-',
    'Pause syncing',
    'Open Replica Sync',
    'Open folder (disabled)',
    '-',
    'Quit Replica Sync',
  ]);
  assert.equal(buildTrayMenu(base).icon, 'normal');
});

test('paused state offers resume and shows the paused icon', () => {
  const m = buildTrayMenu({ ...base, paused: true, status: 'paused' });
  assert.equal(m.items[0]?.kind === 'status' && m.items[0].label, 'Paused');
  assert.ok(labels({ ...base, paused: true }).includes('Resume syncing'));
  assert.equal(m.icon, 'paused');
  assert.match(m.tooltip, /Paused/);
});

test('a watched folder enables open folder; errors and conflicts pick the icon', () => {
  assert.ok(labels({ ...base, folders: ['/home/a/Replica Sync'] }).includes('Open folder'));
  assert.equal(
    buildTrayMenu({ ...base, status: 'error', message: 'Bucket missing' }).icon,
    'error',
  );
  assert.equal(buildTrayMenu({ ...base, conflicts: 2 }).icon, 'conflict');
  assert.equal(
    buildTrayMenu({ ...base, status: 'starting' }).items[2]?.kind === 'action' &&
      (buildTrayMenu({ ...base, status: 'starting' }).items[2] as { enabled: boolean }).enabled,
    false,
  );
});

function conflict(id: string, relPath: string, certain = true): ConflictSummary {
  const side = {
    versionId: `v-${id}`,
    device: 'dev-2',
    deviceName: 'laptop',
    region: 'eu-west-1',
    bucket: 'b',
    size: 3,
    lastModified: '2025-01-02T03:04:05.000Z',
    sha256: null,
    isCurrent: true,
    isLocal: false,
    isMine: false,
  };
  return {
    id,
    folderId: 'f1',
    relPath,
    key: relPath,
    kind: certain ? 'local-remote' : 'possible',
    certain,
    sides: [{ ...side, versionId: null, isLocal: true, isMine: true, region: null }, side],
    base: null,
    foundAt: '2025-01-02T03:04:06.000Z',
  };
}

test('conflicts: a count line, one submenu each with the four actions, resolve all', () => {
  const list = [conflict('c1', 'docs/report.txt'), conflict('c2', 'b.png', false)];
  const m = buildTrayMenu({ ...base, conflicts: 2 }, list);
  const top = m.items.map((i) => (i.kind === 'separator' ? '-' : i.label));
  assert.deepEqual(top, [
    'Up to date',
    '-',
    '2 conflicts',
    'report.txt',
    'b.png (possible)',
    'Resolve all…',
    '-',
    'Pause syncing',
    'Open Replica Sync',
    'Open folder',
    '-',
    'Quit Replica Sync',
  ]);
  assert.equal(m.icon, 'conflict');
  assert.match(m.tooltip, /2 conflicts/);
  const sub = m.items.find((i) => i.kind === 'submenu' && i.id === 'conflict:c1');
  assert.ok(sub && sub.kind === 'submenu');
  const actions = sub.items.flatMap((i) => (i.kind === 'action' ? [[i.id, i.label]] : []));
  assert.deepEqual(actions, [
    ['conflict:c1:keep-local', 'Keep mine'],
    ['conflict:c1:keep-remote', 'Keep theirs'],
    ['conflict:c1:keep-both', 'Keep both'],
    ['conflict:c1:compare', 'Compare…'],
  ]);
  assert.ok(sub.items.some((i) => i.kind === 'status' && i.label === 'docs/report.txt'));
  const resolveAll = m.items.find((i) => i.kind === 'action' && i.id === 'resolve-all');
  assert.ok(resolveAll);
});

test('past the limit the menu says how many more and opens the Conflicts view', () => {
  const list = Array.from({ length: 13 }, (_, n) => conflict(`c${n}`, `f${n}.txt`));
  const m = buildTrayMenu({ ...base, conflicts: 13 }, list, 10);
  assert.equal(m.items.filter((i) => i.kind === 'submenu').length, 10);
  const more = m.items.find((i) => i.kind === 'action' && i.id === 'open-conflicts');
  assert.equal(more?.kind === 'action' && more.label, '3 more…');
  assert.equal(m.items[2]?.kind === 'status' && m.items[2].label, '13 conflicts');
  const ids = m.items.flatMap((i) =>
    i.kind === 'submenu' ? [i.id, ...i.items.map((s) => s.id)] : [i.id],
  );
  assert.equal(new Set(ids).size, ids.length, 'every menu item id is unique');
});

test('before the conflict service reports, the engine count still shows', () => {
  const m = buildTrayMenu({ ...base, conflicts: 1 });
  assert.deepEqual(
    m.items.slice(2, 4).map((i) => (i.kind === 'separator' ? '-' : i.label)),
    ['1 conflict', 'Resolve all…'],
  );
  assert.match(m.tooltip, /1 conflict$/);
});
