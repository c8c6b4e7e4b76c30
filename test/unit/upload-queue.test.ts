import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  UploadQueue,
  type QueueEvent,
  type QueueTask,
  type QueueTaskContext,
} from '../../main/core/transfer/upload-queue.js';

/** A task that runs until released (or aborted), recording what happened. */
class Gate {
  readonly started: string[] = [];
  running = 0;
  maxRunning = 0;
  private readonly waiting = new Map<string, () => void>();

  task(label: string, opts: { fail?: boolean } = {}): QueueTask {
    return (ctx: QueueTaskContext) =>
      new Promise<string>((resolve, reject) => {
        this.started.push(label);
        this.running++;
        this.maxRunning = Math.max(this.maxRunning, this.running);
        const end = (): void => {
          this.running--;
          this.waiting.delete(label);
        };
        ctx.signal.addEventListener('abort', () => {
          end();
          reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
        });
        this.waiting.set(label, () => {
          ctx.progress(10, 10);
          end();
          if (opts.fail) reject(new Error(`${label} failed`));
          else resolve(`${label} ok`);
        });
      });
  }

  release(label: string): void {
    const r = this.waiting.get(label);
    assert.ok(r, `${label} is running`);
    r();
  }

  isRunning(label: string): boolean {
    return this.waiting.has(label);
  }
}

function record(q: UploadQueue): QueueEvent[] {
  const events: QueueEvent[] = [];
  q.on((e) => events.push(e));
  return events;
}

const tick = (): Promise<void> => sleep(5);
const of = <T extends QueueEvent['type']>(events: QueueEvent[], type: T) =>
  events.filter((e): e is Extract<QueueEvent, { type: T }> => e.type === type);

test('runs at most `concurrency` items; concurrency changes at runtime', async () => {
  const q = new UploadQueue({ concurrency: 2 });
  const g = new Gate();
  for (const id of ['a', 'b', 'c', 'd', 'e']) q.add(id, g.task(id));
  await tick();
  assert.deepEqual(g.started, ['a', 'b']);
  q.setConcurrency(4);
  await tick();
  assert.deepEqual(g.started, ['a', 'b', 'c', 'd']);
  q.setConcurrency(1);
  g.release('a');
  g.release('b');
  g.release('c');
  await tick();
  assert.deepEqual(g.started, ['a', 'b', 'c', 'd'], 'no new start while over the new limit');
  g.release('d');
  await tick();
  assert.deepEqual(g.started, ['a', 'b', 'c', 'd', 'e']);
  g.release('e');
  await q.onIdle();
  assert.equal(g.maxRunning, 4);
  assert.throws(() => q.setConcurrency(0), RangeError);
});

test('pause stops new starts; resume continues', async () => {
  const q = new UploadQueue({ concurrency: 1, paused: true });
  const g = new Gate();
  q.add('a', g.task('a'));
  await tick();
  assert.equal(q.paused, true);
  assert.deepEqual(g.started, []);
  q.resume();
  await tick();
  assert.deepEqual(g.started, ['a']);
  q.pause();
  q.add('b', g.task('b'));
  g.release('a');
  await tick();
  assert.deepEqual(g.started, ['a'], 'the running item finished, the next did not start');
  q.resume();
  await tick();
  g.release('b');
  await q.onIdle();
  assert.deepEqual(g.started, ['a', 'b']);
});

test('a path queued twice runs once, with the latest task', async () => {
  const q = new UploadQueue({ concurrency: 2, paused: true });
  const events = record(q);
  const g = new Gate();
  q.add('docs/a.txt', g.task('first'), 100);
  q.add('docs/a.txt', g.task('second'), 200);
  assert.deepEqual(
    q.items().map((i) => [i.id, i.state, i.total]),
    [['docs/a.txt', 'queued', 200]],
  );
  q.resume();
  await tick();
  g.release('second');
  await q.onIdle();
  assert.deepEqual(g.started, ['second']);
  assert.deepEqual(
    of(events, 'done').map((e) => [e.id, e.result]),
    [['docs/a.txt', 'second ok']],
  );
});

test('a path added while it runs gets one follow-up run with the latest task', async () => {
  const q = new UploadQueue({ concurrency: 1 });
  const g = new Gate();
  q.add('a', g.task('v1'));
  await tick();
  q.add('a', g.task('v2'));
  q.add('a', g.task('v3'));
  g.release('v1');
  await tick();
  assert.deepEqual(g.started, ['v1', 'v3']);
  g.release('v3');
  await q.onIdle();
  assert.deepEqual(g.started, ['v1', 'v3']);
});

test('cancel removes a waiting item and aborts a running one; cancelAll clears', async () => {
  const q = new UploadQueue({ concurrency: 1 });
  const events = record(q);
  const g = new Gate();
  q.add('run', g.task('run'));
  q.add('wait', g.task('wait'));
  await tick();
  assert.equal(q.cancel('wait'), true);
  assert.equal(q.cancel('nothing'), false);
  assert.equal(q.cancel('run'), true);
  await q.onIdle();
  assert.deepEqual(g.started, ['run']);
  assert.deepEqual(
    of(events, 'cancelled').map((e) => e.id),
    ['wait', 'run'],
  );
  assert.equal(of(events, 'failed').length, 0);

  q.add('x', g.task('x'));
  q.add('y', g.task('y'));
  q.add('z', g.task('z'));
  await tick();
  q.cancelAll();
  await q.onIdle();
  assert.deepEqual(g.started, ['run', 'x']);
  assert.deepEqual(q.items(), []);
});

test('a path re-added after cancelling its running upload runs again', async () => {
  const q = new UploadQueue({ concurrency: 1 });
  const g = new Gate();
  q.add('a', g.task('v1'));
  await tick();
  q.cancel('a');
  q.add('a', g.task('v2'));
  await tick();
  assert.deepEqual(g.started, ['v1', 'v2']);
  g.release('v2');
  await q.onIdle();
});

test('pause with interruptRunning aborts running items and runs them first on resume', async () => {
  const q = new UploadQueue({ concurrency: 1 });
  const events = record(q);
  const g = new Gate();
  q.add('big', g.task('big'));
  q.add('small', g.task('small'));
  await tick();
  q.pause({ interruptRunning: true });
  await tick();
  assert.equal(g.isRunning('big'), false);
  assert.deepEqual(
    q.items().map((i) => [i.id, i.state]),
    [
      ['small', 'queued'],
      ['big', 'queued'],
    ],
  );
  q.resume();
  await tick();
  assert.deepEqual(g.started, ['big', 'big']);
  g.release('big');
  await tick();
  g.release('small');
  await q.onIdle();
  assert.deepEqual(g.started, ['big', 'big', 'small']);
  assert.equal(of(events, 'cancelled').length, 0, 'an interruption is not a cancel');
});

test('failures are reported and the queue goes on', async () => {
  const q = new UploadQueue({ concurrency: 1 });
  const events = record(q);
  const g = new Gate();
  q.add('bad', g.task('bad', { fail: true }));
  q.add('good', g.task('good'));
  await tick();
  g.release('bad');
  await tick();
  g.release('good');
  await q.onIdle();
  const failed = of(events, 'failed');
  assert.equal(failed.length, 1);
  assert.match(String((failed[0]?.error as Error).message), /bad failed/);
  assert.deepEqual(
    of(events, 'done').map((e) => e.id),
    ['good'],
  );
});

test('per-item and total progress; the total starts over after idle', async () => {
  const q = new UploadQueue({ concurrency: 2 });
  const events = record(q);
  const g = new Gate();
  q.add('a', g.task('a'), 10);
  q.add('b', g.task('b'), 10);
  await tick();
  g.release('a');
  await tick();
  const mid = of(events, 'total-progress').at(-1);
  assert.deepEqual(mid, { type: 'total-progress', sent: 10, total: 20, queued: 0, running: 1 });
  g.release('b');
  await q.onIdle();
  assert.deepEqual(
    of(events, 'progress').map((e) => [e.id, e.sent, e.total]),
    [
      ['a', 10, 10],
      ['b', 10, 10],
    ],
  );
  assert.equal(of(events, 'idle').length, 1);
  q.add('c', g.task('c'), 5);
  await tick();
  const fresh = of(events, 'total-progress').at(-1);
  assert.deepEqual(fresh, { type: 'total-progress', sent: 0, total: 5, queued: 0, running: 1 });
  g.release('c');
  await q.onIdle();
});

test('a delayed item (a retry) waits, counted as queued, then runs; cancel drops it', async () => {
  const q = new UploadQueue({ concurrency: 2 });
  const g = new Gate();
  const t0 = Date.now();
  q.add('later', g.task('later'), 10, { delayMs: 120 });
  q.add('gone', g.task('gone'), 10, { delayMs: 50 });
  q.add('now', g.task('now'));
  await tick();
  assert.deepEqual(g.started, ['now']);
  assert.equal(q.has('later'), true);
  const later = q.items().find((i) => i.id === 'later');
  assert.equal(later?.state, 'queued');
  assert.ok(later?.retryAt !== undefined && later.retryAt >= t0 + 120);
  q.cancel('gone');
  // Re-adding a waiting path keeps its delay.
  q.add('later', g.task('later-2'), 10);
  g.release('now');
  await sleep(80);
  assert.deepEqual(g.started, ['now'], 'nothing delayed ran early; the cancelled one never runs');
  let idle = false;
  void q.onIdle().then(() => (idle = true));
  await sleep(80);
  assert.deepEqual(g.started, ['now', 'later-2']);
  assert.equal(idle, false, 'not idle while a retry is due or running');
  g.release('later-2');
  await q.onIdle();
});

test('a delayed re-add from a running task waits its delay after the task ends', async () => {
  const q = new UploadQueue({ concurrency: 1 });
  const g = new Gate();
  q.add('a', g.task('first'));
  await tick();
  q.add('a', g.task('retry'), 0, { delayMs: 60 });
  g.release('first');
  await sleep(30);
  assert.deepEqual(g.started, ['first']);
  await sleep(60);
  assert.deepEqual(g.started, ['first', 'retry']);
  g.release('retry');
  await q.onIdle();
});
