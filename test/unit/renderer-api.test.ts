// The renderer's api module under Node: createApi over a fake Bridge, and the WebSocket
// bridge over a fake transport.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Bridge } from '../../main/contract/api.js';
import type { CommandName } from '../../main/contract/commands.js';
import type { AppState, ActivityEntry } from '../../main/contract/state.js';
import type { ClientMessage, EventMessage, ResultMessage } from '../../main/contract/wire.js';
import { ContractError, createApi } from '../../renderer/src/api.js';
import {
  createWsBridge,
  type Connect,
  type ConnectionStatus,
  type TransportHandlers,
} from '../../renderer/src/ws-bridge.js';

interface Call {
  id: number;
  command: CommandName;
  args: unknown;
  respond(message: ResultMessage): void;
  fail(error: unknown): void;
}

class FakeBridge implements Bridge {
  readonly calls: Call[] = [];
  readonly cancelled: number[] = [];
  readonly listeners = new Set<(message: EventMessage) => void>();

  invoke(id: number, command: CommandName, args: unknown): Promise<ResultMessage> {
    return new Promise((resolve, reject) => {
      this.calls.push({ id, command, args, respond: resolve, fail: reject });
    });
  }

  cancel(id: number): void {
    this.cancelled.push(id);
  }

  onEvent(listener: (message: EventMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(message: EventMessage): void {
    for (const listener of [...this.listeners]) listener(message);
  }

  last(): Call {
    const call = this.calls.at(-1);
    assert.ok(call, 'expected an invoke');
    return call;
  }
}

const state: AppState = {
  status: 'idle',
  message: 'Up to date',
  paused: false,
  mode: 'browser',
  version: '0.1.0',
  deviceName: 'laptop',
  dataDir: '/data',
  folders: [],
  conflicts: 0,
  localRegions: [],
};

const entry = (id: number): ActivityEntry => ({
  id,
  time: new Date(Date.UTC(2025, 0, 1, 0, 0, id)).toISOString(),
  level: 'info',
  message: `entry ${id}`,
});

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('createApi: invoke', () => {
  it('sends the command with a fresh id and returns the typed result', async () => {
    const bridge = new FakeBridge();
    const api = createApi(bridge);

    const first = api.invoke('app.getState', {});
    const second = api.invoke('activity.list', { limit: 5 });
    assert.equal(bridge.calls.length, 2);
    const [a, b] = bridge.calls as [Call, Call];
    assert.equal(a.command, 'app.getState');
    assert.deepEqual(a.args, {});
    assert.equal(b.command, 'activity.list');
    assert.deepEqual(b.args, { limit: 5 });
    assert.notEqual(a.id, b.id);

    b.respond({ type: 'result', id: b.id, ok: true, value: [entry(1)] });
    a.respond({ type: 'result', id: a.id, ok: true, value: state });
    const got: AppState = await first;
    assert.deepEqual(got, state);
    assert.deepEqual(await second, [entry(1)]);
  });

  it('rejects with a ContractError carrying code, message, issues and action', async () => {
    const bridge = new FakeBridge();
    const api = createApi(bridge);
    const pending = api.invoke('settings.update', { patch: { deviceName: '' } });
    const call = bridge.last();
    call.respond({
      type: 'result',
      id: call.id,
      ok: false,
      error: {
        code: 'InvalidArguments',
        message: 'Invalid arguments for settings.update',
        issues: [{ path: 'patch.deviceName', message: 'must be at least 1 characters' }],
        action: { kind: 'open-settings', section: 'device' },
      },
    });
    await assert.rejects(pending, (error: unknown) => {
      assert.ok(error instanceof ContractError);
      assert.ok(error instanceof Error);
      assert.equal(error.name, 'ContractError');
      assert.equal(error.code, 'InvalidArguments');
      assert.equal(error.message, 'Invalid arguments for settings.update');
      assert.deepEqual(error.issues, [
        { path: 'patch.deviceName', message: 'must be at least 1 characters' },
      ]);
      assert.deepEqual(error.action, { kind: 'open-settings', section: 'device' });
      assert.deepEqual(error.toJSON(), {
        code: 'InvalidArguments',
        message: 'Invalid arguments for settings.update',
        issues: [{ path: 'patch.deviceName', message: 'must be at least 1 characters' }],
        action: { kind: 'open-settings', section: 'device' },
      });
      return true;
    });
  });

  it('maps a malformed error envelope to Internal and a failing bridge to Unavailable', async () => {
    const bridge = new FakeBridge();
    const api = createApi(bridge);

    const malformed = api.invoke('app.getState', {});
    const call = bridge.last();
    call.respond({ type: 'result', id: call.id, ok: false, error: { code: 'Nope' } } as never);
    await assert.rejects(malformed, { name: 'ContractError', code: 'Internal' });

    const broken = api.invoke('app.getState', {});
    bridge.last().fail(new Error('IPC channel closed'));
    await assert.rejects(broken, (error: unknown) => {
      assert.ok(error instanceof ContractError);
      assert.equal(error.code, 'Unavailable');
      assert.match(error.message, /IPC channel closed/);
      assert.deepEqual(error.action, { kind: 'retry' });
      return true;
    });
  });

  it('cancels through an AbortSignal: bridge.cancel(id) and a Cancelled rejection', async () => {
    const bridge = new FakeBridge();
    const api = createApi(bridge);
    const controller = new AbortController();
    const pending = api.invoke('activity.list', {}, { signal: controller.signal });
    const call = bridge.last();

    controller.abort();
    assert.deepEqual(bridge.cancelled, [call.id]);
    await assert.rejects(pending, { name: 'ContractError', code: 'Cancelled' });

    // A late answer is ignored, and aborting again does not cancel twice.
    call.respond({ type: 'result', id: call.id, ok: true, value: [] });
    controller.abort();
    await tick();
    assert.deepEqual(bridge.cancelled, [call.id]);
  });

  it('does not send at all when the signal is already aborted', async () => {
    const bridge = new FakeBridge();
    const api = createApi(bridge);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(api.invoke('app.getState', {}, { signal: controller.signal }), {
      code: 'Cancelled',
    });
    assert.equal(bridge.calls.length, 0);
    assert.equal(bridge.cancelled.length, 0);
  });

  it('does not cancel a request that already finished', async () => {
    const bridge = new FakeBridge();
    const api = createApi(bridge);
    const controller = new AbortController();
    const pending = api.invoke('app.getState', {}, { signal: controller.signal });
    const call = bridge.last();
    call.respond({ type: 'result', id: call.id, ok: true, value: state });
    assert.deepEqual(await pending, state);
    controller.abort();
    assert.deepEqual(bridge.cancelled, []);
  });
});

describe('createApi: on', () => {
  it('delivers only the named event, and stops after unsubscribe', () => {
    const bridge = new FakeBridge();
    const api = createApi(bridge);
    const states: AppState[] = [];
    const entries: ActivityEntry[] = [];

    const offState = api.on('app.state', (payload) => states.push(payload));
    const offActivity = api.on('activity', (payload) => entries.push(payload));
    assert.equal(bridge.listeners.size, 1, 'one bridge subscription serves every listener');

    bridge.emit({ type: 'event', name: 'app.state', payload: state });
    bridge.emit({ type: 'event', name: 'activity', payload: entry(1) });
    bridge.emit({
      type: 'event',
      name: 'tray.menu',
      payload: { tooltip: 'Replica Sync', icon: 'normal', items: [] },
    });
    assert.deepEqual(states, [state]);
    assert.deepEqual(entries, [entry(1)]);

    offState();
    offState();
    bridge.emit({ type: 'event', name: 'app.state', payload: { ...state, status: 'syncing' } });
    bridge.emit({ type: 'event', name: 'activity', payload: entry(2) });
    assert.deepEqual(states, [state]);
    assert.deepEqual(entries, [entry(1), entry(2)]);

    offActivity();
    assert.equal(bridge.listeners.size, 0, 'the bridge is released with the last listener');
    bridge.emit({ type: 'event', name: 'activity', payload: entry(3) });
    assert.deepEqual(entries, [entry(1), entry(2)]);
  });

  it('keeps delivering to other listeners when one throws', (t) => {
    const bridge = new FakeBridge();
    const api = createApi(bridge);
    t.mock.method(console, 'error', () => undefined);
    const seen: number[] = [];
    api.on('activity', () => {
      throw new Error('view bug');
    });
    api.on('activity', (payload) => seen.push(payload.id));
    bridge.emit({ type: 'event', name: 'activity', payload: entry(7) });
    assert.deepEqual(seen, [7]);
  });

  it('subscribing the same function twice delivers twice and unsubscribes one at a time', () => {
    const bridge = new FakeBridge();
    const api = createApi(bridge);
    const seen: number[] = [];
    const listener = (payload: ActivityEntry): void => void seen.push(payload.id);
    const offA = api.on('activity', listener);
    api.on('activity', listener);
    bridge.emit({ type: 'event', name: 'activity', payload: entry(1) });
    offA();
    bridge.emit({ type: 'event', name: 'activity', payload: entry(2) });
    assert.deepEqual(seen, [1, 1, 2]);
  });
});

// --- WebSocket bridge over a fake transport ----------------------------------------------

class FakeServer {
  readonly sockets: {
    url: string;
    handlers: TransportHandlers;
    sent: ClientMessage[];
    closed: boolean;
  }[] = [];

  readonly connect: Connect = (url, handlers) => {
    const socket = { url, handlers, sent: [] as ClientMessage[], closed: false };
    this.sockets.push(socket);
    return {
      send: (text) => socket.sent.push(JSON.parse(text) as ClientMessage),
      close: () => {
        socket.closed = true;
        setImmediate(() => handlers.onClose());
      },
    };
  };

  current() {
    const socket = this.sockets.at(-1);
    assert.ok(socket, 'expected a connection attempt');
    return socket;
  }
}

describe('createWsBridge', () => {
  it('queues invokes while connecting and sends them as ClientMessages once open', async () => {
    const server = new FakeServer();
    const bridge = createWsBridge({
      url: () => 'ws://127.0.0.1:1/ws?token=t',
      connect: server.connect,
    });
    const api = createApi(bridge);
    assert.equal(bridge.status, 'connecting');

    const pending = api.invoke('app.getState', {});
    const socket = server.current();
    assert.equal(socket.url, 'ws://127.0.0.1:1/ws?token=t');
    assert.equal(socket.sent.length, 0);

    socket.handlers.onOpen();
    assert.equal(bridge.status, 'open');
    assert.equal(socket.sent.length, 1);
    const sent = socket.sent[0];
    assert.ok(sent?.type === 'invoke');
    assert.equal(sent.command, 'app.getState');
    assert.deepEqual(sent.args, {});

    socket.handlers.onMessage(
      JSON.stringify({ type: 'result', id: sent.id, ok: true, value: state }),
    );
    assert.deepEqual(await pending, state);

    const events: AppState[] = [];
    api.on('app.state', (payload) => events.push(payload));
    socket.handlers.onMessage('not json');
    socket.handlers.onMessage(JSON.stringify({ type: 'event', name: 'app.state', payload: state }));
    assert.deepEqual(events, [state]);
    bridge.stop();
  });

  it('sends a cancel message for a sent invoke', async () => {
    const server = new FakeServer();
    const bridge = createWsBridge({ url: () => 'ws://x/ws', connect: server.connect });
    const api = createApi(bridge);
    server.current().handlers.onOpen();
    const controller = new AbortController();
    const pending = api.invoke('activity.list', {}, { signal: controller.signal });
    controller.abort();
    await assert.rejects(pending, { code: 'Cancelled' });
    const sent = server.current().sent;
    assert.equal(sent.length, 2);
    assert.equal(sent[1]?.type, 'cancel');
    assert.equal(sent[1]?.id, sent[0]?.id);
    bridge.stop();
  });

  it('fails pending invokes with Unavailable when the socket closes, then reconnects', async () => {
    const server = new FakeServer();
    const statuses: ConnectionStatus[] = [];
    const bridge = createWsBridge({
      url: () => 'ws://x/ws',
      connect: server.connect,
      initialDelayMs: 5,
      maxDelayMs: 20,
    });
    bridge.onStatus((status) => statuses.push(status));
    const api = createApi(bridge);
    server.current().handlers.onOpen();

    const pending = api.invoke('app.getState', {});
    server.current().handlers.onClose();
    await assert.rejects(pending, (error: unknown) => {
      assert.ok(error instanceof ContractError);
      assert.equal(error.code, 'Unavailable');
      return true;
    });
    assert.equal(bridge.status, 'retrying');

    // The retry comes by itself after the backoff.
    const deadline = Date.now() + 2000;
    while (server.sockets.length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.equal(server.sockets.length, 2);
    const again = api.invoke('app.getState', {});
    server.current().handlers.onOpen();
    const sent = server.current().sent[0];
    assert.ok(sent?.type === 'invoke');
    server
      .current()
      .handlers.onMessage(JSON.stringify({ type: 'result', id: sent.id, ok: true, value: state }));
    assert.deepEqual(await again, state);
    assert.deepEqual(statuses, ['open', 'retrying', 'open']);
    bridge.stop();
  });

  it('fails everything with Unavailable once stopped', async () => {
    const server = new FakeServer();
    const bridge = createWsBridge({ url: () => 'ws://x/ws', connect: server.connect });
    const api = createApi(bridge);
    const queued = api.invoke('app.getState', {});
    bridge.stop();
    await assert.rejects(queued, { code: 'Unavailable' });
    await assert.rejects(api.invoke('app.getState', {}), { code: 'Unavailable' });
    assert.equal(bridge.status, 'stopped');
    assert.equal(server.current().closed, true);
  });
});
