import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppController } from '../../main/core/app/app-controller.js';
import { Dispatcher } from '../../main/core/app/dispatcher.js';
import type { SettingsStore } from '../../main/core/settings/settings-store.js';
import { MemorySettingsStore } from '../../main/core/settings/settings-store.js';

function memorySettings(): SettingsStore {
  return new MemorySettingsStore();
}

function setup() {
  const calls: string[] = [];
  const controller = new AppController({
    mode: 'browser',
    version: '1.2.3',
    dataDir: '/tmp/x',
    settings: memorySettings(),
    host: {
      openWindow: () => calls.push('openWindow'),
      openPath: async (p) => (calls.push(`open ${p}`), ''),
      quit: () => calls.push('quit'),
    },
  });
  controller.ready();
  return { controller, calls, dispatcher: new Dispatcher(controller.handlers) };
}

test('a valid command runs and returns a typed result', async () => {
  const { dispatcher } = setup();
  const r = await dispatcher.dispatch('c1', 7, 'app.getState', {});
  assert.equal(r.ok, true);
  assert.equal(r.id, 7);
  if (r.ok) assert.equal((r.value as { version: string }).version, '1.2.3');
});

test('an unknown command is refused and reaches no handler', async () => {
  const { dispatcher } = setup();
  const r = await dispatcher.dispatch('c1', 1, 'fs.deleteEverything', {});
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error.code, 'UnknownCommand');
  const proto = await dispatcher.dispatch('c1', 2, '__proto__', {});
  assert.equal(proto.ok, false);
});

test('malformed arguments are refused with field issues', async () => {
  const { dispatcher, controller } = setup();
  const r = await dispatcher.dispatch('c1', 1, 'app.setPaused', { paused: 'yes' });
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.error.code, 'InvalidArguments');
    assert.equal(r.error.issues?.[0]?.path, 'paused');
  }
  assert.equal(controller.getState().paused, false);
});

test('pause emits state and a new tray menu', async () => {
  const { dispatcher, controller } = setup();
  const seen: string[] = [];
  controller.events.subscribe((name) => seen.push(name));
  const r = await dispatcher.dispatch('c1', 1, 'app.setPaused', { paused: true });
  assert.equal(r.ok && (r.value as { paused: boolean }).paused, true);
  assert.ok(seen.includes('app.state') && seen.includes('tray.menu') && seen.includes('activity'));
});

test('settings updates are validated', async () => {
  const { dispatcher } = setup();
  const bad = await dispatcher.dispatch('c1', 1, 'settings.update', {
    patch: { uploadConcurrency: 99 },
  });
  assert.equal(bad.ok, false);
  const good = await dispatcher.dispatch('c1', 2, 'settings.update', {
    patch: { deviceName: 'Studio' },
  });
  assert.equal(good.ok && (good.value as { deviceName: string }).deviceName, 'Studio');
});

test('cancel aborts the in-flight command of that client only', async () => {
  const { controller } = setup();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const handlers = {
    ...controller.handlers,
    'activity.list': async (_a: unknown, signal: AbortSignal) => {
      await gate;
      assert.equal(signal.aborted, true);
      return [];
    },
  };
  const d = new Dispatcher(handlers as typeof controller.handlers);
  const pending = d.dispatch('c1', 5, 'activity.list', {});
  d.cancel('c2', 5);
  d.cancel('c1', 5);
  release();
  const r = await pending;
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error.code, 'Cancelled');
});

test('tray actions go to the host', async () => {
  const { dispatcher, calls } = setup();
  await dispatcher.dispatch('c1', 1, 'tray.invoke', { id: 'open-window' });
  const folder = await dispatcher.dispatch('c1', 2, 'tray.invoke', { id: 'open-folder' });
  assert.deepEqual(calls, ['openWindow']);
  assert.equal(folder.ok && (folder.value as { done: boolean }).done, false);
});
