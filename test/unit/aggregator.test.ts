import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ChangeAggregator,
  type AggregatorOptions,
  type ChangeBatch,
  type Clock,
  type PathStat,
} from '../../main/core/watch/aggregator.js';
import type { RawEvent } from '../../main/core/watch/watcher.js';

/** Timers that run only when the test advances time. */
class FakeClock implements Clock {
  t = 0;
  private id = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  now() {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number) {
    this.timers.set(++this.id, { at: this.t + ms, fn });
    return this.id;
  }
  clearTimeout(h: unknown) {
    this.timers.delete(h as number);
  }
  /** Moves time forward, running due timers in order and letting async work finish. */
  async advance(ms: number) {
    const end = this.t + ms;
    for (;;) {
      await drain();
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) {
        if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      }
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
    }
    this.t = end;
    await drain();
  }
}

const drain = () => new Promise<void>((r) => setImmediate(r));

/** A file system in a map: what the aggregator's stats see. */
function setup(options: Partial<AggregatorOptions> = {}) {
  const clock = new FakeClock();
  const fsys = new Map<string, PathStat>();
  const batches: ChangeBatch[] = [];
  const errors: Error[] = [];
  let stats = 0;
  const agg = new ChangeAggregator({
    clock,
    stat: async (p) => {
      stats++;
      const st = fsys.get(p);
      if (st?.kind === 'other') throw Object.assign(new Error('EACCES: permission denied'), {});
      return st ? { ...st } : null;
    },
    onBatch: (b) => {
      batches.push(b);
    },
    onError: (e) => errors.push(e),
    ...options,
  });
  const file = (p: string, size = 1, mtimeMs = 1) => fsys.set(p, { kind: 'file', size, mtimeMs });
  const push = (type: RawEvent['type'], relPath: string) => agg.push({ type, relPath });
  const changes = () => batches.flatMap((b) => b.changes);
  return { clock, fsys, batches, errors, agg, file, push, changes, stats: () => stats };
}

test('a new file is reported once it is quiet for settleMs and two stats agree', async () => {
  const s = setup();
  s.file('a.txt', 5, 100);
  s.push('add', 'a.txt');
  await s.clock.advance(499);
  assert.equal(s.stats(), 0, 'not checked before settleMs');
  await s.clock.advance(1);
  assert.equal(s.stats(), 1);
  assert.equal(s.batches.length, 0, 'one stat is not enough');
  await s.clock.advance(200);
  assert.equal(s.stats(), 2);
  assert.deepEqual(s.batches, [
    { changes: [{ type: 'add', relPath: 'a.txt', size: 5, mtimeMs: 100 }], symlinks: [] },
  ]);
  assert.equal(s.agg.pendingCount, 0);
});

test('a file written to keeps waiting until its events stop', async () => {
  const s = setup();
  s.file('big.iso', 1);
  s.push('add', 'big.iso');
  for (let i = 2; i <= 10; i++) {
    await s.clock.advance(300);
    s.file('big.iso', i, i);
    s.push('change', 'big.iso');
  }
  assert.equal(s.batches.length, 0);
  await s.clock.advance(5000);
  assert.deepEqual(s.changes(), [{ type: 'add', relPath: 'big.iso', size: 10, mtimeMs: 10 }]);
});

test('a size or mtime that moves between the two stats means another round', async () => {
  const s = setup();
  s.file('a.bin', 1, 1);
  s.push('add', 'a.bin');
  await s.clock.advance(500);
  s.file('a.bin', 2, 1); // grew without an event
  await s.clock.advance(200);
  assert.equal(s.batches.length, 0);
  s.file('a.bin', 2, 2); // touched without an event
  await s.clock.advance(200);
  assert.equal(s.batches.length, 0);
  await s.clock.advance(200);
  assert.deepEqual(s.changes(), [{ type: 'add', relPath: 'a.bin', size: 2, mtimeMs: 2 }]);
  assert.equal(s.stats(), 4);
});

test('bursts on one path merge', async () => {
  const s = setup();
  s.file('added-then-edited', 3);
  s.push('add', 'added-then-edited');
  s.push('change', 'added-then-edited');
  s.push('change', 'added-then-edited');
  s.push('add', 'added-then-removed');
  s.push('change', 'added-then-removed');
  s.push('unlink', 'added-then-removed');
  s.file('replaced', 7); // an editor's save: unlink, then a new file under the old name
  s.push('unlink', 'replaced');
  s.push('add', 'replaced');
  s.push('change', 'edited-then-removed');
  s.push('unlink', 'edited-then-removed');
  s.push('addDir', 'tmpdir');
  s.push('unlinkDir', 'tmpdir');
  s.fsys.set('newdir', { kind: 'dir', size: 0, mtimeMs: 0 });
  s.push('addDir', 'newdir');
  s.push('unlinkDir', 'olddir');
  await s.clock.advance(2000);
  assert.equal(s.batches.length, 1, 'one batch for the burst');
  // Pairs that cancel out cost no stat: 5 paths left; files that exist stat twice.
  assert.equal(s.stats(), 2 + 2 + 1 + 1 + 1);
  assert.deepEqual(s.changes(), [
    { type: 'add', relPath: 'added-then-edited', size: 3, mtimeMs: 1 },
    { type: 'unlink', relPath: 'edited-then-removed' },
    { type: 'addDir', relPath: 'newdir' },
    { type: 'unlinkDir', relPath: 'olddir' },
    { type: 'change', relPath: 'replaced', size: 7, mtimeMs: 1 },
  ]);
});

test('the stat has the last word: an add that is gone is dropped, a change that is gone is a delete', async () => {
  const s = setup();
  s.push('add', 'ghost'); // not on disk any more
  s.push('change', 'was-there');
  s.fsys.set('now-a-dir', { kind: 'dir', size: 0, mtimeMs: 0 });
  s.push('add', 'now-a-dir');
  s.file('back-again', 4);
  s.push('unlink', 'back-again'); // missed the add: it exists, so it changed
  await s.clock.advance(2000);
  assert.deepEqual(s.changes(), [
    { type: 'change', relPath: 'back-again', size: 4, mtimeMs: 1 },
    { type: 'unlink', relPath: 'was-there' },
  ]);
});

test('a rename (unlink + add) lands in one batch, though the add needs a second stat', async () => {
  const s = setup();
  s.file('new-name.txt', 9);
  s.push('unlink', 'old-name.txt');
  s.push('add', 'new-name.txt');
  await s.clock.advance(3000);
  assert.equal(s.batches.length, 1);
  assert.deepEqual(
    s.changes().map((c) => [c.type, c.relPath]),
    [
      ['add', 'new-name.txt'],
      ['unlink', 'old-name.txt'],
    ],
  );
});

test('batches are capped at maxBatch; the rest follows after minIntervalMs', async () => {
  const s = setup({ maxBatch: 1000, minIntervalMs: 1000 });
  for (let i = 0; i < 2500; i++) {
    const p = `f${String(i).padStart(4, '0')}`;
    s.file(p);
    s.push('add', p);
  }
  await s.clock.advance(700);
  assert.deepEqual(
    s.batches.map((b) => b.changes.length),
    [1000],
  );
  await s.clock.advance(999);
  assert.equal(s.batches.length, 1, 'spaced by minIntervalMs');
  await s.clock.advance(1);
  assert.equal(s.batches.length, 2);
  await s.clock.advance(1000);
  assert.deepEqual(
    s.batches.map((b) => b.changes.length),
    [1000, 1000, 500],
  );
  const all = s.changes().map((c) => c.relPath);
  assert.equal(new Set(all).size, 2500, 'nothing lost or repeated');
  const first = s.batches[0]?.changes.map((c) => c.relPath) ?? [];
  assert.deepEqual(first, [...first].sort(), 'a batch is sorted by path');
});

test('ready changes wait for a burst to settle, but not longer than maxWaitMs', async () => {
  const at: number[] = [];
  const s = setup({
    maxWaitMs: 3000,
    onBatch: (b) => void at.push(s.clock.now(), b.changes.length),
  });
  s.file('done.txt');
  s.push('add', 'done.txt');
  s.file('app.log');
  s.push('add', 'app.log');
  // done.txt is ready at 700 ms; app.log is written every 200 ms and never settles.
  for (let t = 200; t <= 5000; t += 200) {
    await s.clock.advance(200);
    s.file('app.log', t, t);
    s.push('change', 'app.log');
  }
  assert.deepEqual(at, [700 + 3000, 1]);
});

test('the next batch waits until the handler of the last one is done', async () => {
  let release = () => {};
  const handled: number[] = [];
  const s = setup({
    minIntervalMs: 0,
    onBatch: async (b) => {
      handled.push(b.changes.length);
      await new Promise<void>((r) => (release = r));
    },
  });
  s.file('a');
  s.push('add', 'a');
  await s.clock.advance(1000);
  assert.deepEqual(handled, [1]);
  s.file('b');
  s.push('add', 'b');
  await s.clock.advance(5000);
  assert.deepEqual(handled, [1], 'still busy with the first');
  release();
  await s.clock.advance(0);
  assert.deepEqual(handled, [1, 1]);
  release();
});

test('symlinks are reported, not synced; failed stats and handlers go to onError', async () => {
  let fail = true;
  const s = setup({
    onBatch: (b) => {
      s.batches.push(b);
      if (fail) throw new Error('handler broke');
    },
  });
  s.fsys.set('link', { kind: 'symlink', size: 0, mtimeMs: 0 });
  s.push('add', 'link');
  s.fsys.set('locked', { kind: 'other', size: 0, mtimeMs: 0 }); // the fake stat throws
  s.push('change', 'locked');
  await s.clock.advance(2000);
  assert.deepEqual(s.batches, [{ changes: [], symlinks: ['link'] }]);
  assert.deepEqual(
    s.errors.map((e) => e.message),
    [
      'cannot check "locked": EACCES: permission denied; it is retried at the next rescan',
      'handler broke',
    ],
  );
  fail = false;
  s.file('x');
  s.push('add', 'x');
  await s.clock.advance(2000);
  assert.equal(s.batches.length, 2, 'a throwing handler does not stop later batches');
});

test('flush checks everything now and hands it all out, capped, without spacing', async () => {
  const s = setup({ maxBatch: 2, minIntervalMs: 60_000 });
  for (const p of ['a', 'b', 'c', 'd', 'e']) {
    s.file(p);
    s.push('add', p);
  }
  s.push('unlink', 'gone');
  await s.agg.flush();
  assert.equal(s.clock.t, 0, 'no time passed');
  assert.deepEqual(
    s.batches.map((b) => b.changes.map((c) => c.relPath)),
    [
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'gone'],
    ],
  );
  assert.equal(s.agg.pendingCount, 0);
  await s.clock.advance(10_000);
  assert.equal(s.batches.length, 3, 'nothing left to send');
});

test('after dispose nothing is checked or sent', async () => {
  const s = setup();
  s.file('a');
  s.push('add', 'a');
  await s.clock.advance(500);
  s.agg.dispose();
  s.push('add', 'b');
  await s.clock.advance(5000);
  assert.equal(s.batches.length, 0);
  assert.equal(s.agg.pendingCount, 0);
});

test('needs a root or a stat function', () => {
  assert.throws(() => new ChangeAggregator({ onBatch: () => {} }), /root or a stat/);
});

test('a FIFO, socket or device that appears is handed out as special, not as a change', async () => {
  const s = setup({
    stat: async (p) =>
      p === 'pipe' ? { kind: 'other', size: 0, mtimeMs: 1, special: 'named pipe' } : null,
  });
  s.push('add', 'pipe');
  await s.clock.advance(5_000);
  assert.deepEqual(s.batches, [
    { changes: [], symlinks: [], special: [{ relPath: 'pipe', what: 'named pipe' }] },
  ]);
});
