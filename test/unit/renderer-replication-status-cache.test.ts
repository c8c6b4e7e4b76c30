// The Files view's replica-state cache: asks only about the rows on screen, a few at a time,
// keeps the answers, takes events, asks again for a new version or a settling state, and
// waits after a failure.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileReplication } from '../../main/contract/replication.js';
import { ReplicaStatusCache, type StatusRow } from '../../renderer/src/replica-status-cache.js';

interface Call {
  relPath: string;
  signal: AbortSignal;
  resolve: (s: FileReplication) => void;
  reject: (e: unknown) => void;
}

function status(relPath: string, state: 'pending' | 'verified', versionId = 'v1'): FileReplication {
  return {
    folderId: 'f',
    relPath,
    versionId,
    sourceStatus: state === 'pending' ? 'PENDING' : 'COMPLETED',
    destinations: [
      {
        bucket: 'b',
        region: 'eu-west-1',
        state,
        latencyMs: null,
        rtcBreached: false,
        reason: null,
      },
    ],
  };
}

function setup(options: { concurrency?: number } = {}) {
  let now = 0;
  const timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  const calls: Call[] = [];
  let changes = 0;
  const cache = new ReplicaStatusCache({
    fetch: ({ relPath }, signal) =>
      new Promise((resolve, reject) => calls.push({ relPath, signal, resolve, reject })),
    onChange: () => (changes += 1),
    concurrency: options.concurrency ?? 2,
    batchDelayMs: 50,
    settleRefreshMs: 1000,
    retryMs: 5000,
    now: () => now,
    setTimer: (fn, ms) => {
      const id = nextId++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimer: (id) => {
      const at = timers.findIndex((t) => t.id === id);
      if (at >= 0) timers.splice(at, 1);
    },
  });
  const advance = async (ms: number): Promise<void> => {
    const until = now + ms;
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const next = timers[0];
      if (!next || next.at > until) break;
      timers.shift();
      now = next.at;
      next.fn();
      await Promise.resolve();
    }
    now = until;
    await new Promise((r) => setImmediate(r));
  };
  const settle = () => new Promise((r) => setImmediate(r));
  return { cache, calls, advance, settle, changes: () => changes };
}

const row = (relPath: string, versionId: string | null = 'v1'): StatusRow => ({
  folderId: 'f',
  relPath,
  versionId,
});

describe('ReplicaStatusCache', () => {
  it('asks about rows on screen after a pause, a few at a time, and keeps the answers', async () => {
    const t = setup({ concurrency: 2 });
    t.cache.show([row('a'), row('b'), row('c'), row('none', null)]);
    assert.equal(t.calls.length, 0, 'waits for scrolling to pause');
    await t.advance(50);
    assert.deepEqual(
      t.calls.map((c) => c.relPath),
      ['a', 'b'],
    );
    t.calls[0]?.resolve(status('a', 'verified'));
    await t.settle();
    assert.deepEqual(
      t.calls.map((c) => c.relPath),
      ['a', 'b', 'c'],
      'the next row goes when one answer is in',
    );
    assert.equal(t.cache.get(row('a'))?.destinations[0]?.state, 'verified');
    assert.ok(t.changes() > 0);
    assert.equal(t.cache.get(row('none')), undefined, 'a row with no version is not asked about');

    // Showing the same rows again asks nothing new.
    t.calls[1]?.resolve(status('b', 'verified'));
    t.calls[2]?.resolve(status('c', 'verified'));
    await t.settle();
    t.cache.show([row('a'), row('b'), row('c')]);
    await t.advance(5000);
    assert.equal(t.calls.length, 3);
  });

  it('stops asking about rows that scrolled away', async () => {
    const t = setup({ concurrency: 4 });
    t.cache.show([row('a'), row('b')]);
    await t.advance(50);
    t.cache.show([row('b')]);
    assert.equal(t.calls[0]?.signal.aborted, true);
    assert.equal(t.calls[1]?.signal.aborted, false);
  });

  it('takes states from events and asks again for a new version', async () => {
    const t = setup();
    t.cache.merge([status('a', 'verified', 'v1')]);
    t.cache.show([row('a', 'v1')]);
    await t.advance(100);
    assert.equal(t.calls.length, 0, 'the event answered it');
    t.cache.show([row('a', 'v2')]);
    await t.advance(50);
    assert.deepEqual(
      t.calls.map((c) => c.relPath),
      ['a'],
    );
  });

  it('asks again about a settling state now and then while on screen', async () => {
    const t = setup();
    t.cache.show([row('a')]);
    await t.advance(50);
    t.calls[0]?.resolve(status('a', 'pending'));
    await t.settle();
    await t.advance(900);
    assert.equal(t.calls.length, 1);
    await t.advance(200);
    assert.equal(t.calls.length, 2, 'pending is asked again after settleRefreshMs');
    t.calls[1]?.resolve(status('a', 'verified'));
    await t.settle();
    await t.advance(10_000);
    assert.equal(t.calls.length, 2, 'verified is final');
  });

  it('waits after a failure, then asks again', async () => {
    const t = setup();
    t.cache.show([row('a')]);
    await t.advance(50);
    t.calls[0]?.reject(new Error('Replication is still starting'));
    await t.settle();
    t.cache.show([row('a')]);
    await t.advance(4000);
    assert.equal(t.calls.length, 1);
    await t.advance(1100);
    assert.equal(t.calls.length, 2);
  });

  it('asks everything again after refresh (a reconnect)', async () => {
    const t = setup();
    t.cache.show([row('a')]);
    await t.advance(50);
    t.calls[0]?.resolve(status('a', 'verified'));
    await t.settle();
    t.cache.refresh();
    await t.advance(1);
    assert.equal(t.calls.length, 2);
  });

  it('does nothing once stopped, and starts again', async () => {
    const t = setup();
    t.cache.show([row('a')]);
    t.cache.stop();
    await t.advance(100);
    assert.equal(t.calls.length, 0);
    t.cache.start();
    t.cache.show([row('a')]);
    await t.advance(100);
    assert.equal(t.calls.length, 1);
  });
});
