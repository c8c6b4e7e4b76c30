import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import type { ServerMessage } from '../../main/contract/index.js';
import { AppController } from '../../main/core/app/app-controller.js';
import { Dispatcher } from '../../main/core/app/dispatcher.js';
import { MemorySettingsStore } from '../../main/core/settings/settings-store.js';
import { startBrowserServer, type BrowserServer } from '../../main/server/browser-server.js';
import { tempDir } from '../helpers/temp-dir.js';

let server: BrowserServer;
let controller: AppController;
let cleanup: () => void;

before(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  fs.writeFileSync(path.join(t.dir, 'index.html'), '<!doctype html><title>RS</title>');
  fs.writeFileSync(path.join(t.dir, 'app.js'), 'console.log(1)');
  controller = new AppController({
    mode: 'browser',
    version: '9.9.9',
    dataDir: t.dir,
    settings: new MemorySettingsStore(),
    host: { openWindow() {}, openPath: async () => '', quit() {} },
  });
  controller.ready();
  server = await startBrowserServer({
    dispatcher: new Dispatcher(controller.handlers),
    events: controller.events,
    staticDir: t.dir,
    port: 0,
  });
});

after(async () => {
  await server.close();
  cleanup();
});

function get(p: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>(
    (resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: server.port, path: p, headers }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        })
        .on('error', reject);
    },
  );
}

function connect(query: string, headers: Record<string, string> = {}) {
  return new WebSocket(`ws://127.0.0.1:${server.port}/ws${query}`, { headers });
}

function refusedStatus(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => {});
  });
}

test('the URL is on 127.0.0.1 with a long random token', () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
});

test('pages without the token are refused with 401', async () => {
  assert.equal((await get('/')).status, 401);
  assert.equal((await get('/app.js')).status, 401);
  assert.equal((await get('/?token=wrong')).status, 401);
});

test('the token opens the page, sets a cookie, and sends a CSP', async () => {
  const r = await get(`/?token=${server.token}`);
  assert.equal(r.status, 200);
  assert.match(r.body, /<title>RS<\/title>/);
  assert.match(
    String(r.headers['content-security-policy']),
    /default-src 'none'.*script-src 'self'/,
  );
  const cookie = String(r.headers['set-cookie']).split(';')[0] ?? '';
  assert.match(cookie, /^rs_token=/);
  assert.match(String(r.headers['set-cookie']), /HttpOnly; SameSite=Strict/);
  assert.equal((await get('/app.js', { cookie })).status, 200);
});

test('a foreign Host or Origin is refused with 403', async () => {
  assert.equal(
    (await get(`/?token=${server.token}`, { host: `evil.example:${server.port}` })).status,
    403,
  );
  assert.equal(
    (await get(`/?token=${server.token}`, { origin: 'http://evil.example' })).status,
    403,
  );
});

test('paths cannot leave the renderer folder', async () => {
  const r = await get(`/..%2f..%2f..%2fetc%2fpasswd?token=${server.token}`);
  assert.equal(r.status, 404);
});

test('a WebSocket without the token gets 401; with a foreign Origin, 403', async () => {
  assert.equal(await refusedStatus(connect('')), 401);
  assert.equal(
    await refusedStatus(connect(`?token=${server.token}`, { origin: 'http://evil.example' })),
    403,
  );
});

test('the contract over WebSocket: results, typed errors, events', async () => {
  const ws = connect(`?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` });
  const messages: ServerMessage[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(String(d)) as ServerMessage));
  await new Promise((r) => ws.once('open', r));
  const waitFor = async (pred: (m: ServerMessage) => boolean) => {
    for (let i = 0; i < 100; i++) {
      const m = messages.find(pred);
      if (m) return m;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('no such message');
  };
  ws.send(JSON.stringify({ type: 'invoke', id: 1, command: 'app.getState', args: {} }));
  const state = await waitFor((m) => m.type === 'result' && m.id === 1);
  assert.equal(
    state.type === 'result' && state.ok && (state.value as { version: string }).version,
    '9.9.9',
  );

  ws.send(JSON.stringify({ type: 'invoke', id: 2, command: 'no.such', args: {} }));
  const unknown = await waitFor((m) => m.type === 'result' && m.id === 2);
  assert.equal(unknown.type === 'result' && !unknown.ok && unknown.error.code, 'UnknownCommand');

  ws.send(
    JSON.stringify({ type: 'invoke', id: 3, command: 'app.setPaused', args: { paused: true } }),
  );
  const event = await waitFor((m) => m.type === 'event' && m.name === 'app.state');
  assert.equal(event.type === 'event' && (event.payload as { paused: boolean }).paused, true);
  ws.close();
});

test('a malformed message is answered with a typed error, then the socket closes (1008)', async () => {
  const ws = connect(`?token=${server.token}`);
  await new Promise((r) => ws.once('open', r));
  const answers: ServerMessage[] = [];
  ws.on('message', (d) => answers.push(JSON.parse(d.toString()) as ServerMessage));
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  ws.send('{"type":"invoke","id":4,"command":7}');
  assert.equal(await closed, 1008);
  const refusal = answers.find((m) => m.type === 'result');
  assert.ok(refusal?.type === 'result' && !refusal.ok && refusal.id === 4);
  assert.equal(refusal.error.code, 'InvalidArguments');
});

test('a frame over the limit closes only its socket (1009); the others are served', async () => {
  const other = connect(`?token=${server.token}`);
  const big = connect(`?token=${server.token}`);
  await Promise.all([other, big].map((w) => new Promise((r) => w.once('open', r))));
  const closed = new Promise<number>((r) => big.once('close', (code) => r(code)));
  big.on('error', () => {});
  big.send('x'.repeat(4 * 1024 * 1024 + 1));
  assert.equal(await closed, 1009);
  const answer = new Promise<ServerMessage>((r) =>
    other.on('message', (d) => r(JSON.parse(d.toString()) as ServerMessage)),
  );
  other.send(JSON.stringify({ type: 'invoke', id: 1, command: 'app.getState', args: {} }));
  const msg = await answer;
  assert.ok(msg.type === 'result' && msg.ok);
  other.close();
});

test('a request target that is not a path is answered 400, and the server runs on', async () => {
  const raw = (request: string) =>
    new Promise<string>((resolve) => {
      const socket = net.connect(server.port, '127.0.0.1', () => socket.write(request));
      let out = '';
      socket.on('data', (d) => (out += d.toString()));
      socket.on('error', () => {});
      socket.on('close', () => resolve(out));
    });
  const host = `Host: 127.0.0.1:${server.port}`;
  assert.match(
    await raw(`GET // HTTP/1.1\r\n${host}\r\nConnection: close\r\n\r\n`),
    /^HTTP\/1\.1 400 /,
  );
  const upgrade = await raw(
    `GET //ws?token=${server.token} HTTP/1.1\r\n${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  assert.match(upgrade, /^HTTP\/1\.1 400 /);
  assert.equal((await get(`/?token=${server.token}`)).status, 200);
});
