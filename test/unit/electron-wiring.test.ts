import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { IPC_EVENT, IPC_INVOKE, type ResultMessage } from '../../main/contract/index.js';
import { resolveAppUrl } from '../../main/electron/app-protocol.js';
import { startDesktop } from '../../main/electron/desktop-app.js';
import {
  MemorySettingsStore,
  type SettingsStore,
} from '../../main/core/settings/settings-store.js';
import {
  createFakeElectron,
  FakeBrowserWindow,
  FakeTray,
  ipcEvent,
  type FakeWebContents,
} from '../helpers/fake-electron.js';
import { tempDir } from '../helpers/temp-dir.js';

function memorySettings(): SettingsStore {
  return new MemorySettingsStore();
}

function boot() {
  const fake = createFakeElectron();
  const logs: string[] = [];
  const desktop = startDesktop(fake.deps, {
    dataDir: '/tmp/rs-data',
    distDir: '/opt/rs/dist',
    settings: memorySettings(),
    log: (l) => logs.push(l),
  });
  const win = FakeBrowserWindow.created[0];
  assert.ok(win, 'a main window is created at start');
  return { fake, desktop, win, logs };
}

async function invoke(fake: ReturnType<typeof createFakeElectron>, event: unknown, msg: unknown) {
  const handler = fake.ipcMain.handlers.get(IPC_INVOKE);
  assert.ok(handler, 'the IPC host registers the invoke channel');
  return (await (handler as (e: unknown, m: unknown) => Promise<ResultMessage>)(
    event,
    msg,
  )) as ResultMessage;
}

test('the main window is isolated, sandboxed, without node, loaded from app://', () => {
  const { win } = boot();
  const prefs = win.options.webPreferences as Record<string, unknown>;
  assert.equal(prefs.contextIsolation, true);
  assert.equal(prefs.sandbox, true);
  assert.equal(prefs.nodeIntegration, false);
  assert.equal(prefs.nodeIntegrationInSubFrames, false);
  assert.equal(prefs.webviewTag, false);
  assert.equal(prefs.preload, path.join('/opt/rs/dist', 'electron', 'preload.cjs'));
  assert.equal(win.loadedUrl, 'app://replica-sync/index.html');
});

test('navigation away and new windows are blocked; permissions are refused', () => {
  const { win, fake } = boot();
  const wc = win.webContents;
  assert.equal(wc.navigate('will-navigate', 'https://evil.example/'), true);
  assert.equal(wc.navigate('will-redirect', 'file:///etc/passwd'), true);
  assert.equal(wc.navigate('will-navigate', 'app://replica-sync/index.html#/activity'), false);
  assert.deepEqual(wc.openHandler?.({ url: 'https://docs.aws.amazon.com/' }), { action: 'deny' });
  assert.deepEqual(fake.opened, ['https://docs.aws.amazon.com/']);
  assert.deepEqual(wc.openHandler?.({ url: 'javascript:alert(1)' }), { action: 'deny' });
  let granted: boolean | undefined;
  fake.permissionHandler?.(wc, 'notifications', (ok) => (granted = ok));
  assert.equal(granted, false);
});

test('IPC from our window and origin is dispatched; others are refused', async () => {
  const { fake, win, logs } = boot();
  const wc = win.webContents as FakeWebContents;
  const msg = { type: 'invoke', id: 1, command: 'app.getState', args: {} };
  const ok = await invoke(fake, ipcEvent(wc, 'app://replica-sync/index.html'), msg);
  assert.equal(ok.ok, true);

  const foreignOrigin = await invoke(fake, ipcEvent(wc, 'https://evil.example/'), msg);
  assert.equal(!foreignOrigin.ok && foreignOrigin.error.code, 'Forbidden');
  const subFrame = await invoke(fake, ipcEvent(wc, 'app://replica-sync/index.html', false), msg);
  assert.equal(!subFrame.ok && subFrame.error.code, 'Forbidden');
  const otherContents = { id: 999 } as unknown as FakeWebContents;
  const stranger = await invoke(
    fake,
    ipcEvent(otherContents, 'app://replica-sync/index.html'),
    msg,
  );
  assert.equal(!stranger.ok && stranger.error.code, 'Forbidden');
  assert.ok(logs.some((l) => l.includes('untrusted sender')));

  const bad = await invoke(fake, ipcEvent(wc, 'app://replica-sync/'), {
    type: 'invoke',
    id: 2,
    command: 'app.setPaused',
    args: { paused: 1 },
  });
  assert.equal(!bad.ok && bad.error.code, 'InvalidArguments');
  const unknown = await invoke(fake, ipcEvent(wc, 'app://replica-sync/'), {
    type: 'invoke',
    id: 3,
    command: 'shell.exec',
    args: {},
  });
  assert.equal(!unknown.ok && unknown.error.code, 'UnknownCommand');
});

test('events reach the window over the event channel', async () => {
  const { fake, win } = boot();
  const wc = win.webContents as FakeWebContents;
  wc.sent = [];
  await invoke(fake, ipcEvent(wc, 'app://replica-sync/'), {
    type: 'invoke',
    id: 1,
    command: 'app.setPaused',
    args: { paused: true },
  });
  const names = wc.sent
    .filter((s) => s.channel === IPC_EVENT)
    .map((s) => (s.payload as { name: string }).name);
  assert.ok(names.includes('app.state'));
  assert.ok(names.includes('tray.menu'));
});

test('the tray menu is built from state and its clicks act', async () => {
  const { fake, desktop } = boot();
  const tray = FakeTray.created[0];
  assert.ok(tray?.menu);
  const labels = () => tray.menu!.template.map((i) => i.label ?? '-');
  assert.deepEqual(labels(), [
    'Up to date',
    '-',
    'Pause syncing',
    'Open Replica Sync',
    'Open folder',
    '-',
    'Quit Replica Sync',
  ]);
  assert.match(tray.tooltip, /Up to date/);
  const pause = tray.menu!.template.find((i) => i.id === 'toggle-pause') as { click: () => void };
  pause.click();
  await new Promise((r) => setImmediate(r));
  assert.equal(desktop.controller.getState().paused, true);
  assert.ok(labels().includes('Resume syncing'), 'the menu is rebuilt when state changes');
  assert.match(String((tray.image as { path: string }).path), /tray-paused\.png$/);
  const quit = tray.menu!.template.find((i) => i.id === 'quit') as { click: () => void };
  quit.click();
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(fake.quitCalls, 1);
});

test('app:// serves only files inside the renderer folder', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  fs.writeFileSync(path.join(dir, 'index.html'), '<html></html>');
  assert.equal(resolveAppUrl(dir, 'app://replica-sync/'), path.join(dir, 'index.html'));
  assert.equal(
    resolveAppUrl(dir, 'app://replica-sync/assets/a.js'),
    path.join(dir, 'assets', 'a.js'),
  );
  assert.equal(resolveAppUrl(dir, 'app://replica-sync/..%2f..%2fetc/passwd'), undefined);
  assert.equal(resolveAppUrl(dir, 'app://other/index.html'), undefined);
});
