import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  FolderTable,
  INDEX_SCHEMA_VERSION,
  openIndexDb,
  runMigrations,
  type IndexDb,
  type Migration,
} from '../../main/core/index/index-db.js';
import { FileIndex, type FileRecordInput } from '../../main/core/index/file-index.js';
import { MultipartParts } from '../../main/core/index/multipart-parts.js';
import { tempDir } from '../helpers/temp-dir.js';

function memoryIndex(now = () => 1000) {
  const db = openIndexDb(':memory:');
  const folders = new FolderTable(db);
  folders.add({ id: 'f1', localPath: '/data/a', bucket: 'b', prefix: 'p/', region: 'r1' });
  folders.add({ id: 'f2', localPath: '/data/b', bucket: 'b', prefix: '', region: 'r1' });
  return { db, folders, files: new FileIndex(db, { now }), parts: new MultipartParts(db) };
}

const rec = (relPath: string, over: Partial<FileRecordInput> = {}): FileRecordInput => ({
  folderId: 'f1',
  relPath,
  key: `p/${relPath}`,
  size: 10,
  mtimeMs: 1712345678901.123,
  state: 'synced',
  ...over,
});

test('a file index uses WAL, NORMAL sync, foreign keys and the latest schema', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const file = path.join(dir, 'sub', 'index.sqlite');
  const db = openIndexDb(file);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('synchronous', { simple: true }), 1);
  assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
  assert.equal(db.pragma('user_version', { simple: true }), INDEX_SCHEMA_VERSION);
  const idx = db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'index'")
    .all()
    .map((r) => r.name);
  assert.ok(idx.includes('files_sha256') && idx.includes('files_state'), idx.join(','));
  new FolderTable(db).add({ id: 'f', localPath: dir, bucket: 'b', prefix: '', region: 'r' });
  db.close();
  // Reopening runs no step twice and keeps the data.
  const again = openIndexDb(file);
  assert.equal(new FolderTable(again).list().length, 1);
  again.close();
});

test('the migration ladder runs only the missing steps, in order', () => {
  const db = openIndexDb(':memory:', { migrations: [] });
  const ran: number[] = [];
  const step =
    (n: number): Migration =>
    (d: IndexDb) => {
      ran.push(n);
      d.exec(`CREATE TABLE t${n} (x)`);
    };
  assert.equal(runMigrations(db, [step(1), step(2)]), 2);
  assert.deepEqual(ran, [1, 2]);
  runMigrations(db, [step(1), step(2), step(3)]);
  assert.deepEqual(ran, [1, 2, 3]);
  assert.equal(db.pragma('user_version', { simple: true }), 3);
  // A failing step rolls back and leaves the version where it was.
  const broken: Migration = (d) => {
    d.exec('CREATE TABLE t4 (x)');
    throw new Error('boom');
  };
  assert.throws(() => runMigrations(db, [step(1), step(2), step(3), broken]), /boom/);
  assert.equal(db.pragma('user_version', { simple: true }), 3);
  assert.equal(db.prepare("SELECT * FROM sqlite_master WHERE name = 't4'").get(), undefined);
  db.close();
});

test('an index from a newer app version is refused with the fix named', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const file = path.join(dir, 'index.sqlite');
  const db = openIndexDb(file);
  db.pragma(`user_version = ${INDEX_SCHEMA_VERSION + 1}`);
  db.close();
  assert.throws(() => openIndexDb(file), /newer Replica Sync.*update the app/);
});

test('a file that is not a database is reported with the file and the fix', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const file = path.join(dir, 'index.sqlite');
  fs.writeFileSync(file, 'this is not sqlite, just text that is long enough to be a header');
  assert.throws(
    () => openIndexDb(file),
    (err: Error) => {
      assert.match(err.message, /cannot open the index .*index\.sqlite/);
      assert.match(err.message, /move the file away/);
      return true;
    },
  );
});

test('folders: add, list, refuse a duplicate path, remove cascades to files and parts', () => {
  const { db, folders, files, parts } = memoryIndex();
  assert.deepEqual(
    folders.list().map((f) => f.id),
    ['f1', 'f2'],
  );
  assert.equal(folders.get('nope'), undefined);
  assert.equal(folders.get('f1')?.prefix, 'p/');
  assert.equal(folders.get('f1')?.accountId, '');
  const withAccount = folders.add({
    id: 'f9',
    localPath: '/data/c',
    accountId: 'acc-1',
    bucket: 'b',
    prefix: '',
    region: 'r',
    createdAt: 42,
  });
  assert.deepEqual(folders.get('f9'), withAccount);
  assert.equal(folders.get('f9')?.accountId, 'acc-1');
  const peer = { accountId: 'zone-b', bucket: 'b', region: 'zg', label: 'zone-b' };
  folders.add({
    id: 'f8',
    localPath: '/data/d',
    bucket: 'b',
    prefix: '',
    region: 'zg',
    peers: [peer],
    firstStart: true,
  });
  assert.deepEqual(folders.get('f8')?.peers, [peer]);
  assert.equal(folders.get('f8')?.firstStart, true);
  assert.throws(
    () => folders.add({ id: 'f3', localPath: '/data/a', bucket: 'x', prefix: '', region: 'r' }),
    /\/data\/a is already synced/,
  );
  files.upsert(rec('a.txt', { state: 'uploading', uploadId: 'u1' }));
  parts.record('f1', 'a.txt', 'u1', { partNumber: 1, etag: '"e1"', checksum: 'c1', size: 5 });
  assert.equal(folders.remove('f1'), true);
  assert.equal(files.get('f1', 'a.txt'), undefined);
  assert.equal(db.prepare('SELECT count(*) AS n FROM multipart_parts').pluck().get(), 0);
  // A row for an unknown folder is refused.
  assert.throws(() => files.upsert(rec('b.txt')), /FOREIGN KEY/);
});

test('upsert, get, update, setState and remove a file row', () => {
  let clock = 1000;
  const { files } = memoryIndex(() => clock);
  files.upsert(rec('dir/a.txt', { sha256: 'aa', versionId: 'v1', etag: '"e"' }));
  const a = files.get('f1', 'dir/a.txt');
  assert.deepEqual(a, {
    folderId: 'f1',
    relPath: 'dir/a.txt',
    key: 'p/dir/a.txt',
    size: 10,
    mtimeMs: 1712345678901.123,
    sha256: 'aa',
    state: 'synced',
    versionId: 'v1',
    etag: '"e"',
    uploadId: null,
    error: null,
    updatedAt: 1000,
  });
  assert.equal(files.get('f2', 'dir/a.txt'), undefined);

  clock = 2000;
  files.upsert(rec('dir/a.txt', { size: 11, state: 'pending' }));
  const b = files.get('f1', 'dir/a.txt');
  assert.equal(b?.size, 11);
  assert.equal(b?.state, 'pending');
  assert.equal(b?.versionId, null, 'upsert replaces the whole row');
  assert.equal(b?.updatedAt, 2000);

  clock = 3000;
  assert.equal(files.update('f1', 'dir/a.txt', { mtimeMs: 5, versionId: 'v2' }), true);
  assert.equal(files.get('f1', 'dir/a.txt')?.mtimeMs, 5);
  assert.equal(files.get('f1', 'dir/a.txt')?.versionId, 'v2');
  assert.equal(files.get('f1', 'dir/a.txt')?.size, 11, 'update keeps other fields');
  assert.equal(files.get('f1', 'dir/a.txt')?.updatedAt, 3000);
  assert.equal(files.update('f1', 'missing', { size: 1 }), false);

  assert.equal(files.setState('f1', 'dir/a.txt', 'error', 'access denied on p/dir/a.txt'), true);
  assert.equal(files.get('f1', 'dir/a.txt')?.error, 'access denied on p/dir/a.txt');
  files.setState('f1', 'dir/a.txt', 'synced');
  assert.equal(files.get('f1', 'dir/a.txt')?.error, null, 'a new state clears the old error');
  assert.equal(files.setState('f1', 'nope', 'synced'), false);
  assert.throws(() => files.setState('f1', 'dir/a.txt', 'bogus' as never), /CHECK/);

  assert.equal(files.remove('f1', 'dir/a.txt'), true);
  assert.equal(files.remove('f1', 'dir/a.txt'), false);
});

test('list pages in path order with state and search filters; counts match', () => {
  const { files } = memoryIndex();
  files.transaction(() => {
    for (let i = 0; i < 30; i++) {
      const name = `d/file-${String(i).padStart(2, '0')}.txt`;
      files.upsert(rec(name, { state: i % 3 === 0 ? 'pending' : 'synced' }));
    }
    files.upsert(rec('100%_done.txt'));
    files.upsert(rec('100 done.txt'));
    files.upsert(rec('x.txt', { folderId: 'f2' }));
  });
  const page = files.list('f1', { limit: 5, offset: 2 });
  assert.deepEqual(
    page.map((r) => r.relPath),
    ['d/file-00.txt', 'd/file-01.txt', 'd/file-02.txt', 'd/file-03.txt', 'd/file-04.txt'],
  );
  const pending = files.list('f1', { state: 'pending', limit: 100 });
  assert.equal(pending.length, 10);
  assert.ok(pending.every((r) => r.state === 'pending'));
  assert.equal(files.count('f1', { state: 'pending' }), 10);
  assert.deepEqual(
    files.list('f1', { search: 'FILE-2', limit: 100 }).map((r) => r.relPath),
    Array.from({ length: 10 }, (_, i) => `d/file-2${i}.txt`),
  );
  // % and _ are literal in a search, not wildcards.
  assert.deepEqual(
    files.list('f1', { search: '%_', limit: 10 }).map((r) => r.relPath),
    ['100%_done.txt'],
  );
  assert.equal(files.count('f1', { state: 'pending', search: 'file-0' }), 4);
  assert.equal(files.count('f1'), 32);
  assert.deepEqual(files.countsByState('f1'), {
    pending: 10,
    uploading: 0,
    synced: 22,
    interrupted: 0,
    conflict: 0,
    error: 0,
    deleted: 0,
  });
  assert.equal([...files.iterate('f2')].length, 1);
});

test('findBySha256 returns rows of the same folder with that content', () => {
  const { files } = memoryIndex();
  files.upsert(rec('a.txt', { sha256: 'abc' }));
  files.upsert(rec('b.txt', { sha256: 'abc' }));
  files.upsert(rec('c.txt', { sha256: 'def' }));
  files.upsert(rec('a.txt', { folderId: 'f2', sha256: 'abc' }));
  assert.deepEqual(
    files.findBySha256('f1', 'abc').map((r) => r.relPath),
    ['a.txt', 'b.txt'],
  );
  assert.deepEqual(files.findBySha256('f1', 'zzz'), []);
});

test('a throwing transaction leaves nothing behind', () => {
  const { files } = memoryIndex();
  assert.throws(() =>
    files.transaction(() => {
      files.upsert(rec('a.txt'));
      throw new Error('abort');
    }),
  );
  assert.equal(files.get('f1', 'a.txt'), undefined);
});

test('markInterrupted turns uploading rows into interrupted and returns them', () => {
  let clock = 1000;
  const { files } = memoryIndex(() => clock);
  files.upsert(rec('b.bin', { state: 'uploading', uploadId: 'u-b' }));
  files.upsert(rec('a.bin', { state: 'uploading' }));
  files.upsert(rec('c.bin', { state: 'pending' }));
  files.upsert(rec('z.bin', { folderId: 'f2', state: 'uploading' }));
  clock = 5000;
  const onlyF2 = files.markInterrupted('f2');
  assert.deepEqual(
    onlyF2.map((r) => r.relPath),
    ['z.bin'],
  );
  const back = files.markInterrupted();
  assert.deepEqual(
    back.map((r) => [r.relPath, r.state, r.uploadId, r.updatedAt]),
    [
      ['a.bin', 'interrupted', null, 5000],
      ['b.bin', 'interrupted', 'u-b', 5000],
    ],
  );
  assert.equal(files.get('f1', 'c.bin')?.state, 'pending');
  assert.deepEqual(files.markInterrupted(), [], 'a second start finds nothing');
});

test('multipart parts: record, re-record, list in order, clear; need the file row', () => {
  const { files, parts } = memoryIndex();
  files.upsert(rec('big.iso', { state: 'uploading', uploadId: 'u1' }));
  parts.record('f1', 'big.iso', 'u1', { partNumber: 2, etag: '"e2"', checksum: 'c2', size: 8 });
  parts.record('f1', 'big.iso', 'u1', { partNumber: 1, etag: '"x"', checksum: null, size: 8 });
  parts.record('f1', 'big.iso', 'u1', { partNumber: 1, etag: '"e1"', checksum: 'c1', size: 8 });
  parts.record('f1', 'big.iso', 'u0', { partNumber: 1, etag: '"old"', checksum: null, size: 8 });
  assert.deepEqual(parts.list('f1', 'big.iso', 'u1'), [
    { partNumber: 1, etag: '"e1"', checksum: 'c1', size: 8 },
    { partNumber: 2, etag: '"e2"', checksum: 'c2', size: 8 },
  ]);
  assert.throws(
    () =>
      parts.record('f1', 'nope.iso', 'u1', { partNumber: 1, etag: 'e', checksum: null, size: 1 }),
    /part 1 of nope\.iso: the file has no index row/,
  );
  assert.throws(() =>
    parts.record('f1', 'big.iso', 'u1', { partNumber: 0, etag: 'e', checksum: null, size: 1 }),
  );
  assert.equal(parts.clear('f1', 'big.iso', 'u0'), 1);
  assert.equal(parts.list('f1', 'big.iso', 'u1').length, 2);
  assert.equal(parts.clear('f1', 'big.iso'), 2);
  assert.deepEqual(parts.list('f1', 'big.iso', 'u1'), []);
  // Upserting the row again (e.g. state change) keeps the parts; removing it drops them.
  parts.record('f1', 'big.iso', 'u1', { partNumber: 1, etag: '"e1"', checksum: 'c1', size: 8 });
  files.upsert(rec('big.iso', { state: 'interrupted', uploadId: 'u1' }));
  assert.equal(parts.list('f1', 'big.iso', 'u1').length, 1);
  files.remove('f1', 'big.iso');
  assert.equal(parts.list('f1', 'big.iso', 'u1').length, 0);
});

test('100,000 rows upsert in one transaction in a few seconds and page fast', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const db = openIndexDb(path.join(dir, 'index.sqlite'));
  t.after(() => db.close());
  new FolderTable(db).add({ id: 'f1', localPath: dir, bucket: 'b', prefix: '', region: 'r' });
  const files = new FileIndex(db);
  const started = performance.now();
  files.transaction(() => {
    for (let i = 0; i < 100_000; i++) {
      const relPath = `dir-${i % 100}/file-${i}.dat`;
      files.upsert({
        folderId: 'f1',
        relPath,
        key: relPath,
        size: i,
        mtimeMs: 1_700_000_000_000 + i,
        sha256: i.toString(16).padStart(64, '0'),
        state: i % 10 === 0 ? 'pending' : 'synced',
      });
    }
  });
  const upsertMs = performance.now() - started;
  assert.ok(upsertMs < 15_000, `100k upserts took ${Math.round(upsertMs)} ms`);
  const t1 = performance.now();
  const page = files.list('f1', { state: 'pending', limit: 100, offset: 5000 });
  const counts = files.countsByState('f1');
  const listMs = performance.now() - t1;
  assert.equal(page.length, 100);
  assert.equal(counts.pending, 10_000);
  assert.equal(counts.synced, 90_000);
  assert.equal(files.findBySha256('f1', (77).toString(16).padStart(64, '0'))[0]?.size, 77);
  assert.ok(listMs < 2_000, `list + counts took ${Math.round(listMs)} ms`);
  t.diagnostic(`100k upserts: ${Math.round(upsertMs)} ms; page + counts: ${Math.round(listMs)} ms`);
});
