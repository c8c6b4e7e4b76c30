import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AppState } from '../../main/contract/index.js';
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
