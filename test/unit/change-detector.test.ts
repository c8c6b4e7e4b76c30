import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { FolderTable, openIndexDb } from '../../main/core/index/index-db.js';
import { FileIndex, type FileRecord, type SyncState } from '../../main/core/index/file-index.js';
import {
  applyTouches,
  detectChanges,
  fileHasher,
  fromBatch,
  fromScan,
  hashFile,
  type DetectInput,
} from '../../main/core/sync/change-detector.js';
import { tempDir } from '../helpers/temp-dir.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** An index and a fake disk: file contents by path, with a counting hash. */
function setup() {
  const db = openIndexDb(':memory:');
  new FolderTable(db).add({ id: 'f', localPath: '/x', bucket: 'b', prefix: '', region: 'r' });
  const index = new FileIndex(db);
  const disk = new Map<string, string>();
  const hashedPaths: string[] = [];
  const indexed = (
    relPath: string,
    content: string,
    over: {
      state?: SyncState;
      mtimeMs?: number;
      versionId?: string | null;
      sha?: string | null;
    } = {},
  ) =>
    index.upsert({
      folderId: 'f',
      relPath,
      key: relPath,
      size: content.length,
      mtimeMs: over.mtimeMs ?? 1000,
      sha256: over.sha === undefined ? sha(content) : over.sha,
      state: over.state ?? 'synced',
      versionId: over.versionId === undefined ? `v-${relPath}` : over.versionId,
      etag: '"e"',
    });
  const run = (input: DetectInput) =>
    detectChanges(input, {
      getRecord: (p) => index.get('f', p),
      hash: async (p) => {
        hashedPaths.push(p);
        const content = disk.get(p);
        if (content === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
        if (content === '<locked>') {
          throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
        }
        return sha(content);
      },
    });
  const entry = (relPath: string, mtimeMs = 2000) => ({
    relPath,
    size: (disk.get(relPath) ?? '').length,
    mtimeMs,
  });
  return { index, disk, hashedPaths, indexed, run, entry };
}

test('same size and mtime as the index: unchanged, not even hashed', async () => {
  const s = setup();
  s.indexed('a.txt', 'hello', { mtimeMs: 1000 });
  s.disk.set('a.txt', 'hello');
  assert.deepEqual(await s.run({ present: [s.entry('a.txt', 1000)], removed: [] }), []);
  assert.deepEqual(s.hashedPaths, []);
});

test('new mtime, same content: a touch that uploads nothing and updates the index', async () => {
  const s = setup();
  s.indexed('a.txt', 'hello');
  s.disk.set('a.txt', 'hello');
  const decisions = await s.run({ present: [s.entry('a.txt', 5000)], removed: [] });
  assert.deepEqual(decisions, [
    { kind: 'touch', relPath: 'a.txt', size: 5, mtimeMs: 5000, sha256: sha('hello') },
  ]);
  assert.equal(applyTouches(s.index, 'f', decisions), 1);
  assert.equal(s.index.get('f', 'a.txt')?.mtimeMs, 5000);
  // The next look finds it unchanged without hashing.
  s.hashedPaths.length = 0;
  assert.deepEqual(await s.run({ present: [s.entry('a.txt', 5000)], removed: [] }), []);
  assert.deepEqual(s.hashedPaths, []);
});

test('same size, different content: an edit with the new hash', async () => {
  const s = setup();
  s.indexed('a.txt', 'hello');
  s.disk.set('a.txt', 'HELLO');
  const [d] = await s.run({ present: [s.entry('a.txt')], removed: [] });
  assert.equal(d?.kind, 'upload');
  assert.equal(d?.kind === 'upload' && d.reason, 'edit');
  assert.equal(d?.kind === 'upload' && d.sha256, sha('HELLO'));
  assert.equal(d?.kind === 'upload' && d.record?.versionId, 'v-a.txt');
});

test('a different size is an edit without hashing; no synced version makes it new', async () => {
  const s = setup();
  s.indexed('a.txt', 'hello');
  s.indexed('queued.txt', 'q', { state: 'pending', versionId: null });
  s.disk.set('a.txt', 'hello, world');
  s.disk.set('queued.txt', 'qq');
  const decisions = await s.run({
    present: [s.entry('a.txt'), s.entry('queued.txt')],
    removed: [],
  });
  assert.deepEqual(
    decisions.map((d) => d.kind === 'upload' && [d.reason, d.relPath, d.sha256]),
    [
      ['edit', 'a.txt', null],
      ['new', 'queued.txt', null],
    ],
  );
  assert.deepEqual(s.hashedPaths, []);
});

test('an unknown path, or one whose row says deleted, is new', async () => {
  const s = setup();
  s.indexed('back.txt', 'x', { state: 'deleted' });
  s.disk.set('back.txt', 'x');
  s.disk.set('brand-new.txt', 'fresh');
  const decisions = await s.run({
    present: [s.entry('brand-new.txt'), s.entry('back.txt')],
    removed: [],
  });
  assert.deepEqual(
    decisions.map((d) => d.kind === 'upload' && [d.reason, d.relPath, d.record?.state ?? null]),
    [
      ['new', 'back.txt', 'deleted'],
      ['new', 'brand-new.txt', null],
    ],
  );
});

test('a synced file gone and one of the same size and content added: a rename', async () => {
  const s = setup();
  s.indexed('docs/report.pdf', 'PDF-CONTENT');
  s.indexed('other.bin', 'xxxxxxxxxxx'); // same size, different content, stays put
  s.disk.set('archive/report.pdf', 'PDF-CONTENT');
  s.disk.set('other.bin', 'xxxxxxxxxxx');
  const decisions = await s.run({
    present: [s.entry('archive/report.pdf')],
    removed: ['docs/report.pdf'],
  });
  assert.equal(decisions.length, 1);
  const [d] = decisions;
  assert.equal(d?.kind, 'rename');
  if (d?.kind !== 'rename') return;
  assert.equal(d.from, 'docs/report.pdf');
  assert.equal(d.to, 'archive/report.pdf');
  assert.equal(d.sha256, sha('PDF-CONTENT'));
  assert.equal(d.record.versionId, 'v-docs/report.pdf');
});

test('only same-size candidates are hashed; unmatched ones are new files and deletes', async () => {
  const s = setup();
  s.indexed('old.txt', 'abc');
  s.disk.set('different-size.txt', 'abcdef');
  s.disk.set('same-size-other.txt', 'xyz');
  const decisions = await s.run({
    present: [s.entry('different-size.txt'), s.entry('same-size-other.txt')],
    removed: ['old.txt'],
  });
  assert.deepEqual(s.hashedPaths, ['same-size-other.txt']);
  assert.deepEqual(
    decisions.map((d) => [d.kind, d.kind === 'rename' ? d.to : d.relPath]),
    [
      ['upload', 'different-size.txt'],
      ['delete', 'old.txt'],
      ['upload', 'same-size-other.txt'],
    ],
  );
  const same = decisions.find((d) => d.kind === 'upload' && d.relPath === 'same-size-other.txt');
  assert.equal(same?.kind === 'upload' && same.sha256, sha('xyz'), 'a hash made is passed on');
});

test('a rename needs a synced source with a hash; others are delete + new', async () => {
  const s = setup();
  s.indexed('pending.txt', 'same', { state: 'pending' });
  s.indexed('nohash.txt', 'four', { sha: null });
  s.disk.set('moved-pending.txt', 'same');
  s.disk.set('moved-nohash.txt', 'four');
  const decisions = await s.run({
    present: [s.entry('moved-pending.txt'), s.entry('moved-nohash.txt')],
    removed: ['pending.txt', 'nohash.txt', 'never-indexed.txt'],
  });
  assert.deepEqual(
    decisions.map((d) => [d.kind, d.kind === 'rename' ? d.to : d.relPath]),
    [
      ['upload', 'moved-nohash.txt'],
      ['upload', 'moved-pending.txt'],
      ['delete', 'nohash.txt'],
      ['delete', 'pending.txt'],
    ],
  );
});

test('identical copies: each source is used once, the same name preferred', async () => {
  const s = setup();
  s.indexed('a/logo.png', 'PNG');
  s.indexed('b/icon.png', 'PNG');
  s.disk.set('c/icon.png', 'PNG');
  s.disk.set('c/logo.png', 'PNG');
  s.disk.set('c/third.png', 'PNG');
  const decisions = await s.run({
    present: [s.entry('c/third.png'), s.entry('c/logo.png'), s.entry('c/icon.png')],
    removed: ['a/logo.png', 'b/icon.png'],
  });
  assert.deepEqual(
    decisions.map((d) => (d.kind === 'rename' ? `${d.from} -> ${d.to}` : `${d.kind} ${d.relPath}`)),
    ['b/icon.png -> c/icon.png', 'a/logo.png -> c/logo.png', 'upload c/third.png'],
  );
});

test('a file gone before hashing is skipped; an unreadable one is reported', async () => {
  const s = setup();
  s.indexed('vanished.txt', 'abc');
  s.indexed('locked.txt', 'abc');
  s.disk.set('locked.txt', '<locked>');
  const decisions = await s.run({
    present: [
      { relPath: 'vanished.txt', size: 3, mtimeMs: 9 },
      { relPath: 'locked.txt', size: 3, mtimeMs: 9 },
    ],
    removed: [],
  });
  assert.equal(decisions.length, 1);
  assert.equal(decisions[0]?.kind, 'unreadable');
  assert.match(
    decisions[0]?.kind === 'unreadable' ? decisions[0].message : '',
    /cannot read "locked\.txt" \(EACCES\); give read permission or add it to \.syncignore/,
  );
});

test('fromBatch and fromScan build the input', () => {
  assert.deepEqual(
    fromBatch([
      { type: 'add', relPath: 'a', size: 1, mtimeMs: 2 },
      { type: 'change', relPath: 'b', size: 3, mtimeMs: 4 },
      { type: 'unlink', relPath: 'c' },
      { type: 'addDir', relPath: 'd' },
      { type: 'unlinkDir', relPath: 'e' },
    ]),
    {
      present: [
        { relPath: 'a', size: 1, mtimeMs: 2 },
        { relPath: 'b', size: 3, mtimeMs: 4 },
      ],
      removed: ['c'],
    },
  );
  const rec = (relPath: string, state: SyncState) => ({ relPath, state }) as FileRecord;
  assert.deepEqual(
    fromScan(
      [{ relPath: 'kept', size: 1, mtimeMs: 1 }],
      [rec('kept', 'synced'), rec('gone', 'synced'), rec('long-gone', 'deleted')],
    ),
    { present: [{ relPath: 'kept', size: 1, mtimeMs: 1 }], removed: ['gone'] },
  );
});

test('hashFile streams the real content; fileHasher resolves under the root', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const big = Buffer.alloc(3 * 1024 * 1024 + 17, 0x5a);
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.writeFileSync(path.join(dir, 'sub', 'big.bin'), big);
  const expected = createHash('sha256').update(big).digest('hex');
  assert.equal(await hashFile(path.join(dir, 'sub', 'big.bin')), expected);
  assert.equal(await fileHasher(dir)('sub/big.bin'), expected);
  await assert.rejects(hashFile(path.join(dir, 'missing')), { code: 'ENOENT' });
});
