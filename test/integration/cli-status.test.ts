// `npm run cli -- status` against a real engine on the local regions: first asking the
// running instance over its local channel, then reading the index once it has stopped.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  CreateBucketCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
} from '@aws-sdk/client-s3';
import { MemorySecretStore } from '../../main/core/accounts/secret-store.js';
import { AppController } from '../../main/core/app/app-controller.js';
import { Dispatcher } from '../../main/core/app/dispatcher.js';
import { startLocalChannel } from '../../main/core/app/local-channel.js';
import { localAccount } from '../../main/core/app/start-engine.js';
import { instancePaths } from '../../main/core/paths.js';
import { MemorySettingsStore } from '../../main/core/settings/settings-store.js';
import { ReplicationService } from '../../main/core/replication/service.js';
import { SyncEngine } from '../../main/core/sync/engine.js';
import {
  bucketName,
  putReplication,
  replicationBucket,
  replicationRule,
  startTestRegions,
  waitFor,
} from '../helpers/regions.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

interface StatusJson {
  source: 'running' | 'index';
  folders: {
    id: string;
    path: string;
    bucket: string;
    prefix: string;
    region: string;
    state: string;
    error: string | null;
    counts: { total: number; synced: number; pending: number };
  }[];
  files: {
    folder: string;
    path: string;
    state: string;
    versionId: string | null;
    error: string | null;
  }[];
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * Runs the CLI as a child process, without blocking this process (which runs the engine
 * and answers on the channel). --silent keeps npm's banner out of stdout.
 */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      npm,
      ['run', '--silent', 'cli', '--', ...args],
      { cwd: root, timeout: 60_000, shell: process.platform === 'win32' },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

test('status asks the running instance, then reads the index once it stopped', async (t) => {
  const regions = await startTestRegions({ regions: ['us-east-1'] });
  t.after(() => regions.stop());
  const { dir, cleanup } = tempDir('rs-cli-');
  t.after(cleanup);
  const dataDir = path.join(dir, 'data');
  const folder = path.join(dir, 'Synced');
  fs.mkdirSync(dataDir);

  const bucket = bucketName('cli');
  const s3 = regions.client('us-east-1');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(
    new PutBucketVersioningCommand({
      Bucket: bucket,
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );

  const controller = new AppController({
    mode: 'browser',
    version: '0.0.0-test',
    dataDir,
    settings: new MemorySettingsStore(),
    host: { openWindow: () => {}, openPath: async () => '', quit: () => {} },
  });
  const engine = new SyncEngine({
    indexFile: instancePaths(dataDir).index,
    device: 'cli-test-device',
    concurrency: 2,
    secrets: new MemorySecretStore(),
    events: controller.events,
    activity: (level, message) => controller.activity.add(level, message),
    onStatus: (patch) => controller.update(patch),
    tuning: { settleMs: 50, pollMs: 60_000, rescanMs: 600_000 },
  });
  let engineRunning = true;
  t.after(async () => {
    if (engineRunning) await engine.dispose();
  });
  engine.addAccount(localAccount(regions.handle));
  await engine.start({ paused: false });
  controller.attachEngine(engine);
  controller.ready();
  const channel = await startLocalChannel({
    dataDir,
    dispatcher: new Dispatcher(controller.handlers),
  });
  let channelOpen = true;
  t.after(async () => {
    if (channelOpen) await channel.close();
  });

  const added = await engine.addFolder({ path: folder, create: true, bucket, region: 'us-east-1' });
  fs.writeFileSync(path.join(folder, 'notes.txt'), 'first file\n');
  fs.mkdirSync(path.join(folder, 'docs'));
  fs.writeFileSync(path.join(folder, 'docs', 'plan.md'), '# second file\n');
  await engine.settle();
  const synced = await waitFor(
    async () => {
      await engine.settle();
      const page = engine.listFiles({ offset: 0, limit: 100 });
      return page.rows.length === 2 && page.rows.every((r) => r.state === 'synced') && page.rows;
    },
    20_000,
    'both files synced',
  );
  const expected = new Map(synced.map((r) => [r.relPath, r.versionId]));
  assert.deepEqual([...expected.keys()].sort(), ['docs/plan.md', 'notes.txt']);
  // The version ids are the bucket's current versions.
  for (const [key, versionId] of expected) {
    assert.ok(versionId, `${key} has a version id`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    assert.equal(head.VersionId, versionId);
  }

  // 1. The running instance answers over the channel.
  const live = await cli(['status', '--data-dir', dataDir, '--json']);
  assert.equal(live.code, 0, live.stderr);
  const running = JSON.parse(live.stdout) as StatusJson;
  assert.equal(running.source, 'running');
  assert.equal(running.folders.length, 1);
  const f = running.folders[0];
  assert.ok(f);
  assert.equal(f.id, added.id);
  assert.equal(f.path, path.resolve(folder));
  assert.equal(f.bucket, bucket);
  assert.equal(f.region, 'us-east-1');
  assert.equal(f.state, 'idle');
  assert.equal(f.error, null);
  assert.equal(f.counts.total, 2);
  assert.equal(f.counts.synced, 2);
  const fileView = (s: StatusJson) =>
    s.files
      .map((x) => ({
        folder: x.folder,
        path: x.path,
        state: x.state,
        versionId: x.versionId,
        error: x.error,
      }))
      .sort((a, b) => a.path.localeCompare(b.path));
  const expectedFiles = [...expected]
    .map(([p, versionId]) => ({
      folder: path.resolve(folder),
      path: p,
      state: 'synced',
      versionId,
      error: null,
    }))
    .sort((a, b) => a.path.localeCompare(b.path));
  assert.deepEqual(fileView(running), expectedFiles);

  // The human form names the source, the folder, each file with its state and version.
  const text = await cli(['status', '--data-dir', dataDir]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /from the running instance/);
  assert.ok(text.stdout.includes(`s3://${bucket}/ (us-east-1)`), text.stdout);
  assert.match(text.stdout, /PATH\s+STATE\s+VERSION ID/);
  for (const [p, versionId] of expected)
    assert.match(
      text.stdout,
      new RegExp(`^  ${escape(p)}\\s+synced\\s+${escape(versionId ?? '')}$`, 'm'),
    );

  // 2. Stopped: the same files come from the index, read-only.
  await channel.close();
  channelOpen = false;
  await engine.dispose();
  engineRunning = false;
  const indexFile = instancePaths(dataDir).index;
  const before = fs.statSync(indexFile).mtimeMs;

  const stopped = await cli(['status', '--data-dir', dataDir, '--json']);
  assert.equal(stopped.code, 0, stopped.stderr);
  const fromIndex = JSON.parse(stopped.stdout) as StatusJson;
  assert.equal(fromIndex.source, 'index');
  assert.equal(fromIndex.folders.length, 1);
  assert.equal(fromIndex.folders[0]?.id, added.id);
  assert.equal(fromIndex.folders[0]?.state, 'stopped');
  assert.equal(fromIndex.folders[0]?.counts.synced, 2);
  assert.deepEqual(fileView(fromIndex), expectedFiles);
  assert.equal(fs.statSync(indexFile).mtimeMs, before, 'the index is not written');

  const stoppedText = await cli(['status', '--data-dir', dataDir]);
  assert.equal(stoppedText.code, 0, stoppedText.stderr);
  assert.match(stoppedText.stdout, /read from the index/);
  assert.match(stoppedText.stdout, /state:\s+not running/);
  for (const p of expected.keys())
    assert.match(stoppedText.stdout, new RegExp(`^  ${escape(p)}\\s+synced`, 'm'));
});

test('status of a data dir that does not exist fails with exit 1 and creates nothing', async (t) => {
  const { dir, cleanup } = tempDir('rs-cli-');
  t.after(cleanup);
  const missing = path.join(dir, 'no-such-data');
  const r = await cli(['status', '--data-dir', missing]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.ok(r.stderr.includes(`no Replica Sync data in ${missing}`), r.stderr);
  assert.equal(fs.existsSync(missing), false);

  // A data dir without an index (the app never synced there) is no data either.
  const empty = path.join(dir, 'empty');
  fs.mkdirSync(empty);
  const e = await cli(['status', '--data-dir', empty, '--json']);
  assert.equal(e.code, 1);
  assert.ok(e.stderr.includes(`no Replica Sync data in ${empty}`), e.stderr);
  assert.deepEqual(fs.readdirSync(empty), []);
});

test('wrong arguments exit 2 with the usage; --help exits 0', async () => {
  const bad = await cli(['status', '--no-such-flag']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Usage: npm run cli -- status/);
  const unknown = await cli(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown command "frobnicate"/);
  const help = await cli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /status/);
});

test('status --json gives each file its per-destination replica state and latency', async (t) => {
  const regions = await startTestRegions();
  t.after(() => regions.stop());
  const { dir, cleanup } = tempDir('rs-cli-repl-');
  t.after(cleanup);
  const dataDir = path.join(dir, 'data');
  const folder = path.join(dir, 'Synced');
  fs.mkdirSync(dataDir);
  const source = await replicationBucket(regions, 'us-east-1');
  const dest = await replicationBucket(regions, 'eu-west-1');
  await putReplication(regions, 'us-east-1', source, [replicationRule(dest)]);

  const controller = new AppController({
    mode: 'browser',
    version: '0.0.0-test',
    dataDir,
    settings: new MemorySettingsStore(),
    host: { openWindow: () => {}, openPath: async () => '', quit: () => {} },
  });
  const engine = new SyncEngine({
    indexFile: instancePaths(dataDir).index,
    device: 'cli-test-device',
    concurrency: 2,
    secrets: new MemorySecretStore(),
    events: controller.events,
    activity: (level, message) => controller.activity.add(level, message),
    onStatus: (patch) => controller.update(patch),
    tuning: { settleMs: 50, pollMs: 60_000, rescanMs: 600_000 },
  });
  engine.addAccount(localAccount(regions.handle));
  await engine.start({ paused: false });
  const service = ReplicationService.attach({
    folders: engine,
    uploads: engine,
    db: engine.indexDb,
    files: engine.files,
    events: controller.events,
    activity: () => {},
    device: 'cli-test-device',
  });
  engine.addDisposable(service);
  const added = await engine.addFolder({
    path: folder,
    create: true,
    bucket: source,
    region: 'us-east-1',
  });
  fs.writeFileSync(path.join(folder, 'replicated.txt'), 'goes to eu-west-1\n');
  await waitFor(
    async () => {
      await engine.settle();
      return (
        service.tracker.status(added.id, 'replicated.txt').destinations[0]?.state === 'verified'
      );
    },
    30_000,
    'the replica verified',
  );
  await engine.dispose();

  const r = await cli(['status', '--data-dir', dataDir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as {
    files: {
      path: string;
      replication: {
        sourceStatus: string;
        destinations: { bucket: string; region: string; state: string; latencyMs: number }[];
      } | null;
    }[];
  };
  const file = report.files.find((f) => f.path === 'replicated.txt');
  assert.equal(file?.replication?.sourceStatus, 'COMPLETED');
  const d = file?.replication?.destinations[0];
  assert.equal(d?.bucket, dest);
  assert.equal(d?.region, 'eu-west-1');
  assert.equal(d?.state, 'verified');
  assert.ok(typeof d?.latencyMs === 'number' && d.latencyMs >= 0, 'latency measured');
  const text = await cli(['status', '--data-dir', dataDir]);
  assert.match(text.stdout, /replicated\.txt\s+synced\s+\S+\s+eu-west-1 verified \d+\.\ds/);
});
