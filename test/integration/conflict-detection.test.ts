// Conflict detection against the local regions with two-way replication between us-east-1 and
// eu-west-1 (300 ms replication delay): two devices writing the same key in the two regions at
// nearly the same time make a fork that S3 hides (both replicate, one silently non-current);
// sequential edits do not; a second look with no changes sends no HEAD; a resolution naming
// both heads clears the fork; a failed replication shows as divergence; versions of another
// tool are only "possible"; a local-remote conflict flagged in the index is recorded.
import {
  DeleteBucketReplicationCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  ConflictDetector,
  type ConflictChange,
  type ConflictFolder,
} from '../../main/core/conflicts/detector.js';
import { FileIndex } from '../../main/core/index/file-index.js';
import { FolderTable, openIndexDb, type IndexDb } from '../../main/core/index/index-db.js';
import {
  countingClients,
  EU,
  replicationSettled,
  sha256,
  twoWayPair,
  US,
  writeVersion,
  type TwoWayPair,
} from '../helpers/conflict-lab.js';
import {
  putReplication,
  replicationRule,
  setVersioning,
  startTestRegions,
  waitForReplicationStatus,
  type TestRegions,
} from '../helpers/regions.js';

const LAPTOP = 'laptop-us-0001'; // writes in us-east-1
const DESKTOP = 'desktop-eu-0002'; // writes in eu-west-1

let t: TestRegions;
let pair: TwoWayPair;
let db: IndexDb;
let counter: ReturnType<typeof countingClients>;
let detector: ConflictDetector;
const changes: ConflictChange[] = [];

before(async () => {
  t = await startTestRegions({ replicationDelayMs: 300 });
  pair = await twoWayPair(t);
  db = openIndexDb(':memory:');
  counter = countingClients(t);
  detector = new ConflictDetector({
    db,
    clientFor: (_folder, member) => counter.clientFor(member.region),
    group: () => [
      { bucket: pair.us, region: US },
      { bucket: pair.eu, region: EU },
    ],
    onChange: (c) => changes.push(c),
    device: LAPTOP,
  });
});

after(async () => {
  counter.destroy();
  db.close();
  await t.stop();
});

let folders = 0;
/** A folder of the index syncing `prefix` of the us-east-1 bucket. */
function folderFor(prefix: string): ConflictFolder {
  folders++;
  return new FolderTable(db).add({
    id: `folder-${folders}`,
    localPath: `/data/folder-${folders}`,
    bucket: pair.us,
    prefix,
    region: US,
  });
}

test('two devices, two regions, nearly the same time: a fork with both sides, S3 shows one', async () => {
  const folder = folderFor('fork/');
  const key = 'fork/plan.txt';
  const v1 = await writeVersion(t, US, pair.us, key, 'plan v1', LAPTOP);
  await replicationSettled(t);
  const [v2, v3] = await Promise.all([
    writeVersion(t, US, pair.us, key, 'plan by laptop', LAPTOP, [v1]),
    writeVersion(t, EU, pair.eu, key, 'plan by desktop', DESKTOP, [v1]),
  ]);
  await replicationSettled(t);
  // Both regions now agree on one current version: the other one is silently non-current.
  const currentUs = (await t.client(US).send(new HeadObjectCommand({ Bucket: pair.us, Key: key })))
    .VersionId;
  const currentEu = (await t.client(EU).send(new HeadObjectCommand({ Bucket: pair.eu, Key: key })))
    .VersionId;
  assert.equal(currentUs, currentEu);

  const report = await detector.scan(folder);
  assert.equal(report.found, 1);
  const [fork, ...more] = detector.conflicts(folder.id);
  assert.equal(more.length, 0);
  assert.equal(fork?.kind, 'fork');
  assert.equal(fork?.key, key);
  assert.deepEqual(fork?.base, [v1]);
  const sides = new Map(fork?.sides.map((s) => [s.versionId, s]));
  assert.deepEqual([...sides.keys()].sort(), [v2, v3].sort());
  assert.deepEqual(
    [sides.get(v2)?.device, sides.get(v2)?.region, sides.get(v2)?.bucket],
    [LAPTOP, US, pair.us],
  );
  assert.deepEqual(
    [sides.get(v3)?.device, sides.get(v3)?.region, sides.get(v3)?.bucket],
    [DESKTOP, EU, pair.eu],
  );
  assert.equal(sides.get(v2)?.sha256, sha256('plan by laptop'));
  assert.equal(fork?.sides.filter((s) => s.isCurrent).length, 1);
  assert.equal(fork?.sides.find((s) => s.isCurrent)?.versionId, currentUs);
  assert.match(fork?.detail ?? '', /no longer current anywhere/);
  assert.ok(changes.some((c) => c.found.some((r) => r.id === fork?.id)));

  // A resolution names both heads: one head again, the fork clears on the next look.
  await writeVersion(t, US, pair.us, key, 'plan merged', LAPTOP, [v2, v3]);
  await replicationSettled(t);
  const after = await detector.scan(folder);
  assert.equal(after.resolved, 1);
  assert.deepEqual(detector.conflicts(folder.id), []);
  const history = detector.store.history(folder.id);
  assert.equal(history.length, 1);
  assert.ok(history[0]?.resolvedAt);
});

test('sequential edits by the two devices, each after seeing the other: no conflict', async () => {
  const folder = folderFor('seq/');
  const key = 'seq/notes.md';
  let base = await writeVersion(t, US, pair.us, key, 'n1', LAPTOP);
  for (let i = 2; i <= 5; i++) {
    await replicationSettled(t);
    const [region, bucket, device] = i % 2 === 0 ? [EU, pair.eu, DESKTOP] : [US, pair.us, LAPTOP];
    const seen = (await t.client(region).send(new HeadObjectCommand({ Bucket: bucket, Key: key })))
      .VersionId as string;
    assert.equal(seen, base);
    base = await writeVersion(t, region, bucket, key, `n${i}`, device, [seen]);
  }
  await replicationSettled(t);
  const report = await detector.scan(folder);
  assert.equal(report.found, 0);
  assert.deepEqual(detector.conflicts(folder.id), []);
});

test('incremental: a second look with no changes sends no HEAD; one new version costs one', async () => {
  const folder = folderFor('inc/');
  const bases = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      writeVersion(t, i % 2 ? US : EU, i % 2 ? pair.us : pair.eu, `inc/f${i}.txt`, `x${i}`, LAPTOP),
    ),
  );
  await replicationSettled(t);
  counter.reset();
  const first = await detector.scan(folder);
  assert.equal(first.keys, 20);
  assert.equal(first.looked, 20);
  assert.equal(counter.counts.get('HeadObjectCommand'), 20);

  counter.reset();
  const second = await detector.scan(folder);
  assert.equal(counter.counts.get('HeadObjectCommand') ?? 0, 0);
  assert.equal(second.heads, 0);
  assert.equal(second.looked, 0);
  assert.equal(counter.counts.get('ListObjectVersionsCommand'), 2, 'one page per bucket');

  await writeVersion(t, US, pair.us, 'inc/f3.txt', 'x3 edited', LAPTOP, [bases[3] as string]);
  await replicationSettled(t);
  counter.reset();
  const third = await detector.scan(folder);
  assert.equal(third.looked, 1);
  assert.equal(counter.counts.get('HeadObjectCommand'), 1);
  assert.deepEqual(detector.conflicts(folder.id), []);
});

test('divergence: replication of one key FAILED, the buckets disagree once it settled', async () => {
  const folder = folderFor('div/');
  const v1 = await writeVersion(t, US, pair.us, 'div/broken.txt', 'b1', LAPTOP);
  await writeVersion(t, US, pair.us, 'div/fine.txt', 'f1', LAPTOP);
  await replicationSettled(t);
  // The eu-west-1 bucket refuses replicas while its versioning is suspended.
  await t.client(EU).send(new DeleteBucketReplicationCommand({ Bucket: pair.eu }));
  await setVersioning(t.client(EU), pair.eu, 'Suspended');
  const v2 = await writeVersion(t, US, pair.us, 'div/broken.txt', 'b2', LAPTOP, [v1]);
  await waitForReplicationStatus(t.client(US), pair.us, 'div/broken.txt', 'FAILED', {
    versionId: v2,
  });
  await setVersioning(t.client(EU), pair.eu, 'Enabled');
  await putReplication(t, EU, pair.eu, [replicationRule(pair.us)]);

  await detector.scan(folder);
  // The FAILED status was read during that look; the next one judges it settled.
  await detector.scan(folder);
  const open = detector.conflicts(folder.id);
  assert.deepEqual(
    open.map((c) => [c.kind, c.key]),
    [['divergence', 'div/broken.txt']],
  );
  const d = open[0];
  assert.deepEqual(d?.sides.map((s) => [s.versionId, s.currentIn]).sort(), [
    [v1, [pair.eu]],
    [v2, [pair.us]],
  ]);
  assert.match(d?.detail ?? '', /eu-west-1 has version/);
  const stats = await t
    .client(EU)
    .send(new ListObjectVersionsCommand({ Bucket: pair.eu, Prefix: 'div/broken.txt' }));
  assert.equal(stats.Versions?.length, 1, 'the failed version never reached eu-west-1');
});

test('a region outage: the look goes on, the unreachable bucket stands in with its last listing', async () => {
  const folder = folderFor('outage/');
  const key = 'outage/a.txt';
  const v1 = await writeVersion(t, US, pair.us, key, 'o1', LAPTOP);
  await replicationSettled(t);
  const [v2, v3] = await Promise.all([
    writeVersion(t, US, pair.us, key, 'o2 laptop', LAPTOP, [v1]),
    writeVersion(t, EU, pair.eu, key, 'o2 desktop', DESKTOP, [v1]),
  ]);
  await replicationSettled(t);
  assert.equal((await detector.scan(folder)).found, 1);
  t.handle.setFaults(EU, { down: true });
  try {
    // Written while eu-west-1 is down: its replica waits, pending.
    const v4 = await writeVersion(t, US, pair.us, key, 'o3 laptop', LAPTOP, [v2]);
    const report = await detector.scan(folder);
    assert.deepEqual(report.unreachable, [pair.eu]);
    assert.deepEqual([report.looked, report.updated], [1, 1]);
    const open = detector.conflicts(folder.id);
    assert.deepEqual(
      open.map((c) => [c.kind, c.sides.map((s) => s.versionId).sort()]),
      [['fork', [v3, v4].sort()]],
    );
  } finally {
    t.handle.setFaults(EU, { down: false });
  }
  await replicationSettled(t);
  const back = await detector.scan(folder);
  assert.deepEqual(back.unreachable, []);
  assert.deepEqual(
    detector.conflicts(folder.id).map((c) => c.kind),
    ['fork'],
  );
});

test('versions written by another tool in both regions at once: possible conflict, never a fork', async () => {
  const folder = folderFor('tool/');
  const key = 'tool/report.csv';
  await writeVersion(t, US, pair.us, key, 'r1', null);
  await replicationSettled(t);
  const [w2, w3] = await Promise.all([
    writeVersion(t, US, pair.us, key, 'r2 us', null),
    writeVersion(t, EU, pair.eu, key, 'r2 eu', null),
  ]);
  await replicationSettled(t);
  await detector.scan(folder);
  const open = detector.conflicts(folder.id);
  assert.deepEqual(
    open.map((c) => c.kind),
    ['possible'],
  );
  assert.deepEqual(open[0]?.sides.map((s) => s.versionId).sort(), [w2, w3].sort());
  assert.deepEqual(
    open[0]?.sides.map((s) => s.device),
    [null, null],
  );
  assert.match(open[0]?.detail ?? '', /may have overwritten each other/);
});

test('a local-remote conflict flagged by the engine is recorded with both sides, and cleared', async () => {
  const folder = folderFor('local/');
  const key = 'local/todo.txt';
  const v1 = await writeVersion(t, US, pair.us, key, 't1', LAPTOP);
  await replicationSettled(t);
  const v2 = await writeVersion(t, EU, pair.eu, key, 't2 desktop', DESKTOP, [v1]);
  await replicationSettled(t);
  const files = new FileIndex(db);
  files.upsert({
    folderId: folder.id,
    relPath: 'todo.txt',
    key,
    size: 9,
    mtimeMs: 1_700_000_000_123.5,
    sha256: sha256('t2 laptop'),
    state: 'conflict',
    versionId: v1,
    error: 'todo.txt: changed here and in the bucket',
  });
  await detector.scan(folder);
  const open = detector.conflicts(folder.id);
  assert.deepEqual(
    open.map((c) => c.kind),
    ['local-remote'],
  );
  const [local, remote] = open[0]?.sides ?? [];
  assert.deepEqual(
    [local?.local, local?.versionId, local?.device, local?.sha256, local?.bases],
    [true, null, LAPTOP, sha256('t2 laptop'), [v1]],
  );
  assert.deepEqual(
    [remote?.versionId, remote?.device, remote?.region, remote?.isCurrent],
    [v2, DESKTOP, EU, true],
  );
  assert.deepEqual(open[0]?.base, [v1]);
  assert.equal(open[0]?.detail, 'todo.txt: changed here and in the bucket');

  files.update(folder.id, 'todo.txt', { state: 'synced', versionId: v2, error: null });
  const report = await detector.scan(folder);
  assert.equal(report.resolved, 1);
  assert.deepEqual(detector.conflicts(folder.id), []);
});
