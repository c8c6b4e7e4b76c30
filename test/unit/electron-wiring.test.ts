import assert from 'node:assert/strict';
import { rtcNotice } from '../../main/core/replication/rtc-notice.js';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  conflictCommandArgs,
  IPC_EVENT,
  IPC_INVOKE,
  type ConflictSummary,
  type ResultMessage,
} from '../../main/contract/index.js';
import type { ConflictHandlers } from '../../main/core/app/app-controller.js';
import { resolveAppUrl } from '../../main/electron/app-protocol.js';
import { startDesktop } from '../../main/electron/desktop-app.js';
import {
  MemorySettingsStore,
  type SettingsStore,
} from '../../main/core/settings/settings-store.js';
import {
  createFakeElectron,
  FakeBrowserWindow,
  FakeNotification,
  FakeTray,
  ipcEvent,
  type FakeWebContents,
} from '../helpers/fake-electron.js';
import { tempDir } from '../helpers/temp-dir.js';

function memorySettings(): SettingsStore {
  return new MemorySettingsStore();
}

function boot(dataDir = '/tmp/rs-data') {
  const fake = createFakeElectron();
  const logs: string[] = [];
  const desktop = startDesktop(fake.deps, {
    dataDir,
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

function conflict(id: string, relPath: string): ConflictSummary {
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
    kind: 'local-remote',
    certain: true,
    sides: [{ ...side, versionId: null, isLocal: true, isMine: true, region: null }, side],
    base: null,
    foundAt: '2025-01-02T03:04:06.000Z',
  };
}

/** Conflict handlers that record conflicts.resolve and refuse the rest. */
function recordingConflicts(calls: unknown[]): ConflictHandlers {
  const handlers: Record<string, unknown> = {};
  for (const name of Object.keys(conflictCommandArgs))
    handlers[name] = async () => {
      throw new Error(`${name} is not part of this test`);
    };
  handlers['conflicts.resolve'] = async (args: unknown) => {
    calls.push(args);
    return { resolved: true, versionId: 'v-new', copy: null };
  };
  return handlers as ConflictHandlers;
}

type TemplateItem = { id?: string; label?: string; submenu?: TemplateItem[]; click?: () => void };
type Template = TemplateItem[];

test('the tray lists conflicts in submenus; Keep mine resolves through the handler', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const { desktop, win } = boot(dir);
  const calls: unknown[] = [];
  desktop.controller.attachConflicts(recordingConflicts(calls));
  desktop.controller.setConflicts([conflict('c1', 'docs/report.txt')]);

  const tray = FakeTray.created[0];
  const template = tray?.menu?.template as Template;
  assert.match(tray!.tooltip, /1 conflict/);
  assert.match(String((tray!.image as { path: string }).path), /tray-conflict\.png$/);
  assert.equal(desktop.controller.getState().conflicts, 1);
  const sub = template.find((i) => i.id === 'conflict:c1');
  assert.equal(sub?.label, 'report.txt');
  assert.deepEqual(
    sub?.submenu?.filter((i) => i.click).map((i) => i.label),
    ['Keep mine', 'Keep theirs', 'Keep both', 'Compare…'],
  );
  sub?.submenu?.find((i) => i.id === 'conflict:c1:keep-local')?.click?.();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(calls, [{ id: 'c1', keep: 'local' }]);

  const wc = win.webContents as FakeWebContents;
  wc.sent = [];
  sub?.submenu?.find((i) => i.id === 'conflict:c1:compare')?.click?.();
  const navigations = wc.sent
    .filter(
      (s) => s.channel === IPC_EVENT && (s.payload as { name: string }).name === 'app.navigate',
    )
    .map((s) => (s.payload as { payload: unknown }).payload);
  assert.deepEqual(navigations, [{ view: 'conflicts', conflictId: 'c1' }]);
  assert.equal(win.shown, true);
});

test('a conflict event from the service reaches the tray and the window as well', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const { desktop, win } = boot(dir);
  const wc = win.webContents as FakeWebContents;
  wc.sent = [];
  desktop.controller.events.emit('conflicts.changed', [conflict('c9', 'a.txt')]);
  const labels = (FakeTray.created[0]?.menu?.template as Template).map((i) => i.label);
  assert.ok(labels.includes('a.txt'));
  const names = wc.sent.map((s) => (s.payload as { name: string }).name);
  assert.ok(names.includes('conflicts.changed'));
  assert.equal(desktop.controller.getState().conflicts, 1);
});

test('a new conflict is notified once, across restarts; a click opens the Conflicts view', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const first = boot(dir);
  first.desktop.controller.setConflicts([conflict('c1', 'docs/report.txt')]);
  assert.equal(FakeNotification.created.length, 1);
  const notice = FakeNotification.created[0]!;
  assert.equal(notice.shown, true);
  assert.equal(notice.options.title, 'Conflict: report.txt');
  assert.match(notice.options.body, /this computer and laptop in eu-west-1/);

  first.desktop.controller.setConflicts([conflict('c1', 'docs/report.txt')]);
  assert.equal(FakeNotification.created.length, 1, 'the same conflict is not notified again');
  first.desktop.controller.setConflicts([
    conflict('c1', 'docs/report.txt'),
    conflict('c2', 'b.txt'),
  ]);
  assert.equal(FakeNotification.created.length, 2, 'only the new one is notified');

  const wc = first.win.webContents as FakeWebContents;
  wc.sent = [];
  FakeNotification.created[1]!.click();
  const navigations = wc.sent
    .filter(
      (s) => s.channel === IPC_EVENT && (s.payload as { name: string }).name === 'app.navigate',
    )
    .map((s) => (s.payload as { payload: unknown }).payload);
  assert.deepEqual(navigations, [{ view: 'conflicts', conflictId: 'c2' }]);

  // A restart remembers what was notified.
  const second = boot(dir);
  second.desktop.controller.setConflicts([
    conflict('c1', 'docs/report.txt'),
    conflict('c2', 'b.txt'),
  ]);
  assert.equal(FakeNotification.created.length, 0);
  second.desktop.controller.setConflicts([conflict('c3', 'c.txt')]);
  assert.equal(FakeNotification.created.length, 1);
});

test('many new conflicts at once make one summary notice', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const { desktop } = boot(dir);
  desktop.controller.setConflicts(
    Array.from({ length: 7 }, (_, n) => conflict(`c${n}`, `f${n}.txt`)),
  );
  assert.equal(FakeNotification.created.length, 1);
  assert.equal(FakeNotification.created[0]!.options.title, '7 new conflicts');
  assert.match(FakeNotification.created[0]!.options.body, /f0\.txt, f1\.txt, f2\.txt and 4 more/);
});

test('a closed window is opened at the Conflicts view when the tray asks for it', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const { desktop, win } = boot(dir);
  win.emit('closed');
  await desktop.controller.invokeMenu('conflict:c7:compare');
  const reopened = FakeBrowserWindow.created[1];
  assert.equal(reopened?.loadedUrl, 'app://replica-sync/index.html#/conflicts/c7');
  await desktop.controller.invokeMenu('resolve-all');
  assert.equal(FakeBrowserWindow.created.length, 2, 'an open window is reused');
});

test('a resolve from the tray that fails is said in the activity log', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const { desktop } = boot(dir);
  desktop.controller.setConflicts([conflict('c1', 'docs/report.txt')]);
  // The conflict service is not attached yet: the command says it is still starting.
  const result = await desktop.controller.invokeMenu('conflict:c1:keep-both');
  assert.equal(result.done, false);
  assert.match(result.message ?? '', /report\.txt: Conflict detection is still starting/);
  assert.ok(
    desktop.controller.activity
      .list()
      .some((e) => e.level === 'warn' && e.message.includes('report.txt')),
  );
});

test('an RTC breach is notified once per version and destination; a click shows the Files view', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const { desktop, win } = boot(dir);
  const breach = {
    folderId: 'f1',
    relPath: 'docs/late.txt',
    versionId: 'v1',
    bucket: 'dst',
    region: 'eu-west-1',
    ruleId: 'to-dst',
    latencyMs: null,
  };
  desktop.controller.events.emit('replication.rtcBreach', rtcNotice(breach));
  desktop.controller.events.emit('replication.rtcBreach', rtcNotice(breach));
  assert.equal(FakeNotification.created.length, 1, 'the same breach is told once');
  const notice = FakeNotification.created[0]!;
  assert.equal(notice.options.title, 'Replication late: late.txt');
  assert.match(notice.options.body, /has not reached dst \(eu-west-1\) within the 15 minutes/);
  desktop.controller.events.emit(
    'replication.rtcBreach',
    rtcNotice({ ...breach, latencyMs: 21 * 60_000 }),
  );
  assert.equal(FakeNotification.created.length, 1, 'its measured latency later is no new breach');
  desktop.controller.events.emit(
    'replication.rtcBreach',
    rtcNotice({ ...breach, versionId: 'v2' }),
  );
  assert.equal(FakeNotification.created.length, 2);
  const wc = win.webContents as FakeWebContents;
  wc.sent = [];
  FakeNotification.created[1]!.click();
  const navigations = wc.sent
    .filter(
      (s) => s.channel === IPC_EVENT && (s.payload as { name: string }).name === 'app.navigate',
    )
    .map((s) => (s.payload as { payload: unknown }).payload);
  assert.deepEqual(navigations, [{ view: 'files' }]);
});
