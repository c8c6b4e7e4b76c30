// Real chokidar on a temp dir, through the aggregator. Every wait is for a condition with
// a generous deadline, so a loaded machine makes it slower, not red.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { ChangeAggregator, type ChangeBatch } from '../../main/core/watch/aggregator.js';
import { IgnoreRules } from '../../main/core/watch/ignore-rules.js';
import { FolderWatcher, type RawEvent } from '../../main/core/watch/watcher.js';
import { tempDir } from '../helpers/temp-dir.js';

const DEADLINE_MS = 30_000;

async function waitFor(what: string, cond: () => boolean): Promise<void> {
  const until = Date.now() + DEADLINE_MS;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function start(t: TestContext, opts: { rules?: boolean } = {}) {
  const { dir, cleanup } = tempDir('rs-watch-');
  const batches: ChangeBatch[] = [];
  const raw: RawEvent[] = [];
  const errors: Error[] = [];
  const rules = opts.rules ? await IgnoreRules.load(dir) : undefined;
  const agg = new ChangeAggregator({
    root: dir,
    onBatch: (b) => void batches.push(b),
    onError: (e) => errors.push(e),
    minIntervalMs: 100,
  });
  const watcher = await FolderWatcher.start(dir, {
    rules,
    onEvent: (e) => {
      raw.push(e);
      agg.push(e);
    },
    onError: (e) => errors.push(e),
  });
  t.after(async () => {
    await watcher.close();
    agg.dispose();
    cleanup();
  });
  const changes = () => batches.flatMap((b) => b.changes);
  const has = (type: string, relPath: string) =>
    changes().some((c) => c.type === type && c.relPath === relPath);
  const write = (rel: string, content: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  };
  const waitAll = (...want: [string, string][]) =>
    waitFor(want.map((x) => x.join(' ')).join(', '), () => want.every(([ty, p]) => has(ty, p)));
  return { dir, batches, raw, errors, rules, changes, has, write, waitAll };
}

test('create, modify, rename and delete files come out as settled batches', async (t) => {
  const w = await start(t);

  w.write('a.txt', 'hello');
  w.write('docs/b.txt', 'bee');
  await w.waitAll(['add', 'a.txt'], ['addDir', 'docs'], ['add', 'docs/b.txt']);
  const a = w.changes().find((c) => c.relPath === 'a.txt');
  assert.equal(a?.type === 'add' && a.size, 5);

  const before = w.changes().length;
  fs.appendFileSync(path.join(w.dir, 'a.txt'), ', world');
  await waitFor('the change of a.txt', () => w.has('change', 'a.txt'));
  const edit = w.changes().slice(before);
  assert.deepEqual(
    edit.map((c) => [c.type, c.relPath, c.type === 'change' ? c.size : -1]),
    [['change', 'a.txt', 12]],
    'one change, not one per write',
  );

  fs.renameSync(path.join(w.dir, 'a.txt'), path.join(w.dir, 'c.txt'));
  await waitFor('the rename', () => w.has('unlink', 'a.txt') && w.has('add', 'c.txt'));
  const renameBatch = w.batches.find((b) => b.changes.some((c) => c.relPath === 'c.txt'));
  assert.deepEqual(
    renameBatch?.changes.map((c) => [c.type, c.relPath]),
    [
      ['unlink', 'a.txt'],
      ['add', 'c.txt'],
    ],
    'both halves of a rename in one batch, so rename detection sees them together',
  );

  fs.rmSync(path.join(w.dir, 'c.txt'));
  await waitFor('the delete of c.txt', () => w.has('unlink', 'c.txt'));

  fs.rmSync(path.join(w.dir, 'docs'), { recursive: true });
  await waitFor('the removal of docs/', () => w.has('unlinkDir', 'docs'));
  assert.ok(w.has('unlink', 'docs/b.txt'), 'files of a removed folder are deletes too');
  assert.deepEqual(w.errors, []);
});

test('a file written in many pieces is reported once, with its final size', async (t) => {
  const w = await start(t);
  const fd = fs.openSync(path.join(w.dir, 'big.bin'), 'w');
  const chunk = Buffer.alloc(64 * 1024, 7);
  for (let i = 0; i < 32; i++) {
    fs.writeSync(fd, chunk);
    await new Promise((r) => setTimeout(r, 20));
  }
  fs.closeSync(fd);
  await waitFor('big.bin', () => w.has('add', 'big.bin'));
  const adds = w.changes().filter((c) => c.relPath === 'big.bin');
  assert.equal(adds.length, 1);
  assert.equal(adds[0]?.type === 'add' && adds[0].size, 32 * 64 * 1024);
});

test('ignored files are not reported; an edit of .syncignore takes effect', async (t) => {
  const w = await start(t, { rules: true });
  w.write('notes.txt.swp', 'vim');
  w.write('.rs-tmp-123', 'ours');
  w.write('sentinel-1.txt', 's');
  await waitFor('sentinel-1', () => w.has('add', 'sentinel-1.txt'));
  assert.equal(
    w.raw.some((e) => e.relPath === 'notes.txt.swp' || e.relPath === '.rs-tmp-123'),
    false,
  );

  const changed = new Promise<void>((resolve) => w.rules?.onDidChange(() => resolve()));
  w.write('.syncignore', '*.log\n');
  await changed;
  w.write('server.log', 'log');
  w.write('sentinel-2.txt', 's');
  await waitFor('sentinel-2', () => w.has('add', 'sentinel-2.txt'));
  assert.ok(w.has('add', '.syncignore'), '.syncignore itself syncs');
  assert.equal(
    w.raw.some((e) => e.relPath === 'server.log'),
    false,
  );
});

test('a symlink is reported as such and never followed', async (t) => {
  const w = await start(t);
  const { dir: outside, cleanup } = tempDir('rs-outside-');
  t.after(cleanup);
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'outside');
  fs.symlinkSync(outside, path.join(w.dir, 'link'));
  w.write('sentinel.txt', 's');
  await waitFor('the symlink report', () => w.batches.some((b) => b.symlinks.includes('link')));
  await waitFor('the sentinel', () => w.has('add', 'sentinel.txt'));
  assert.equal(
    w.changes().some((c) => c.relPath.startsWith('link')),
    false,
  );
  fs.writeFileSync(path.join(outside, 'new.txt'), 'still outside');
  w.write('sentinel-2.txt', 's');
  await waitFor('the second sentinel', () => w.has('add', 'sentinel-2.txt'));
  assert.equal(
    w.raw.some((e) => e.relPath.includes('secret') || e.relPath.includes('new.txt')),
    false,
  );
});

test('watching a missing folder fails with the folder and the fix named', async () => {
  await assert.rejects(
    FolderWatcher.start('/nonexistent/replica-sync-test', { onEvent: () => {} }),
    /cannot watch \/nonexistent\/replica-sync-test \(ENOENT\); reconnect the drive/,
  );
});
