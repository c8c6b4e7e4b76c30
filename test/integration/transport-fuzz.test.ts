// Fuzzing the ways in: a real browser-mode server (HTTP + WebSocket on 127.0.0.1) gets a few
// hundred random frames and requests (random JSON shapes, binary frames, frames over the
// limit, invalid UTF-8, broken framing, broken HTTP), and the Electron IPC host gets random
// payloads from trusted and untrusted senders. Nothing may end the process; every socket
// other than the offending one keeps being served; a fresh socket still runs app.getState.
// Replay a failure with FUZZ_SEED=<the printed seed>.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  IPC_CANCEL,
  IPC_INVOKE,
  MAX_MESSAGE_BYTES,
  parseClientMessage,
  type ClientMessage,
  type ResultMessage,
} from '../../main/contract/index.js';
import { AppController } from '../../main/core/app/app-controller.js';
import { Dispatcher } from '../../main/core/app/dispatcher.js';
import { MemorySettingsStore } from '../../main/core/settings/settings-store.js';
import { startDesktop } from '../../main/electron/desktop-app.js';
import { startBrowserServer, type BrowserServer } from '../../main/server/browser-server.js';
import {
  createFakeElectron,
  FakeBrowserWindow,
  FakeWebContents,
  ipcEvent,
} from '../helpers/fake-electron.js';
import {
  randomJunkText,
  randomMessage,
  randomValue,
  seededRng,
  type Rng,
} from '../helpers/fuzz-values.js';
import { frame, openRawWebSocket } from '../helpers/raw-websocket.js';
import { assertTyped, client, getState } from '../helpers/fuzz-client.js';
import { tempDir } from '../helpers/temp-dir.js';

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32));
const ROUNDS = 400;
const BUDGET_MS = 20_000;
const CASE_TIMEOUT_MS = 5_000;

let server: BrowserServer;
let cleanup: () => void;
const logs: string[] = [];
const escaped: unknown[] = [];
const onEscaped = (err: unknown) => escaped.push(err);

before(async () => {
  process.on('uncaughtException', onEscaped);
  process.on('unhandledRejection', onEscaped);
  const t = tempDir();
  cleanup = t.cleanup;
  fs.writeFileSync(path.join(t.dir, 'index.html'), '<!doctype html><title>RS</title>');
  const controller = new AppController({
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
    log: (line) => logs.push(line),
  });
});

after(async () => {
  await server.close();
  cleanup();
  process.off('uncaughtException', onEscaped);
  process.off('unhandledRejection', onEscaped);
});

const KINDS = ['message', 'junk', 'binary', 'oversize', 'near-limit', 'utf8', 'framing', 'http'];
type Kind = (typeof KINDS)[number];

/** A JSON message from a library client: answered under its id, or refused and closed. */
async function jsonCase(rng: Rng, text: string): Promise<void> {
  const c = client(server.port, server.token);
  await c.opened();
  let valid: ClientMessage | undefined;
  try {
    valid = parseClientMessage(JSON.parse(text));
  } catch {
    valid = undefined;
  }
  c.ws.send(text);
  if (valid?.type === 'invoke') {
    assertTyped(await c.result(valid.id), `the answer to ${text.slice(0, 200)}`);
  } else if (valid?.type === 'cancel') {
    await getState(c, 1_000_001 + rng.int(1000)); // a cancel is quiet; the socket still serves
  } else {
    await c.until('the refusal and close', () => c.closeCode() !== undefined);
    assert.equal(
      c.closeCode(),
      1008,
      `a malformed message closes with 1008: ${text.slice(0, 200)}`,
    );
    const refusal = c.received[0];
    assert.ok(refusal && !refusal.ok, 'a malformed message is answered before the close');
    if (!refusal.ok) assert.equal(refusal.error.code, 'InvalidArguments');
  }
  c.ws.terminate();
}

async function runCase(kind: Kind, rng: Rng): Promise<void> {
  switch (kind) {
    case 'message':
      return jsonCase(rng, JSON.stringify(randomMessage(rng)));
    case 'junk':
      return jsonCase(rng, randomJunkText(rng));
    case 'binary': {
      const c = client(server.port, server.token);
      await c.opened();
      c.ws.send(Buffer.from(JSON.stringify(randomMessage(rng))), { binary: true });
      await c.until('the close', () => c.closeCode() !== undefined);
      assert.equal(c.closeCode(), 1008, 'a binary frame closes with 1008');
      return;
    }
    case 'oversize': {
      const c = client(server.port, server.token);
      await c.opened();
      const size = MAX_MESSAGE_BYTES + 1 + rng.int(1024 * 1024);
      c.ws.send(`{"type":"invoke","id":1,"command":"app.getState","args":"${'x'.repeat(size)}"}`);
      await c.until('the close', () => c.closeCode() !== undefined);
      assert.equal(c.closeCode(), 1009, `a ${size}-byte frame closes with 1009`);
      return;
    }
    case 'near-limit': {
      // A valid envelope padded to just under the limit is still answered.
      const c = client(server.port, server.token);
      await c.opened();
      const base = '{"type":"invoke","id":7,"command":"app.getState","args":{}}';
      c.ws.send(base + ' '.repeat(MAX_MESSAGE_BYTES - base.length - rng.int(1000)));
      assert.ok((await c.result(7)).ok, 'a message under the limit is answered');
      c.ws.terminate();
      return;
    }
    case 'utf8': {
      const raw = await openRawWebSocket(server.port, server.token);
      const bad = rng.pick([[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]]);
      const payload = Buffer.concat([
        Buffer.from('{"type":"invoke","id":1,"x":"'),
        Buffer.from(bad),
        Buffer.from('"}'),
      ]);
      raw.send(frame(payload, { opcode: 1 }));
      assert.equal(
        await withTimeout(raw.closed, 'the close'),
        1007,
        'invalid UTF-8 closes with 1007',
      );
      return;
    }
    case 'framing': {
      const raw = await openRawWebSocket(server.port, server.token);
      const payload = Buffer.from(JSON.stringify(randomValue(rng)) ?? 'null');
      const bad = rng.pick([
        () => frame(payload, { opcode: rng.pick([3, 4, 5, 6, 7, 11, 12, 13, 14, 15]) }),
        () => frame(payload, { opcode: 1, rsv: 1 + rng.int(7) }),
        () => frame(payload, { opcode: 1, masked: false }),
        () => frame(payload, { opcode: 0 }),
        () => frame(Buffer.alloc(200), { opcode: 9 }),
        () => frame(payload, { opcode: 8, fin: false }),
        () => Buffer.concat([frame(Buffer.alloc(1000), { opcode: 1 }).subarray(0, 40)]),
        () => Buffer.from([0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
        () => Buffer.from(Array.from({ length: 1 + rng.int(64) }, () => rng.int(256))),
      ])();
      raw.send(bad);
      // A frame still waiting for its bytes is abandoned: the reset is part of the test.
      await Promise.race([raw.closed, new Promise((r) => setTimeout(r, 100))]);
      raw.destroy();
      return;
    }
    default:
      return httpCase(rng);
  }
}

/** Broken HTTP: answered 4xx or the connection closed, never a crash. */
async function httpCase(rng: Rng): Promise<void> {
  const host = `Host: 127.0.0.1:${server.port}`;
  const t = server.token;
  const request = rng.pick([
    `GET // HTTP/1.1\r\n${host}\r\n\r\n`,
    `GET //evil.example/x?token=${t} HTTP/1.1\r\n${host}\r\n\r\n`,
    `GET http://127.0.0.1/ HTTP/1.1\r\n${host}\r\n\r\n`,
    `GET * HTTP/1.1\r\n${host}\r\n\r\n`,
    `GET //ws?token=${t} HTTP/1.1\r\n${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: x\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    `GET /ws?token=${t} HTTP/1.1\r\n${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 99\r\n\r\n`,
    `PUT /drop/nope?name=a&token=${t} HTTP/1.1\r\n${host}\r\nContent-Length: 99999\r\n\r\nabc`,
    `GET /?token=${t} HTTP/1.1\r\n${host}\r\nX: ${'\u0001'}\r\n\r\n`,
    `\u0000\u00ff garbage ${'\r\n'.repeat(rng.int(5))}`,
    `GET /${'a'.repeat(20_000)} HTTP/1.1\r\n${host}\r\n\r\n`,
  ]);
  await new Promise<void>((resolve) => {
    const socket = net.connect(server.port, '127.0.0.1', () => socket.write(request, 'latin1'));
    socket.on('error', () => {});
    socket.on('data', () => {});
    socket.on('close', () => resolve());
    setTimeout(() => socket.destroy(), 150);
  });
}

function issueImportArgs() {
  return {
    folderId: 'f1',
    paths: Array.from({ length: 300 }, (_, i) => `/${i}`.padEnd(4000, 'p')),
  };
}

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_r, j) =>
      setTimeout(() => j(new Error(`timed out waiting for ${what}`)), CASE_TIMEOUT_MS),
    ),
  ]);
}

test(`random frames and requests never end the server (seed ${SEED})`, async () => {
  console.log(`transport-fuzz seed=${SEED} (replay with FUZZ_SEED=${SEED})`);
  const rng = seededRng(SEED);
  const bystander = client(server.port, server.token);
  await bystander.opened();
  const start = Date.now();
  const done: Record<string, number> = {};
  let round = 0;
  for (; round < ROUNDS && Date.now() - start < BUDGET_MS; round++) {
    // Every kind comes up at least once, then they are drawn at random (oversize rarely).
    const kind =
      round < KINDS.length
        ? (KINDS[round] as Kind)
        : rng.chance(0.03)
          ? 'oversize'
          : rng.pick(KINDS.filter((k) => k !== 'oversize' && k !== 'near-limit'));
    try {
      await runCase(kind, rng);
    } catch (err) {
      throw new Error(`round ${round} (${kind}, seed ${SEED}): ${(err as Error).message}`, {
        cause: err,
      });
    }
    done[kind] = (done[kind] ?? 0) + 1;
    assert.deepEqual(escaped, [], `round ${round} (${kind}, seed ${SEED}): an error escaped`);
    if (round % 50 === 49) await getState(bystander, 2_000_000 + round);
  }
  console.log(
    `transport-fuzz: ${round} rounds in ${Date.now() - start} ms: ${JSON.stringify(done)}`,
  );
  assert.ok(round >= Math.min(ROUNDS, 100), `only ${round} rounds ran`);
  // The socket that did nothing wrong was served throughout, and a fresh one is too.
  assert.equal(bystander.closeCode(), undefined, 'the bystander socket stayed open');
  // The issue's message (300 paths of 4,000 characters, 1.2 MB) gets a typed refusal.
  bystander.ws.send(
    JSON.stringify({
      type: 'invoke',
      id: 4_000_000,
      command: 'files.importPaths',
      args: issueImportArgs(),
    }),
  );
  const big = await bystander.result(4_000_000);
  assert.ok(!big.ok && big.error.code === 'InvalidArguments', JSON.stringify(big).slice(0, 300));
  await getState(bystander, 3_000_000);
  const fresh = client(server.port, server.token);
  await fresh.opened();
  await getState(fresh, 1);
  fresh.ws.close();
  bystander.ws.close();
  assert.ok(
    logs.some((l) => /Max payload size exceeded/.test(l)),
    'the 1009 close is logged',
  );
  assert.ok(
    logs.some((l) => /invalid UTF-8/i.test(l)),
    'the 1007 close is logged',
  );
  assert.deepEqual(escaped, [], 'no error escaped to the process');
});

test(`random IPC payloads are always answered with a typed result (seed ${SEED})`, async () => {
  const rng = seededRng(SEED ^ 0x5eed);
  const fake = createFakeElectron();
  const desktop = startDesktop(fake.deps, {
    dataDir: tempDir().dir,
    distDir: '/opt/rs/dist',
    settings: new MemorySettingsStore(),
    log: (line) => logs.push(line),
  });
  try {
    const wc = FakeBrowserWindow.created[0]?.webContents as FakeWebContents;
    const stranger = new FakeWebContents();
    const handler = fake.ipcMain.handlers.get(IPC_INVOKE) as (
      e: unknown,
      m: unknown,
    ) => Promise<ResultMessage>;
    const trusted = () => ipcEvent(wc, 'app://replica-sync/index.html');
    const events: (() => unknown)[] = [
      trusted,
      trusted,
      () => ipcEvent(wc, 'https://evil.example/'),
      () => ipcEvent(wc, 'app://replica-sync/index.html', false),
      () => ipcEvent(stranger, 'app://replica-sync/index.html'),
      () => ({ sender: wc, senderFrame: null }),
      () => ipcEvent(wc, 'not a url'),
      () => ({}),
      () => null,
    ];
    const start = Date.now();
    let round = 0;
    for (; round < ROUNDS && Date.now() - start < BUDGET_MS; round++) {
      const pickEvent = rng.int(events.length);
      const event = (events[pickEvent] as () => unknown)();
      const raw = rng.chance(0.1)
        ? undefined
        : rng.chance(0.7)
          ? randomMessage(rng)
          : randomValue(rng);
      const what = `round ${round} (seed ${SEED}): ${JSON.stringify(raw)?.slice(0, 200)}`;
      let answer: ResultMessage;
      try {
        answer = await handler(event, raw);
      } catch (err) {
        assert.fail(`${what}: the invoke handler threw ${(err as Error).stack}`);
      }
      assertTyped(answer, what);
      if (pickEvent < 2 && !answer.ok && answer.error.code === 'Forbidden')
        assert.fail(`${what}: a trusted sender was refused`);
      if (pickEvent >= 2) assert.equal(answer.ok, false, `${what}: an untrusted sender got in`);
      assert.doesNotThrow(() => fake.ipcMain.emit(IPC_CANCEL, event, raw), `${what}: cancel threw`);
    }
    assert.ok(round >= Math.min(ROUNDS, 100), `only ${round} rounds ran`);
    // The issue's message: 300 paths of 4,000 characters, refused by the contract, typed.
    const big = await handler(trusted(), {
      type: 'invoke',
      id: 9,
      command: 'files.importPaths',
      args: issueImportArgs(),
    });
    assert.ok(
      !big.ok && big.id === 9 && big.error.code === 'InvalidArguments',
      JSON.stringify(big).slice(0, 300),
    );
    const ok = await handler(trusted(), {
      type: 'invoke',
      id: 5,
      command: 'app.getState',
      args: {},
    });
    assert.ok(ok.ok && ok.id === 5, 'the IPC host still runs commands');
    assert.deepEqual(escaped, [], 'no error escaped to the process');
  } finally {
    desktop.dispose();
  }
});
