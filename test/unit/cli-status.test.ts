import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { AppController } from '../../main/core/app/app-controller.js';
import { Dispatcher } from '../../main/core/app/dispatcher.js';
import { startLocalChannel } from '../../main/core/app/local-channel.js';
import { FileIndex } from '../../main/core/index/file-index.js';
import { FolderTable, openIndexDb } from '../../main/core/index/index-db.js';
import { instancePaths } from '../../main/core/paths.js';
import { MemorySettingsStore } from '../../main/core/settings/settings-store.js';
import { readStatus, statusFromIndex, type StatusReport } from '../../main/server/cli/status.js';
import { renderStatus } from '../../main/server/cli/status-text.js';
import { tempDir } from '../helpers/temp-dir.js';

/** An index as a stopped instance leaves it: one folder, three files in different states. */
function writeIndex(dataDir: string): void {
  const db = openIndexDb(instancePaths(dataDir).index);
  new FolderTable(db).add({
    id: 'f1',
    localPath: '/home/me/Work',
    accountId: 'local',
    bucket: 'team-bucket',
    prefix: 'work/',
    region: 'eu-west-1',
  });
  const files = new FileIndex(db);
  const base = { folderId: 'f1', size: 1, mtimeMs: 1 };
  files.upsert({ ...base, relPath: 'a.txt', key: 'work/a.txt', state: 'synced', versionId: 'v-a' });
  files.upsert({ ...base, relPath: 'b.txt', key: 'work/b.txt', state: 'interrupted' });
  files.upsert({
    ...base,
    relPath: 'c.txt',
    key: 'work/c.txt',
    state: 'error',
    error: 'Access denied to team-bucket',
  });
  db.close();
}

test('the index is read read-only: folders, counts and every file', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  writeIndex(dir);
  const report = statusFromIndex(dir);
  assert.equal(report.source, 'index');
  assert.equal(report.folders.length, 1);
  const f = report.folders[0];
  assert.equal(f?.state, 'stopped');
  assert.equal(f?.bucket, 'team-bucket');
  assert.deepEqual(f?.counts, {
    total: 3,
    synced: 1,
    pending: 1,
    uploading: 0,
    conflict: 0,
    error: 1,
    deleted: 0,
  });
  assert.deepEqual(report.files, [
    {
      folder: '/home/me/Work',
      path: 'a.txt',
      state: 'synced',
      versionId: 'v-a',
      error: null,
      replication: null,
    },
    {
      folder: '/home/me/Work',
      path: 'b.txt',
      state: 'interrupted',
      versionId: null,
      error: null,
      replication: null,
    },
    {
      folder: '/home/me/Work',
      path: 'c.txt',
      state: 'error',
      versionId: null,
      error: 'Access denied to team-bucket',
      replication: null,
    },
  ]);
});

test('an index of a newer schema is refused with a clear message', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  writeIndex(dir);
  const db = openIndexDb(instancePaths(dir).index);
  db.pragma('user_version = 99');
  db.close();
  assert.throws(() => statusFromIndex(dir), /newer Replica Sync/);
});

test('a running instance whose engine is still starting: the index answers', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  writeIndex(dir);
  const controller = new AppController({
    mode: 'browser',
    version: '1',
    dataDir: dir,
    settings: new MemorySettingsStore(),
    host: { openWindow: () => {}, openPath: async () => '', quit: () => {} },
  });
  // No engine attached: folders.list answers Unavailable.
  const channel = await startLocalChannel({
    dataDir: dir,
    dispatcher: new Dispatcher(controller.handlers),
  });
  t.after(() => channel.close());
  const report = await readStatus(dir);
  assert.equal(report.source, 'index');
  assert.equal(report.files.length, 3);
});

test('no data dir, or one without an index, is "no Replica Sync data", creating nothing', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const missing = path.join(dir, 'missing');
  await assert.rejects(readStatus(missing), new RegExp(`no Replica Sync data in ${missing}`));
  assert.equal(fs.existsSync(missing), false);
  await assert.rejects(readStatus(dir), /no index\.sqlite/);
  assert.deepEqual(fs.readdirSync(dir), []);
});

test('the text form: folder block, file table, error column, escaped control characters', () => {
  const report: StatusReport = {
    source: 'running',
    folders: [
      {
        id: 'f1',
        path: '/home/me/Work',
        accountId: 'local',
        bucket: 'team-bucket',
        prefix: 'work/',
        region: 'eu-west-1',
        state: 'paused',
        error: 'Region eu-west-1 is down',
        massDelete: { count: 60, percent: 75, message: '60 files (75%) were deleted' },
        counts: {
          total: 2,
          synced: 1,
          pending: 0,
          uploading: 0,
          conflict: 0,
          error: 1,
          deleted: 0,
        },
      },
      {
        id: 'f2',
        path: '/home/me/Empty',
        accountId: 'local',
        bucket: 'b2',
        prefix: '',
        region: 'us-east-1',
        state: 'idle',
        error: null,
        massDelete: null,
        counts: {
          total: 0,
          synced: 0,
          pending: 0,
          uploading: 0,
          conflict: 0,
          error: 0,
          deleted: 0,
        },
      },
    ],
    files: [
      {
        folder: '/home/me/Work',
        path: 'a.txt',
        state: 'synced',
        versionId: 'v-a',
        error: null,
        replication: {
          sourceStatus: 'COMPLETED',
          destinations: [
            {
              bucket: 'b-eu',
              region: 'eu-west-1',
              state: 'verified',
              latencyMs: 1250,
              rtcBreached: false,
              reason: null,
            },
          ],
        },
      },
      {
        folder: '/home/me/Work',
        path: 'odd\nname.txt',
        state: 'error',
        versionId: null,
        error: 'Access denied',
        replication: null,
      },
    ],
  };
  const text = renderStatus(report, '/data');
  assert.match(text, /^Replica Sync status of \/data \(from the running instance\)$/m);
  assert.match(text, /^\/home\/me\/Work → s3:\/\/team-bucket\/work\/ \(eu-west-1\)$/m);
  assert.match(text, /^ {2}state: {3}paused$/m);
  assert.match(text, /^ {2}error: {3}Region eu-west-1 is down$/m);
  assert.match(text, /^ {2}waiting: 60 files \(75%\) were deleted$/m);
  assert.match(text, /^ {2}PATH\s+STATE\s+VERSION ID\s+REPLICAS\s+ERROR$/m);
  assert.match(text, /^ {2}a\.txt\s+synced\s+v-a\s+eu-west-1 verified 1\.3s$/m);
  assert.match(text, /^ {2}odd\\x0aname\.txt\s+error\s+-\s+-\s+Access denied$/m);
  assert.match(
    text,
    /^\/home\/me\/Empty → s3:\/\/b2\/ \(us-east-1\)\n(.*\n){3}\n {2}\(no files\)$/m,
  );
  assert.equal(
    renderStatus({ source: 'index', folders: [], files: [] }, '/d').trim().split('\n').pop(),
    'No folders are synced yet.',
  );
});
