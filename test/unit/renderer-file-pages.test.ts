// The Files view's page cache (merge of 'files.changed' into fetched pages) and the pager
// that fetches pages as rows come on screen.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CommandArgs } from '../../main/contract/commands.js';
import type { FilePage, FileRow, FileSyncState } from '../../main/contract/sync.js';
import {
  FilePageCache,
  queryKey,
  rowMatches,
  type FileQuery,
} from '../../renderer/src/file-page-cache.js';
import { FilePager, listArgs } from '../../renderer/src/file-pager.js';

function row(relPath: string, state: FileSyncState = 'synced', folderId = 'f1'): FileRow {
  return {
    folderId,
    relPath,
    size: 10,
    mtimeMs: 0,
    state,
    versionId: state === 'synced' ? `v-${relPath}` : null,
    error: null,
    progress: state === 'uploading' ? 0.5 : null,
  };
}

/** A server-side list of rows, answering files.list like the engine (sorted by path). */
function table(count: number, query: FileQuery = {}): FileRow[] {
  const rows = Array.from({ length: count }, (_, i) => row(`file-${String(i).padStart(6, '0')}`));
  return rows.filter((r) => rowMatches(r, query));
}

function pageOf(rows: FileRow[], offset: number, limit: number): FilePage {
  return { total: rows.length, offset, rows: rows.slice(offset, offset + limit) };
}

describe('FilePageCache', () => {
  it('stores pages and finds rows by index', () => {
    const all = table(450);
    const cache = new FilePageCache({}, 200);
    assert.equal(cache.total, null);
    assert.deepEqual(cache.pagesToFetch(0, 30), [0]);
    cache.store(pageOf(all, 0, 200));
    assert.equal(cache.total, 450);
    assert.equal(cache.rowAt(199)?.relPath, 'file-000199');
    assert.equal(cache.rowAt(200), undefined);
    assert.deepEqual(cache.pagesToFetch(150, 420), [1, 2]);
    cache.store(pageOf(all, 400, 200));
    assert.equal(cache.rowAt(449)?.relPath, 'file-000449');
    assert.deepEqual(cache.pagesToFetch(0, 10_000), [1]);
    assert.deepEqual(cache.loadedPages(), [0, 2]);
  });

  it('updates a loaded row in place without making pages stale', () => {
    const cache = new FilePageCache({}, 200);
    cache.store(pageOf(table(300), 0, 200));
    const changed = row('file-000005', 'uploading');
    const result = cache.merge([changed]);
    assert.deepEqual(result, { updated: 1, stale: false });
    assert.equal(cache.rowAt(5), changed);
    assert.deepEqual(cache.pagesToFetch(0, 199), []);
  });

  it('a row that is not loaded makes the pages stale (it may be new: the total may change)', () => {
    const cache = new FilePageCache({}, 200);
    cache.store(pageOf(table(300), 0, 200));
    const result = cache.merge([row('brand-new.txt', 'pending')]);
    assert.deepEqual(result, { updated: 0, stale: true });
    assert.deepEqual(cache.pagesToFetch(0, 199), [0]);
    // Stale pages still show their rows until the new answer comes.
    assert.equal(cache.rowAt(0)?.relPath, 'file-000000');
  });

  it('a row that leaves the state filter is updated and makes the pages stale', () => {
    const cache = new FilePageCache({ state: 'pending' }, 200);
    cache.store({ total: 2, offset: 0, rows: [row('a', 'pending'), row('b', 'pending')] });
    const result = cache.merge([row('a', 'synced')]);
    assert.deepEqual(result, { updated: 1, stale: true });
    assert.equal(cache.rowAt(0)?.state, 'synced');
  });

  it('ignores rows of other folders and rows outside the filter that are not loaded', () => {
    const cache = new FilePageCache({ folderId: 'f1', state: 'error' }, 200);
    cache.store({ total: 1, offset: 0, rows: [row('a', 'error')] });
    assert.deepEqual(cache.merge([row('a', 'error', 'f2'), row('z', 'synced')]), {
      updated: 0,
      stale: false,
    });
    assert.deepEqual(cache.pagesToFetch(0, 0), []);
  });

  it('lays changes newer than a request over its answer', () => {
    const all = table(10);
    const cache = new FilePageCache({}, 200);
    cache.store(pageOf(all, 0, 200));
    const mark = cache.mark;
    // While page 0 is being fetched again, file 3 starts uploading…
    cache.merge([row('file-000003', 'uploading')]);
    // …and the answer, computed before that, still says synced.
    cache.store(pageOf(all, 0, 200), mark);
    assert.equal(cache.rowAt(3)?.state, 'uploading');
    // An answer asked for after the change is taken as it is.
    cache.store(pageOf(all, 0, 200), cache.mark);
    assert.equal(cache.rowAt(3)?.state, 'synced');
    cache.forgetBefore(cache.mark);
    cache.store(pageOf(all, 0, 200), mark);
    assert.equal(cache.rowAt(3)?.state, 'synced');
  });

  it('a new total makes the other pages stale and drops pages past the end', () => {
    const cache = new FilePageCache({}, 200);
    cache.store(pageOf(table(600), 0, 200));
    cache.store(pageOf(table(600), 400, 200));
    cache.store(pageOf(table(350), 0, 200));
    assert.equal(cache.total, 350);
    assert.deepEqual(cache.loadedPages(), [0]);
    cache.store(pageOf(table(350), 200, 200));
    cache.store(pageOf(table(351), 0, 200));
    assert.deepEqual(cache.pagesToFetch(0, 350), [1]);
  });

  it('an empty list keeps its one empty page and asks for nothing more', () => {
    const cache = new FilePageCache({ search: 'nothing' }, 200);
    cache.store({ total: 0, offset: 0, rows: [] });
    assert.equal(cache.total, 0);
    assert.deepEqual(cache.pagesToFetch(0, 0), []);
  });

  it('keeps 100,000 rows in 500 pages and merges a batch quickly', () => {
    const all = table(100_000);
    const cache = new FilePageCache({}, 200);
    for (let offset = 0; offset < all.length; offset += 200) cache.store(pageOf(all, offset, 200));
    const changed = Array.from({ length: 1000 }, (_, i) =>
      row(`file-${String(i * 97).padStart(6, '0')}`, 'uploading'),
    );
    const started = performance.now();
    const result = cache.merge(changed);
    assert.ok(performance.now() - started < 200);
    assert.deepEqual(result, { updated: 1000, stale: false });
    assert.equal(cache.rowAt(97 * 999)?.state, 'uploading');
  });

  it('matches search case-insensitively and keys filters apart', () => {
    assert.equal(rowMatches(row('Docs/Report.TXT'), { search: 'report.txt' }), true);
    assert.equal(rowMatches(row('Docs/Report.TXT'), { search: 'summary' }), false);
    assert.notEqual(queryKey({ state: 'error' }), queryKey({ search: 'error' }));
    assert.equal(queryKey({}), queryKey({ search: undefined }));
  });
});

describe('FilePager', () => {
  interface Call {
    args: CommandArgs<'files.list'>;
    signal: AbortSignal;
    resolve: (page: FilePage) => void;
    reject: (error: unknown) => void;
  }

  function setup(query: FileQuery = {}, staleDelayMs = 5) {
    const calls: Call[] = [];
    const errors: unknown[] = [];
    let changes = 0;
    const pager = new FilePager(query, {
      list: (args, signal) =>
        new Promise<FilePage>((resolve, reject) => calls.push({ args, signal, resolve, reject })),
      onChange: () => (changes += 1),
      onError: (error) => errors.push(error),
      staleDelayMs,
    });
    return { pager, calls, errors, changes: () => changes };
  }

  const settle = () => new Promise((r) => setTimeout(r, 0));
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('passes the filter and asks each page once while it is in flight', async () => {
    const { pager, calls } = setup({ folderId: 'f1', state: 'pending', search: '  rep ' });
    pager.start();
    pager.showRange(0, 20);
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0]?.args, {
      folderId: 'f1',
      state: 'pending',
      search: 'rep',
      offset: 0,
      limit: 200,
    });
    assert.deepEqual(listArgs({ search: '   ' }, 400, 200), { offset: 400, limit: 200 });
    pager.stop();
  });

  it('fetches the pages that come on screen, then keeps them', async () => {
    const all = table(1000);
    const { pager, calls, changes } = setup();
    pager.start();
    calls[0]?.resolve(pageOf(all, 0, 200));
    await settle();
    assert.equal(pager.cache.total, 1000);
    assert.ok(changes() >= 1);
    pager.showRange(380, 420);
    assert.deepEqual(
      calls.slice(1).map((c) => c.args.offset),
      [200, 400],
    );
    calls[1]?.resolve(pageOf(all, 200, 200));
    calls[2]?.resolve(pageOf(all, 400, 200));
    await settle();
    pager.showRange(0, 420);
    assert.equal(calls.length, 3);
    pager.stop();
  });

  it('a change it cannot place refetches the rows on screen a little later', async () => {
    const all = table(300);
    const { pager, calls } = setup({}, 5);
    pager.start();
    calls[0]?.resolve(pageOf(all, 0, 200));
    await settle();
    pager.merge([row('aaa-new.txt', 'pending')]);
    assert.equal(calls.length, 1, 'waits for the burst to pass');
    await wait(20);
    assert.equal(calls.length, 2);
    assert.equal(calls[1]?.args.offset, 0);
    pager.stop();
  });

  it('stops after a failure until refresh, and stop cancels what is in flight', async () => {
    const { pager, calls, errors } = setup();
    pager.start();
    calls[0]?.reject(new Error('down'));
    await settle();
    assert.equal(errors.length, 1);
    assert.equal(pager.failing, true);
    pager.showRange(0, 10);
    assert.equal(calls.length, 1);
    pager.refresh();
    assert.equal(calls.length, 2);
    pager.stop();
    assert.equal(calls[1]?.signal.aborted, true);
    calls[1]?.reject(new Error('cancelled'));
    await settle();
    assert.equal(errors.length, 1, 'a cancelled request is not an error');
  });
});
