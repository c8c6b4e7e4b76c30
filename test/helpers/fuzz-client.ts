// A WebSocket client for the transport fuzz test that records the answers it gets and how
// its socket closes, and the checks every answer must pass.
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import type { ResultMessage } from '../../main/contract/index.js';

const CASE_TIMEOUT_MS = 5_000;
export const CODES = new Set([
  'UnknownCommand',
  'InvalidArguments',
  'Forbidden',
  'Cancelled',
  'NotFound',
  'Unavailable',
  'TooLarge',
  'Internal',
]);

/** A library client that records what it receives and how it closes. */
export function client(port: number, token: string) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`);
  const received: ResultMessage[] = [];
  const waiters: (() => void)[] = [];
  let closeCode: number | undefined;
  ws.on('error', () => {});
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString()) as { type: string };
    if (msg.type === 'result') received.push(msg as ResultMessage);
    for (const w of waiters.splice(0)) w();
  });
  ws.on('close', (code) => {
    closeCode = code;
    for (const w of waiters.splice(0)) w();
  });
  const until = async (what: string, ok: () => boolean) => {
    const deadline = Date.now() + CASE_TIMEOUT_MS;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 50);
      });
    }
  };
  return {
    ws,
    received,
    closeCode: () => closeCode,
    until,
    opened: () => new Promise<void>((r, j) => ws.once('open', r).once('close', j)),
    result: async (id: number) => {
      await until(`the answer to ${id}`, () => received.some((m) => m.id === id));
      return received.find((m) => m.id === id) as ResultMessage;
    },
  };
}

export type FuzzClient = ReturnType<typeof client>;

export async function getState(c: FuzzClient, id: number): Promise<void> {
  c.ws.send(JSON.stringify({ type: 'invoke', id, command: 'app.getState', args: {} }));
  const r = await c.result(id);
  assert.ok(r.ok, `app.getState failed: ${JSON.stringify(r)}`);
  assert.equal((r.value as { version: string }).version, '9.9.9');
}

export function assertTyped(r: ResultMessage, what: string): void {
  assert.equal(r.type, 'result', what);
  if (!r.ok) {
    assert.ok(CODES.has(r.error.code), `${what}: untyped error ${JSON.stringify(r.error)}`);
    assert.equal(typeof r.error.message, 'string', what);
  }
}
