// The replica tracker with the sync engine and the replication service against real local
// regions: uploads made before the service listens (as the engine starts) and files the pull
// brought down are followed; a version that came in by two-way replication is REPLICA with its
// origin; rows of deleted files and removed folders are forgotten; RTC breaches raise the event
// only for the rule with RTC; rules that cannot be read (GetBucketReplication refused) show why.
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import type { EventName, EventPayloads, RtcBreach } from '../../main/contract/index.js';
import { MemorySecretStore } from '../../main/core/accounts/secret-store.js';
import { localAccount } from '../../main/core/app/start-engine.js';
import { EventHub } from '../../main/core/emitter.js';
import { ReplicationService } from '../../main/core/replication/service.js';
import { SyncEngine } from '../../main/core/sync/engine.js';
import type { FolderDirectory } from '../../main/core/sync/folder-directory.js';
import { buildLineage } from '../../main/core/transfer/lineage.js';
import {
  createBucket,
  putReplication,
  replicationRule,
  startTestRegions,
  waitFor,
  type TestRegions,
} from '../helpers/regions.js';
import { tempDir } from '../helpers/temp-dir.js';

const US = 'us-east-1';
const EU = 'eu-west-1';
const AP = 'ap-south-1';
const signal = new AbortController().signal;
const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

const RTC = {
  ReplicationTime: { Status: 'Enabled' as const, Time: { Minutes: 15 } },
  Metrics: { Status: 'Enabled' as const, EventThreshold: { Minutes: 15 } },
};

async function startEngine(t: TestRegions, hub: EventHub, device: string) {
  const tmp = tempDir('rs-track-');
  const engine = new SyncEngine({
    indexFile: path.join(tmp.dir, 'index.db'),
    device,
    concurrency: 2,
    secrets: new MemorySecretStore(),
    events: hub,
    activity: () => {},
    onStatus: () => {},
    tuning: { settleMs: 50, pollMs: 300, rescanMs: 600_000 },
  });
  cleanups.push(async () => {
    await engine.dispose();
    tmp.cleanup();
  });
  engine.addAccount(localAccount(t.handle));
  await engine.start({ paused: false });
  return { engine, tmp };
}

function attach(
  engine: SyncEngine,
  hub: EventHub,
  activity: string[],
  folders: FolderDirectory = engine,
  rtcWindowMs = 15 * 60_000,
  slowDelayMs = 60 * 60_000,
) {
  const service = ReplicationService.attach({
    folders,
    uploads: engine,
    db: engine.indexDb,
    files: engine.files,
    events: hub,
    activity: (level, message) => activity.push(`${level}: ${message}`),
    device: 'tracker-device',
    trackerTuning: {
      initialDelayMs: 100,
      maxDelayMs: 500,
      minTickMs: 50,
      rtcWindowMs,
      slowDelayMs,
    },
  });
  engine.addDisposable(service);
  return service;
}

function record(hub: EventHub) {
  const seen: { name: EventName; payload: unknown }[] = [];
  hub.subscribe(<E extends EventName>(name: E, payload: EventPayloads[E]) => {
    seen.push({ name, payload });
  });
  return seen;
}

async function putWithLineage(client: S3Client, bucket: string, key: string, body: string) {
  const sha256 = createHash('sha256').update(body).digest('hex');
  const r = await client.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: body,
      Metadata: buildLineage({ device: 'other-device-0001', bases: [], sha256 }),
    }),
  );
  return r.VersionId ?? '';
}

test('start-up uploads and pulled files are followed; REPLICA with its origin; deleted files and removed folders forgotten; RTC breach only for the RTC rule', async () => {
  const t = await startTestRegions({ regions: [US, EU, AP] });
  cleanups.push(() => t.stop());
  const src = await createBucket(t, US, { versioning: 'Enabled', prefix: 'trk' });
  const dst = await createBucket(t, EU, { versioning: 'Enabled', prefix: 'trk' });
  const ap = await createBucket(t, AP, { versioning: 'Enabled', prefix: 'trk' });
  await putReplication(t, US, src, [
    replicationRule(dst, {
      ID: 'rtc-eu',
      Priority: 2,
      Destination: { Bucket: `arn:aws:s3:::${dst}`, ...RTC },
    }),
    replicationRule(ap, { ID: 'plain-ap', Priority: 1 }),
  ]);
  await putReplication(t, EU, dst, [replicationRule(src, { ID: 'back-us' })]);

  const hub = new EventHub();
  const seen = record(hub);
  const { engine, tmp } = await startEngine(t, hub, 'engine-device-0001');
  const dir = path.join(tmp.dir, 'folder');
  fs.mkdirSync(dir);
  const folder = await engine.addFolder({ path: dir, bucket: src, region: US });
  // Uploaded before any tracker listens (as while the engine starts).
  fs.writeFileSync(path.join(dir, 'early.txt'), 'written at start\n');
  await waitFor(
    async () => {
      await engine.settle();
      return engine.files.get(folder.id, 'early.txt')?.state === 'synced';
    },
    20_000,
    'early.txt synced',
  );

  const activity: string[] = [];
  // A 1.5 s RTC window; past it a PENDING source is checked every 1 s (the test's "hourly").
  const service = attach(engine, hub, activity, engine, 1500, 1000);
  const status = (p: string) => service.tracker.status(folder.id, p);
  const settledTo = (p: string, want: string[]) =>
    waitFor(
      () => {
        const s = status(p);
        const got = s.destinations.map((d) => `${d.region}:${d.state}`).sort();
        return JSON.stringify(got) === JSON.stringify(want) ? s : undefined;
      },
      20_000,
      `${p} settled to ${want.join(', ')}`,
    );
  const both = [`${AP}:verified`, `${EU}:verified`];
  const early = await settledTo('early.txt', both);
  assert.equal(early.versionId, engine.files.get(folder.id, 'early.txt')?.versionId);

  // Written to the bucket by another device: the pull brings it down, the tracker follows it.
  const pulledVersion = await putWithLineage(t.client(US), src, 'pulled.txt', 'from elsewhere\n');
  await waitFor(
    () => engine.files.get(folder.id, 'pulled.txt')?.versionId === pulledVersion,
    20_000,
    'pulled.txt pulled',
  );
  const pulled = await settledTo('pulled.txt', both);
  assert.equal(pulled.versionId, pulledVersion);
  assert.equal(pulled.sourceStatus, 'COMPLETED');

  // Written in the EU: it comes to the source as a REPLICA, and the pull brings it down.
  const euVersion = await putWithLineage(t.client(EU), dst, 'from-eu.txt', 'written in the EU\n');
  await waitFor(
    () => engine.files.get(folder.id, 'from-eu.txt')?.versionId === euVersion,
    20_000,
    'from-eu.txt pulled',
  );
  const replica = await waitFor(
    () => (status('from-eu.txt').sourceStatus === 'REPLICA' ? status('from-eu.txt') : undefined),
    20_000,
    'from-eu.txt REPLICA',
  );
  assert.deepEqual(replica.replicaOf, { bucket: dst, region: EU });
  assert.deepEqual(replica.destinations, []);
  const shown = await service.handlers['replication.fileStatus'](
    { folderId: folder.id, relPath: 'from-eu.txt' },
    signal,
  );
  assert.equal(shown.sourceStatus, 'REPLICA');

  // Replication slower than the (test's) RTC window: a breach for the RTC rule only.
  t.handle.setFaults(US, { replicationDelayMs: 2500 });
  fs.writeFileSync(path.join(dir, 'late.txt'), 'slow to copy\n');
  const late = await settledTo('late.txt', both);
  t.handle.setFaults(US, { replicationDelayMs: 0 });
  const byRegion = new Map(late.destinations.map((d) => [d.region, d]));
  assert.equal(byRegion.get(EU)?.rtc, true);
  assert.equal(byRegion.get(EU)?.rtcBreached, true);
  assert.equal(byRegion.get(AP)?.rtc, false);
  assert.equal(byRegion.get(AP)?.rtcBreached, false, 'no RTC on the AP rule: latency only');
  assert.ok((byRegion.get(AP)?.latencyMs ?? 0) >= 2000);
  const breaches = seen
    .filter((e) => e.name === 'replication.rtcBreach')
    .map((e) => e.payload as RtcBreach);
  assert.deepEqual(
    breaches.map((b) => [b.relPath, b.bucket, b.ruleId]),
    [['late.txt', dst, 'rtc-eu']],
  );
  assert.equal(activity.filter((a) => /Replication Time Control window/.test(a)).length, 1);

  // Deleted locally: its tracker rows go.
  fs.rmSync(path.join(dir, 'early.txt'));
  await waitFor(
    async () => {
      await engine.settle();
      return service.tracker.record(folder.id, 'early.txt') === undefined;
    },
    20_000,
    'early.txt forgotten',
  );
  assert.ok(service.tracker.record(folder.id, 'pulled.txt'));

  // A removed folder: every row of it goes.
  engine.removeFolder(folder.id);
  await waitFor(
    () => service.tracker.record(folder.id, 'pulled.txt') === undefined,
    5000,
    'rows of the removed folder forgotten',
  );
  assert.deepEqual(service.tracker.counts(folder.id), {
    pending: 0,
    replicated: 0,
    verified: 0,
    failed: 0,
    missing: 0,
  });
});

test('GetBucketReplication refused: the file shows why, logged once, not polled every minute', async () => {
  const t = await startTestRegions({ regions: [US, EU] });
  cleanups.push(() => t.stop());
  const src = await createBucket(t, US, { versioning: 'Enabled', prefix: 'deny' });
  const dst = await createBucket(t, EU, { versioning: 'Enabled', prefix: 'deny' });
  await putReplication(t, US, src, [replicationRule(dst)]);
  const hub = new EventHub();
  const { engine, tmp } = await startEngine(t, hub, 'deny-device-0001');
  let heads = 0;
  // The folder's account may not read the rules (as a bucket policy would refuse it).
  const refusing = (client: S3Client): S3Client =>
    new Proxy(client, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver) as unknown;
        return async (command: { constructor: { name: string } }, ...rest: unknown[]) => {
          const name = command.constructor.name;
          if (name === 'GetBucketReplicationCommand')
            throw Object.assign(new Error('Access Denied'), {
              name: 'AccessDenied',
              $metadata: { httpStatusCode: 403 },
            });
          if (name === 'HeadObjectCommand') heads++;
          return (target.send as (...a: unknown[]) => Promise<unknown>).call(
            target,
            command,
            ...rest,
          );
        };
      },
    });
  const folders: FolderDirectory = {
    folders: () => engine.folders(),
    folder: (id) => engine.folder(id),
    clientFor: (id, region) => refusing(engine.clientFor(id, region)),
    accountClient: (id, region) => refusing(engine.accountClient(id, region)),
    account: (id) => engine.account(id),
    capabilities: (id) => engine.capabilities(id),
  };
  const activity: string[] = [];
  const service = attach(engine, hub, activity, folders);
  const dir = path.join(tmp.dir, 'folder');
  fs.mkdirSync(dir);
  const folder = await engine.addFolder({ path: dir, bucket: src, region: US });
  fs.writeFileSync(path.join(dir, 'a.txt'), 'cannot see the rules\n');
  const s = await waitFor(
    async () => {
      await engine.settle();
      const r = await service.handlers['replication.fileStatus'](
        { folderId: folder.id, relPath: 'a.txt' },
        signal,
      );
      return r.problem ? r : undefined;
    },
    20_000,
    'a.txt shows why its status is not known',
  );
  assert.equal(s.sourceStatus, 'UNKNOWN');
  assert.match(s.problem ?? '', /Cannot read the replication rules of bucket '.*'.*access denied/i);
  assert.equal(s.slow, true);
  const after = heads;
  // The backoff's longest step here is 500 ms: within 3 s that would be several more HEADs.
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(heads, after, 'no HEAD until the hourly check');
  assert.equal(activity.filter((a) => /Cannot read the replication rules/.test(a)).length, 1);
});
