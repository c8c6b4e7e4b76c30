// Replica status against the local regions: the tracker follows uploaded versions to
// verified (one and several destinations), FAILED gets a diagnosis and a retry, a region
// outage stays pending, 200 files cost a few requests each, and stale replicas of deleted
// files get delete markers (never version deletes) behind the mass-delete guard.
import {
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ContractError, type FileReplication } from '../../main/contract/index.js';
import { FileIndex } from '../../main/core/index/file-index.js';
import { FolderTable, openIndexDb, type IndexDb } from '../../main/core/index/index-db.js';
import { diagnose, retryReplication } from '../../main/core/replication/repair.js';
import {
  findStaleReplicas,
  placeDeleteMarkers,
} from '../../main/core/replication/stale-replicas.js';
import { destinationsFromRules } from '../../main/core/replication/rule-destinations.js';
import { bucketLocator, readBucketReplication } from '../../main/core/replication/rules.js';
import {
  ReplicaTracker,
  type DestinationsFor,
  type TrackerTuning,
} from '../../main/core/replication/status-tracker.js';
import { buildLineage, parseLineage } from '../../main/core/transfer/lineage.js';
import { limitConcurrency } from '../../main/core/watch/scanner.js';
import {
  createBucket,
  putReplication,
  readBytes,
  readText,
  replicationRule,
  setVersioning,
  startTestRegions,
  waitFor,
  type TestRegions,
} from '../helpers/regions.js';

const US = 'us-east-1';
const EU = 'eu-west-1';
const AP = 'ap-south-1';
const DEVICE = 'device-test-0001';
const FAST: Partial<TrackerTuning> = {
  initialDelayMs: 150,
  maxDelayMs: 1000,
  minTickMs: 50,
};

let t: TestRegions;

before(async () => {
  t = await startTestRegions({ regions: [US, EU, AP] });
});
after(async () => {
  await t.stop();
});

async function bucket(region: string, prefix: string): Promise<string> {
  return createBucket(t, region, { versioning: 'Enabled', prefix });
}

/** Where the source's rules send a key: the app's own reading (rules.ts) and decision (simulator.ts). */
function rulesDestinations(): DestinationsFor {
  return destinationsFromRules(async (b, source) => {
    const client = t.client(source.region);
    const read = await readBucketReplication(
      client,
      { accountId: 'local', bucket: b, region: source.region },
      bucketLocator(client),
    );
    return read.rules;
  });
}

interface Folder {
  db: IndexDb;
  files: FileIndex;
  src: string;
  changes: FileReplication[];
  tracker: ReplicaTracker;
}

function folder(
  src: string,
  opts: {
    tuning?: Partial<TrackerTuning>;
    clientFor?: (region: string) => S3Client;
    onRewrite?: ConstructorParameters<typeof ReplicaTracker>[0]['onRewrite'];
  } = {},
): Folder {
  const db = openIndexDb(':memory:');
  new FolderTable(db).add({ id: 'f1', localPath: '/data/f1', bucket: src, prefix: '', region: US });
  const changes: FileReplication[] = [];
  const tracker = new ReplicaTracker({
    db,
    clientFor: opts.clientFor ?? ((region) => t.client(region)),
    destinationsFor: rulesDestinations(),
    onChange: (rows) => changes.push(...rows),
    tuning: opts.tuning ?? FAST,
    ...(opts.onRewrite ? { onRewrite: opts.onRewrite } : {}),
  });
  return { db, files: new FileIndex(db), src, changes, tracker };
}

async function upload(src: string, key: string, body: string) {
  const sha256 = createHash('sha256').update(body).digest('hex');
  const out = await t.client(US).send(
    new PutObjectCommand({
      Bucket: src,
      Key: key,
      Body: body,
      ChecksumAlgorithm: 'CRC64NVME',
      Metadata: buildLineage({ device: DEVICE, bases: [], sha256 }),
    }),
  );
  return { versionId: out.VersionId ?? 'null', sha256, uploadedAt: Date.now() };
}

function track(
  f: Folder,
  key: string,
  v: { versionId: string; sha256: string; uploadedAt: number },
) {
  f.tracker.track({ folderId: 'f1', relPath: key, bucket: f.src, region: US, key, ...v });
}

const states = (f: Folder, key: string): string[] =>
  f.tracker.status('f1', key).destinations.map((d) => `${d.bucket}:${d.state}`);

async function settled(f: Folder, key: string, timeout = 15_000): Promise<FileReplication> {
  return waitFor(
    () => {
      const s = f.tracker.status('f1', key);
      return s.destinations.length > 0 && s.destinations.every((d) => d.state !== 'pending')
        ? s
        : undefined;
    },
    timeout,
    `replicas of ${key} settled`,
  );
}

async function completed(src: string, keys: string[]): Promise<void> {
  await waitFor(
    async () => {
      for (const key of keys) {
        const h = await t.client(US).send(new HeadObjectCommand({ Bucket: src, Key: key }));
        if (h.ReplicationStatus !== 'COMPLETED') return false;
      }
      return true;
    },
    30_000,
    'replication completed',
  );
}

test('one-way rule: an upload is followed from PENDING to verified, with its latency measured', async () => {
  const src = await bucket(US, 'src');
  const dst = await bucket(EU, 'dst');
  await putReplication(t, US, src, [replicationRule(dst)]);
  t.handle.setFaults(US, { replicationDelayMs: 800 });
  const f = folder(src);
  try {
    f.tracker.start();
    const v = await upload(src, 'docs/a.txt', 'hello replicas');
    track(f, 'docs/a.txt', v);
    const s = await settled(f, 'docs/a.txt');
    assert.equal(s.sourceStatus, 'COMPLETED');
    assert.equal(s.versionId, v.versionId);
    assert.deepEqual(states(f, 'docs/a.txt'), [`${dst}:verified`]);
    const d = s.destinations[0]!;
    assert.ok(d.latencyMs !== null && d.latencyMs >= 800 && d.latencyMs < 10_000, `${d.latencyMs}`);
    assert.equal(d.rtcBreached, false);
    const seen = f.changes.filter((c) => c.relPath === 'docs/a.txt').map((c) => c.sourceStatus);
    assert.ok(seen.includes('PENDING'), `saw ${seen.join(',')}`);
    assert.equal(seen.at(-1), 'COMPLETED');
    const stats = f.tracker.ruleStats(src);
    assert.equal(stats.length, 1);
    assert.equal(stats[0]?.bucket, dst);
    assert.equal(stats[0]?.ruleId, `to-${dst}`);
    assert.equal(stats[0]?.verified, 1);
    assert.deepEqual(stats[0]?.latenciesMs, [d.latencyMs]);
  } finally {
    t.handle.setFaults(US, { replicationDelayMs: 0 });
    await f.tracker.dispose();
  }
});

test('several destinations: each is verified on its own; a key no rule matches is NONE', async () => {
  const src = await bucket(US, 'src');
  const eu = await bucket(EU, 'dst');
  const ap = await bucket(AP, 'dst');
  await putReplication(t, US, src, [
    replicationRule(eu, { Priority: 1, Filter: { Prefix: 'shared/' } }),
    replicationRule(ap, { Priority: 2, Filter: { Prefix: 'shared/' } }),
  ]);
  const f = folder(src);
  try {
    f.tracker.start();
    track(f, 'shared/b.txt', await upload(src, 'shared/b.txt', 'two copies'));
    track(f, 'local/c.txt', await upload(src, 'local/c.txt', 'stays here'));
    const s = await settled(f, 'shared/b.txt');
    assert.deepEqual(states(f, 'shared/b.txt').sort(), [`${ap}:verified`, `${eu}:verified`].sort());
    assert.ok(s.destinations.every((d) => d.latencyMs !== null));
    await waitFor(() => f.tracker.status('f1', 'local/c.txt').sourceStatus === 'NONE');
    assert.deepEqual(f.tracker.status('f1', 'local/c.txt').destinations, []);
    assert.deepEqual(
      f.tracker
        .ruleStats(src)
        .map((r) => [r.bucket, r.verified])
        .sort(),
      [
        [ap, 1],
        [eu, 1],
      ].sort(),
    );
  } finally {
    await f.tracker.dispose();
  }
});

test('versioning suspended on the destination: FAILED, diagnosed, refused until fixed, then retried to verified', async () => {
  const src = await bucket(US, 'src');
  const dst = await bucket(EU, 'dst');
  await putReplication(t, US, src, [replicationRule(dst)]);
  await setVersioning(t.client(EU), dst, 'Suspended');
  const rewrites: { previousVersionId: string; versionId: string }[] = [];
  const f = folder(src, { onRewrite: (e) => rewrites.push(e) });
  try {
    f.tracker.start();
    const v = await upload(src, 'report.txt', 'will fail first');
    track(f, 'report.txt', v);
    const s = await settled(f, 'report.txt');
    assert.equal(s.sourceStatus, 'FAILED');
    assert.equal(s.destinations[0]?.state, 'failed');
    assert.match(s.destinations[0]?.reason ?? '', /Versioning is suspended on the destination/);

    const d = await diagnose((r) => t.client(r), { bucket: dst, region: EU });
    assert.equal(d.cause, 'versioning-suspended');
    assert.deepEqual(d.fix, { kind: 'enable-versioning', bucket: dst, region: EU });
    assert.match(d.message, new RegExp(`Enable versioning on '${dst}', then retry`));

    const refused = await f.tracker.retry('f1', 'report.txt').then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(refused instanceof ContractError, String(refused));
    assert.equal(refused.code, 'Forbidden');
    assert.deepEqual(refused.action, { kind: 'enable-versioning', bucket: dst, region: EU });

    await setVersioning(t.client(EU), dst, 'Enabled');
    const after = await f.tracker.retry('f1', 'report.txt');
    assert.notEqual(after.versionId, v.versionId, 'a new version is followed');
    assert.deepEqual(rewrites, [{ ...rewrites[0], previousVersionId: v.versionId }]);
    assert.equal(rewrites[0]?.versionId, after.versionId);
    const done = await settled(f, 'report.txt');
    assert.equal(done.sourceStatus, 'COMPLETED');
    assert.deepEqual(states(f, 'report.txt'), [`${dst}:verified`]);
    // The re-written version keeps content and lineage, with the failed version as its base.
    const head = await t
      .client(EU)
      .send(new HeadObjectCommand({ Bucket: dst, Key: 'report.txt', VersionId: after.versionId! }));
    assert.deepEqual(parseLineage(head.Metadata), {
      device: DEVICE,
      bases: [v.versionId],
      sha256: v.sha256,
    });
  } finally {
    await f.tracker.dispose();
  }
});

test('destination bucket deleted: FAILED with "does not exist" in plain words', async () => {
  const src = await bucket(US, 'src');
  const dst = await bucket(EU, 'dst');
  await putReplication(t, US, src, [replicationRule(dst)]);
  await t.client(EU).send(new DeleteBucketCommand({ Bucket: dst }));
  const f = folder(src);
  try {
    f.tracker.start();
    track(f, 'x.txt', await upload(src, 'x.txt', 'nowhere to go'));
    const s = await settled(f, 'x.txt');
    assert.equal(s.sourceStatus, 'FAILED');
    assert.match(
      s.destinations[0]?.reason ?? '',
      new RegExp(`bucket '${dst}' \\(us-east-1\\) does not exist`),
    );
    const d = await diagnose((r) => t.client(r), { bucket: dst, region: EU });
    assert.equal(d.cause, 'destination-missing');
  } finally {
    await f.tracker.dispose();
  }
});

test('retryReplication never reverts a newer write; a version above the copy limit is copied in parts', async () => {
  const src = await bucket(US, 'src');
  const first = await upload(src, 'r.txt', 'first');
  await upload(src, 'r.txt', 'second');
  const stale = await retryReplication(t.client(US), {
    bucket: src,
    key: 'r.txt',
    versionId: first.versionId,
  });
  assert.equal(stale.kind, 'superseded');
  assert.equal(await readText(t.client(US), src, 'r.txt'), 'second');

  const big = Buffer.alloc(11 * 1024 * 1024, 7);
  const sha256 = createHash('sha256').update(big).digest('hex');
  const put = await t.client(US).send(
    new PutObjectCommand({
      Bucket: src,
      Key: 'big.bin',
      Body: big,
      ContentType: 'application/x-test',
      Metadata: buildLineage({ device: DEVICE, bases: [], sha256 }),
      Tagging: 'kind=big',
    }),
  );
  const r = await retryReplication(
    t.client(US),
    { bucket: src, key: 'big.bin', versionId: put.VersionId! },
    { maxCopySize: 1024 * 1024, partSize: 5 * 1024 * 1024 },
  );
  assert.equal(r.kind, 'rewritten');
  const head = await t.client(US).send(new HeadObjectCommand({ Bucket: src, Key: 'big.bin' }));
  assert.equal(head.VersionId, r.kind === 'rewritten' ? r.versionId : '');
  assert.equal(head.ContentType, 'application/x-test');
  assert.match(head.ETag ?? '', /-3"$/, 'a multipart copy of 3 parts');
  assert.deepEqual(parseLineage(head.Metadata)?.bases, [put.VersionId]);
  const bytes = await readBytes(t.client(US), src, 'big.bin');
  assert.equal(createHash('sha256').update(bytes).digest('hex'), sha256);
  const tags = await t
    .client(US)
    .send(new GetObjectTaggingCommand({ Bucket: src, Key: 'big.bin' }));
  assert.deepEqual(tags.TagSet, [{ Key: 'kind', Value: 'big' }]);
});

test('region down: the file stays pending (not failed) and completes when the region is back', async () => {
  const src = await bucket(US, 'src');
  const dst = await bucket(EU, 'dst');
  await putReplication(t, US, src, [replicationRule(dst)]);
  const f = folder(src);
  try {
    f.tracker.start();
    t.handle.setFaults(EU, { down: true });
    track(f, 'outage.txt', await upload(src, 'outage.txt', 'waits for eu'));
    await sleep(2500);
    let s = f.tracker.status('f1', 'outage.txt');
    assert.equal(s.sourceStatus, 'PENDING');
    assert.deepEqual(states(f, 'outage.txt'), [`${dst}:pending`]);

    // The source says COMPLETED but the destination is down when the tracker looks.
    t.handle.setFaults(EU, { down: false });
    track(f, 'late.txt', await upload(src, 'late.txt', 'copied, then eu fails'));
    await completed(src, ['late.txt']);
    t.handle.setFaults(EU, { down: true });
    await waitFor(() => f.tracker.status('f1', 'late.txt').sourceStatus === 'COMPLETED', 10_000);
    await sleep(1500);
    assert.deepEqual(states(f, 'late.txt'), [`${dst}:pending`], 'an outage is not a failure');
    assert.match(f.tracker.record('f1', 'late.txt')?.file.error ?? '', /ServiceUnavailable|busy/);

    t.handle.setFaults(EU, { down: false });
    s = await settled(f, 'outage.txt', 20_000);
    assert.equal(s.sourceStatus, 'COMPLETED');
    assert.deepEqual(states(f, 'outage.txt'), [`${dst}:verified`]);
    await settled(f, 'late.txt', 20_000);
    assert.deepEqual(states(f, 'late.txt'), [`${dst}:verified`]);
  } finally {
    t.handle.setFaults(EU, { down: false });
    await f.tracker.dispose();
  }
});

test('200 files tracked at once: a few requests per settled file, no request storm', async () => {
  const src = await bucket(US, 'src');
  const eu = await bucket(EU, 'dst');
  const ap = await bucket(AP, 'dst');
  await putReplication(t, US, src, [
    replicationRule(eu, { Priority: 1 }),
    replicationRule(ap, { Priority: 2 }),
  ]);
  const delayMs = 3000;
  t.handle.setFaults(US, { replicationDelayMs: delayMs });
  const sent: number[] = [];
  const recording = new Map<string, S3Client>();
  const clientFor = (region: string): S3Client => {
    let c = recording.get(region);
    if (!c) {
      const real = t.client(region);
      c = {
        send: (command: never, options?: never) => {
          sent.push(Date.now());
          return real.send(command, options);
        },
      } as unknown as S3Client;
      recording.set(region, c);
    }
    return c;
  };
  // The app's defaults: first check 1 s after the upload, then 2 s, 4 s … 60 s.
  const f = folder(src, { clientFor, tuning: {} });
  try {
    f.tracker.start();
    const limit = limitConcurrency(16);
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        limit(async () => {
          const key = `bulk/file-${String(i).padStart(3, '0')}.txt`;
          track(f, key, await upload(src, key, `content ${i}`));
        }),
      ),
    );
    await waitFor(
      () => f.tracker.stats().settledFiles === 200 && f.tracker.counts().pending === 0,
      60_000,
      '200 files settled',
    );
    const stats = f.tracker.stats();
    const counts = f.tracker.counts();
    const polls = new Map<number, number>();
    for (let i = 0; i < 200; i++) {
      const n =
        f.tracker.record('f1', `bulk/file-${String(i).padStart(3, '0')}.txt`)?.file.attempts ?? 0;
      polls.set(n, (polls.get(n) ?? 0) + 1);
    }
    assert.equal(counts.verified, 400, JSON.stringify(counts));
    let peak = 0;
    for (let i = 0, j = 0; i < sent.length; i++) {
      while (sent[i]! - sent[j]! >= 1000) j++;
      peak = Math.max(peak, i - j + 1);
    }
    const perFile = stats.requestsPerSettledFile ?? Infinity;
    console.log(
      `200 files, 2 destinations, ${delayMs / 1000} s replication delay: ${stats.requests} requests ` +
        `(${stats.httpAttempts} HTTP attempts, ${JSON.stringify(stats.byOperation)}), ` +
        `${perFile.toFixed(2)} per settled file, peak ${peak} requests in one second; ` +
        `files by source checks: ${JSON.stringify(Object.fromEntries([...polls].sort()))}`,
    );
    assert.equal(stats.requests, sent.length);
    assert.ok(perFile <= 6, `${perFile} requests per settled file`);
    assert.ok(stats.requests <= 6 * 200, `${stats.requests} requests in all`);
    assert.ok(peak <= 300, `peak ${peak} requests per second (100 files per tick at most)`);
  } finally {
    t.handle.setFaults(US, { replicationDelayMs: 0 });
    await f.tracker.dispose();
  }
});

async function versionsOf(region: string, b: string) {
  const out = await t.client(region).send(new ListObjectVersionsCommand({ Bucket: b }));
  return {
    versions: (out.Versions ?? []).map((v) => `${v.Key}@${v.VersionId}`).sort(),
    markers: (out.DeleteMarkers ?? []).filter((m) => m.IsLatest).map((m) => m.Key ?? ''),
  };
}

/** Uploads, waits for replication, writes delete markers in the source; index rows as the engine does. */
async function deletedInSource(
  src: string,
  files: FileIndex,
  keys: string[],
  live: string[] = [],
): Promise<void> {
  const limit = limitConcurrency(16);
  await Promise.all([...keys, ...live].map((k) => limit(() => upload(src, k, `body of ${k}`))));
  await completed(src, [...keys, ...live]);
  await Promise.all(
    keys.map((k) =>
      limit(async () => {
        const dm = await t.client(US).send(new DeleteObjectCommand({ Bucket: src, Key: k }));
        files.upsert({
          folderId: 'f1',
          relPath: k,
          key: k,
          size: `body of ${k}`.length,
          mtimeMs: 1,
          state: 'deleted',
          versionId: dm.VersionId ?? null,
        });
      }),
    ),
  );
  for (const k of live)
    files.upsert({ folderId: 'f1', relPath: k, key: k, size: 1, mtimeMs: 1, state: 'synced' });
}

test('stale replicas: deleted in the source, still in replicas whose rule does not replicate delete markers; markers placed, versions kept', async () => {
  const src = await bucket(US, 'src');
  const eu = await bucket(EU, 'dst');
  const ap = await bucket(AP, 'dst');
  const dm = await bucket(EU, 'dm');
  await putReplication(t, US, src, [
    replicationRule(eu, { Priority: 1 }),
    replicationRule(ap, { Priority: 2 }),
    replicationRule(dm, { Priority: 3, DeleteMarkerReplication: { Status: 'Enabled' } }),
  ]);
  const f = folder(src);
  const input = {
    files: f.files,
    folder: { id: 'f1', localPath: '/data/f1', bucket: src, region: US },
    clientFor: (region: string) => t.client(region),
    destinationsFor: rulesDestinations(),
  };
  try {
    await deletedInSource(src, f.files, ['a.txt', 'b.txt', 'c.txt'], ['keep.txt']);
    // Someone writes c.txt in eu-west-1 itself: a newer write there is not stale.
    await t
      .client(EU)
      .send(new PutObjectCommand({ Bucket: eu, Key: 'c.txt', Body: 'written in eu' }));
    await waitFor(
      async () => (await versionsOf(EU, dm)).markers.length === 3,
      10_000,
      'dm markers',
    );
    const beforeEu = await versionsOf(EU, eu);
    const beforeAp = await versionsOf(AP, ap);

    const report = await findStaleReplicas(input);
    assert.deepEqual(
      report.replicas.map((r) => `${r.key}@${r.region}`),
      [
        'a.txt@ap-south-1',
        'a.txt@eu-west-1',
        'b.txt@ap-south-1',
        'b.txt@eu-west-1',
        'c.txt@ap-south-1',
      ],
    );
    assert.deepEqual(
      report.preview.map((p) => [p.region, p.bucket, p.count, p.bytes]),
      [
        [AP, ap, 3, 'body of a.txt'.length * 3],
        [EU, eu, 2, 'body of a.txt'.length * 2],
      ],
    );
    assert.equal(report.massDelete, null);
    assert.deepEqual(report.unchecked, []);

    const placed = await placeDeleteMarkers({
      ...input,
      keys: ['a.txt', 'b.txt', 'c.txt'],
      confirmMassDelete: false,
    });
    assert.equal(placed.placed, 5);
    assert.deepEqual(placed.failed, []);
    const afterEu = await versionsOf(EU, eu);
    const afterAp = await versionsOf(AP, ap);
    assert.deepEqual(afterEu.versions, beforeEu.versions, 'every version kept in eu');
    assert.deepEqual(afterAp.versions, beforeAp.versions, 'every version kept in ap');
    assert.deepEqual(afterEu.markers.sort(), ['a.txt', 'b.txt']);
    assert.deepEqual(afterAp.markers.sort(), ['a.txt', 'b.txt', 'c.txt']);
    assert.equal(
      (await t.client(EU).send(new HeadObjectCommand({ Bucket: eu, Key: 'c.txt' }))).ContentLength,
      'written in eu'.length,
    );
    assert.deepEqual((await findStaleReplicas(input)).replicas, []);
  } finally {
    await f.tracker.dispose();
  }
});

test('stale replicas: the mass-delete guard refuses 60 delete markers without confirmation', async () => {
  const src = await bucket(US, 'src');
  const eu = await bucket(EU, 'dst');
  await putReplication(t, US, src, [replicationRule(eu)]);
  const f = folder(src);
  const input = {
    files: f.files,
    folder: { id: 'f1', localPath: '/data/f1', bucket: src, region: US },
    clientFor: (region: string) => t.client(region),
    destinationsFor: rulesDestinations(),
  };
  try {
    const keys = Array.from({ length: 60 }, (_, i) => `many/${String(i).padStart(2, '0')}.txt`);
    await deletedInSource(src, f.files, keys, ['many/live.txt']);
    const report = await findStaleReplicas(input);
    assert.equal(report.replicas.length, 60);
    assert.equal(report.massDelete?.count, 60);
    assert.match(
      report.massDelete?.message ?? '',
      /60 files \(98% of 61 files\).*needs your confirmation/,
    );

    const refused = await placeDeleteMarkers({ ...input, keys, confirmMassDelete: false }).then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(refused instanceof ContractError, String(refused));
    assert.equal(refused.code, 'Forbidden');
    assert.deepEqual((await versionsOf(EU, eu)).markers, [], 'nothing placed');

    const placed = await placeDeleteMarkers({ ...input, keys, confirmMassDelete: true });
    assert.equal(placed.placed, 60);
    assert.equal((await versionsOf(EU, eu)).markers.length, 60);
  } finally {
    await f.tracker.dispose();
  }
});
