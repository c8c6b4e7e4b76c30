import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { IgnoreRules } from '../../main/core/watch/ignore-rules.js';
import { limitConcurrency, scanFolder } from '../../main/core/watch/scanner.js';
import { tempDir } from '../helpers/temp-dir.js';

function write(root: string, rel: string, content = 'x') {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

test('walks nested folders and returns POSIX paths with size and mtime, sorted', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  write(dir, 'b.txt', 'hello');
  write(dir, 'a/deep/er/c.bin', '123456789');
  write(dir, 'a/z.md', '');
  fs.mkdirSync(path.join(dir, 'empty'));
  const when = new Date('2024-03-01T10:00:00.123Z');
  fs.utimesSync(path.join(dir, 'b.txt'), when, when);

  const { entries, symlinks, problems, ignored } = await scanFolder(dir);
  assert.deepEqual(
    entries.map((e) => [e.relPath, e.size]),
    [
      ['a/deep/er/c.bin', 9],
      ['a/z.md', 0],
      ['b.txt', 5],
    ],
  );
  assert.equal(
    Math.round(entries.find((e) => e.relPath === 'b.txt')?.mtimeMs ?? 0),
    when.getTime(),
  );
  assert.deepEqual(symlinks, []);
  assert.deepEqual(problems, []);
  assert.equal(ignored, 0);
});

test('symlinks are not followed and are reported once across rescans', async (t) => {
  const { dir: outside, cleanup: c1 } = tempDir();
  const { dir, cleanup: c2 } = tempDir();
  t.after(c1);
  t.after(c2);
  write(outside, 'secret.txt', 'outside the folder');
  write(dir, 'real.txt', 'r');
  fs.symlinkSync(outside, path.join(dir, 'link-to-dir'));
  fs.symlinkSync(path.join(dir, 'real.txt'), path.join(dir, 'link-to-file'));
  fs.symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'dangling'));
  fs.mkdirSync(path.join(dir, 'loop'));
  fs.symlinkSync(path.join(dir, 'loop'), path.join(dir, 'loop', 'self'));

  const reported: string[] = [];
  const seen = new Set<string>();
  const opts = { reportedSymlinks: seen, onSymlink: (p: string) => reported.push(p) };
  const first = await scanFolder(dir, opts);
  assert.deepEqual(
    first.entries.map((e) => e.relPath),
    ['real.txt'],
  );
  const links = ['dangling', 'link-to-dir', 'link-to-file', 'loop/self'];
  assert.deepEqual(first.symlinks, links);
  assert.deepEqual([...reported].sort(), links);

  const second = await scanFolder(dir, opts);
  assert.deepEqual(second.symlinks, links, 'the result still lists them');
  assert.equal(reported.length, 4, 'but they are not reported again');

  // A link that goes away and comes back is news again.
  fs.rmSync(path.join(dir, 'dangling'));
  await scanFolder(dir, opts);
  fs.symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'dangling'));
  await scanFolder(dir, opts);
  assert.deepEqual(reported.slice(4), ['dangling']);
});

test('ignore rules leave out files and whole folders without walking them', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  write(dir, '.syncignore', 'node_modules/\n*.log\n');
  write(dir, 'keep.txt');
  write(dir, 'app.log');
  write(dir, 'node_modules/a/b/c.js');
  write(dir, 'node_modules/d.js');
  write(dir, 'doc.txt.swp');
  write(dir, '.replica-sync-trash/old.txt');
  write(dir, 'sub/.rs-tmp-123');
  const rules = await IgnoreRules.load(dir);
  const { entries, ignored } = await scanFolder(dir, { rules });
  assert.deepEqual(
    entries.map((e) => e.relPath),
    ['.syncignore', 'keep.txt'],
  );
  assert.equal(ignored, 5, 'node_modules counts once, its content is never read');
  // Without rules, only the built-ins apply.
  const plain = await scanFolder(dir);
  assert.ok(plain.entries.some((e) => e.relPath === 'app.log'));
  assert.ok(!plain.entries.some((e) => e.relPath === 'doc.txt.swp'));
});

test('a name that is not valid UTF-8 is reported, not mangled into a path', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  write(dir, 'good.txt');
  const bad = Buffer.concat([Buffer.from(dir + path.sep), Buffer.from([0x62, 0xff, 0x2e, 0x74])]);
  try {
    fs.writeFileSync(bad, 'latin-1 name');
  } catch (err) {
    // A file system that refuses such names (e.g. some macOS volumes) cannot hold one.
    assert.equal((err as NodeJS.ErrnoException).code, 'EILSEQ');
    return;
  }
  const { entries, problems } = await scanFolder(dir);
  assert.deepEqual(
    entries.map((e) => e.relPath),
    ['good.txt'],
  );
  assert.equal(problems.length, 1);
  assert.equal(problems[0]?.code, 'invalid-utf8');
  assert.equal(problems[0]?.relPath, 'b\ufffd.t');
  assert.match(problems[0]?.message ?? '', /not valid UTF-8.*rename/);
});

test('a missing root or a file as root is an error naming it', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  await assert.rejects(scanFolder(path.join(dir, 'gone')), /gone cannot be read \(ENOENT\)/);
  const file = write(dir, 'f.txt');
  await assert.rejects(scanFolder(file), /f\.txt is not a folder/);
});

test('an aborted scan stops with an AbortError', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  for (let i = 0; i < 50; i++) write(dir, `d${i}/f.txt`);
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(scanFolder(dir, { signal: ac.signal }), { name: 'AbortError' });
});

test('thousands of files scan with bounded concurrency', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  for (let d = 0; d < 20; d++) {
    fs.mkdirSync(path.join(dir, `d${d}`));
    for (let f = 0; f < 100; f++) fs.writeFileSync(path.join(dir, `d${d}`, `f${f}`), 'x');
  }
  const { entries } = await scanFolder(dir, { concurrency: 4 });
  assert.equal(entries.length, 2000);
});

test('limitConcurrency never runs more than n at once and runs them all', async () => {
  const limit = limitConcurrency(3);
  let active = 0;
  let peak = 0;
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      limit(async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setImmediate(r));
        active--;
        if (i === 5) throw new Error('task 5');
        return i;
      }).catch((err: Error) => err.message),
    ),
  );
  assert.equal(peak, 3);
  assert.equal(results[5], 'task 5');
  assert.equal(results[19], 19);
});

test('a FIFO is reported as a named pipe, not synced and not skipped silently', async (t) => {
  const { dir, cleanup } = tempDir('rs-scan-fifo-');
  t.after(cleanup);
  fs.writeFileSync(path.join(dir, 'a.txt'), 'a');
  execFileSync('mkfifo', [path.join(dir, 'pipe')]);
  const r = await scanFolder(dir);
  assert.deepEqual(
    r.entries.map((e) => e.relPath),
    ['a.txt'],
  );
  assert.deepEqual(
    r.problems.map((p) => [p.code, p.relPath]),
    [['special-file', 'pipe']],
  );
  assert.match(
    r.problems[0]?.message ?? '',
    /"pipe" is a named pipe: Replica Sync syncs regular files only/,
  );
});
