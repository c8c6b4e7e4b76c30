import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { ContractError, type CommandName, type ResultMessage } from '../../main/contract/index.js';
import { AppController } from '../../main/core/app/app-controller.js';
import { Dispatcher } from '../../main/core/app/dispatcher.js';
import {
  connectLocalChannel,
  LocalChannelError,
  localChannelPath,
  MAX_LINE_BYTES,
  startLocalChannel,
} from '../../main/core/app/local-channel.js';
import { MemorySettingsStore } from '../../main/core/settings/settings-store.js';
import { tempDir } from '../helpers/temp-dir.js';

const posixOnly = { skip: process.platform === 'win32' ? 'Unix sockets only' : false };

function dispatcherFor(dataDir: string): Dispatcher {
  const controller = new AppController({
    mode: 'browser',
    version: '9.8.7',
    dataDir,
    settings: new MemorySettingsStore(),
    host: { openWindow: () => {}, openPath: async () => '', quit: () => {} },
  });
  controller.ready();
  return new Dispatcher(controller.handlers);
}

/** Sends raw text on a fresh connection; resolves with the lines received until it closes. */
function rawExchange(
  where: string,
  text: string,
  waitMs = 2000,
): Promise<{ lines: string[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(where);
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ lines: data.split('\n').filter(Boolean), closed: false });
    }, waitMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ lines: data.split('\n').filter(Boolean), closed: true });
    });
    socket.on('connect', () => socket.write(text));
  });
}

test('the channel path is rs.sock in the data dir, or a per-dir pipe on Windows', () => {
  assert.equal(localChannelPath('/data/rs', 'linux'), path.resolve('/data/rs/rs.sock'));
  const pipe = localChannelPath('/data/rs', 'win32');
  assert.match(pipe, /^\\\\\.\\pipe\\replica-sync-[0-9a-f]{16}$/);
  assert.notEqual(pipe, localChannelPath('/data/other', 'win32'));
});

test('a valid command is dispatched and answered with its typed result', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const channel = await startLocalChannel({ dataDir: dir, dispatcher: dispatcherFor(dir) });
  t.after(() => channel.close());
  const client = await connectLocalChannel(dir);
  t.after(() => client.close());
  const state = await client.invoke('app.getState', {});
  assert.equal(state.version, '9.8.7');
  assert.equal(state.dataDir, dir);
  // Several requests on one connection are matched to their answers by id.
  const [a, b] = await Promise.all([
    client.invoke('settings.get', {}),
    client.invoke('app.setPaused', { paused: true }),
  ]);
  assert.equal(typeof a.deviceName, 'string');
  assert.equal(b.paused, true);
});

test('an unknown command and bad arguments are refused with typed errors', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const channel = await startLocalChannel({ dataDir: dir, dispatcher: dispatcherFor(dir) });
  t.after(() => channel.close());
  const client = await connectLocalChannel(dir);
  t.after(() => client.close());
  await assert.rejects(
    client.invoke('fs.deleteEverything' as CommandName, {} as never),
    (err: unknown) => err instanceof ContractError && err.code === 'UnknownCommand',
  );
  await assert.rejects(
    client.invoke('app.setPaused', { paused: 'yes' } as never),
    (err: unknown) =>
      err instanceof ContractError &&
      err.code === 'InvalidArguments' &&
      err.issues?.[0]?.path === 'paused',
  );
  // The connection stays usable after a refused command.
  assert.equal((await client.invoke('app.getState', {})).version, '9.8.7');
});

test('a malformed line is answered with an error and the connection is closed', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const logs: string[] = [];
  const channel = await startLocalChannel({
    dataDir: dir,
    dispatcher: dispatcherFor(dir),
    log: (l) => logs.push(l),
  });
  t.after(() => channel.close());

  const notJson = await rawExchange(channel.path, 'this is not json\n');
  assert.equal(notJson.closed, true);
  assert.equal(notJson.lines.length, 1);
  const answer = JSON.parse(notJson.lines[0] ?? '') as ResultMessage;
  assert.equal(answer.ok, false);
  assert.equal(answer.id, -1);
  if (!answer.ok) assert.equal(answer.error.code, 'InvalidArguments');

  // A bad envelope is answered under its id; lines after it are not run.
  const badEnvelope = await rawExchange(
    channel.path,
    '{"type":"invoke","id":4,"command":7}\n{"type":"invoke","id":5,"command":"app.getState","args":{}}\n',
  );
  assert.equal(badEnvelope.closed, true);
  assert.deepEqual(
    badEnvelope.lines.map((l) => (JSON.parse(l) as ResultMessage).id),
    [4],
  );
  assert.ok(logs.some((l) => l.includes('malformed message')));

  // A well-formed raw exchange works and keeps the connection open.
  const ok = await rawExchange(
    channel.path,
    '{"type":"invoke","id":9,"command":"app.getState","args":{}}\n',
    300,
  );
  assert.equal(ok.closed, false);
  const good = JSON.parse(ok.lines[0] ?? '') as ResultMessage;
  assert.equal(good.id, 9);
  assert.equal(good.ok, true);
});

test('the socket file has mode 0600 and is removed on close', posixOnly, async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const channel = await startLocalChannel({ dataDir: dir, dispatcher: dispatcherFor(dir) });
  const st = fs.statSync(channel.path);
  assert.ok(st.isSocket());
  assert.equal(st.mode & 0o777, 0o600);
  await channel.close();
  assert.equal(fs.existsSync(channel.path), false);
});

test('a socket file left by a crashed instance is replaced', posixOnly, async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const where = localChannelPath(dir);
  // A process that dies by SIGKILL while listening leaves its socket file behind.
  const child = spawn(
    process.execPath,
    [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(where)}, () => process.kill(process.pid, 'SIGKILL'))`,
    ],
    { stdio: 'ignore' },
  );
  await new Promise((resolve) => child.once('exit', resolve));
  assert.ok(fs.lstatSync(where).isSocket(), 'the crashed process left its socket file');
  await assert.rejects(
    connectLocalChannel(dir),
    (err: unknown) => err instanceof LocalChannelError && err.reason === 'not-running',
  );

  const channel = await startLocalChannel({ dataDir: dir, dispatcher: dispatcherFor(dir) });
  t.after(() => channel.close());
  const client = await connectLocalChannel(dir);
  t.after(() => client.close());
  assert.equal((await client.invoke('app.getState', {})).version, '9.8.7');
});

test('a second channel on a data dir whose channel answers is refused', posixOnly, async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const channel = await startLocalChannel({ dataDir: dir, dispatcher: dispatcherFor(dir) });
  t.after(() => channel.close());
  await assert.rejects(
    startLocalChannel({ dataDir: dir, dispatcher: dispatcherFor(dir) }),
    /already answers/,
  );
  // The first one still works.
  const client = await connectLocalChannel(dir);
  t.after(() => client.close());
  assert.equal((await client.invoke('app.getState', {})).version, '9.8.7');
});

test('connecting where nothing runs fails fast as not-running, creating nothing', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const missing = path.join(dir, 'gone', 'deeper');
  const started = Date.now();
  await assert.rejects(
    connectLocalChannel(missing),
    (err: unknown) => err instanceof LocalChannelError && err.reason === 'not-running',
  );
  assert.ok(Date.now() - started < 1500);
  assert.equal(fs.existsSync(missing), false);
});

test('close drops connected clients; their pending calls fail', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const controller = new AppController({
    mode: 'browser',
    version: '1',
    dataDir: dir,
    settings: new MemorySettingsStore(),
    host: { openWindow: () => {}, openPath: async () => '', quit: () => {} },
  });
  // A handler that never answers, to have a call in flight when the channel closes.
  const handlers = { ...controller.handlers, 'app.getState': () => new Promise<never>(() => {}) };
  const channel = await startLocalChannel({ dataDir: dir, dispatcher: new Dispatcher(handlers) });
  const client = await connectLocalChannel(dir);
  const call = client.invoke('app.getState', {});
  await new Promise((r) => setTimeout(r, 50));
  await channel.close();
  await assert.rejects(call, (err: unknown) => err instanceof LocalChannelError);
  client.close();
});

test('a line over the message limit is answered TooLarge and closed; the channel serves on', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const logs: string[] = [];
  const channel = await startLocalChannel({
    dataDir: dir,
    dispatcher: dispatcherFor(dir),
    log: (l) => logs.push(l),
  });
  t.after(() => channel.close());
  const long = await rawExchange(channel.path, 'x'.repeat(MAX_LINE_BYTES + 1), 5000);
  assert.equal(long.closed, true);
  const answer = JSON.parse(long.lines[0] ?? '') as ResultMessage;
  assert.ok(!answer.ok && answer.id === -1);
  assert.equal(answer.error.code, 'TooLarge');
  assert.ok(logs.some((l) => /longer than/.test(l)));
  const client = await connectLocalChannel(dir);
  t.after(() => client.close());
  assert.equal((await client.invoke('app.getState', {})).version, '9.8.7');
});
