// What the tracker does when a status cannot be learnt or does not move, with an injected
// clock and scripted S3 answers over a real SQLite index: rules that cannot be read
// (AccessDenied) show why, are logged once and checked hourly; PENDING past the RTC window is
// flagged and slows to hourly; REPLICA versions; RTC breaches only for rules with RTC; latency
// from the service's timestamps; rows of removed files and folders forgotten; synced rows it
// did not follow (start-up uploads, pulled files) adopted.
import type { S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RtcBreach } from '../../main/contract/index.js';
import { FileIndex } from '../../main/core/index/file-index.js';
import { FolderTable, openIndexDb } from '../../main/core/index/index-db.js';
import {
  ReplicaTracker,
  type DestinationsFor,
  type ReplicaDestination,
} from '../../main/core/replication/status-tracker.js';

const SHA = 'a'.repeat(64);
const CRC = 'AAAAAAAAAAA=';
const SOURCE = 'us-east-1';
const DEST = 'eu-west-1';
const HOUR = 3_600_000;

class FakeTime {
  now = 0;
  private seq = 0;
  readonly timers = new Map<number, { at: number; fn: () => void }>();
  readonly api = {
    setTimeout: (fn: () => void, ms: number): unknown => {
      const id = ++this.seq;
      this.timers.set(id, { at: this.now + ms, fn });
      return id;
    },
    clearTimeout: (h: unknown): void => {
      this.timers.delete(h as number);
    },
  };

  async advanceTo(target: number, tracker: ReplicaTracker): Promise<void> {
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (!next || e[1].at < next[1].at) next = e;
      if (!next || next[1].at > target) break;
      this.timers.delete(next[0]);
      this.now = Math.max(this.now, next[1].at);
      next[1].fn();
      await tracker.idle();
    }
    this.now = target;
  }
}

type Answer = Record<string, unknown>;
type Handler = (region: string, input: Record<string, unknown>, at: number) => Answer;

function s3Error(name: string, status: number): Error {
  return Object.assign(new Error(`${name}: not allowed`), {
    name,
    $metadata: { httpStatusCode: status },
  });
}

function setup(handler: Handler, destinationsFor?: DestinationsFor) {
  const time = new FakeTime();
  const heads: { region: string; at: number }[] = [];
  const logs: string[] = [];
  const breaches: RtcBreach[] = [];
  const db = openIndexDb(':memory:');
  const folders = new FolderTable(db);
  folders.add({ id: 'f1', localPath: '/data/f1', bucket: 'src', prefix: '', region: SOURCE });
  const client = (region: string): S3Client =>
    ({
      send: async (command: { input: Record<string, unknown> }) => {
        heads.push({ region, at: time.now });
        await Promise.resolve();
        return { $metadata: { attempts: 1 }, ...handler(region, command.input, time.now) };
      },
    }) as unknown as S3Client;
  let destinations: ReplicaDestination[] = [{ bucket: 'dst', region: DEST, ruleId: 'r1' }];
  const tracker = new ReplicaTracker({
    db,
    clientFor: client,
    destinationsFor: destinationsFor ?? (async () => destinations),
    onChange: () => {},
    onRtcBreach: (e) => breaches.push(e),
    log: (_level, message) => logs.push(message),
    now: () => time.now,
    timers: time.api,
    random: () => 0.5,
  });
  const track = (relPath: string, versionId = 'v1') =>
    tracker.track({
      folderId: 'f1',
      relPath,
      bucket: 'src',
      region: SOURCE,
      key: relPath,
      versionId,
      sha256: SHA,
      uploadedAt: time.now,
    });
  return {
    time,
    heads,
    logs,
    breaches,
    db,
    folders,
    files: new FileIndex(db),
    tracker,
    track,
    setDestinations: (d: ReplicaDestination[]) => (destinations = d),
  };
}

/** A source answering `status(at)` and a destination with the copy (same checksum). */
function world(status: (at: number) => string | undefined, replica: Answer = {}): Handler {
  return (region, input, at) =>
    region === SOURCE
      ? {
          VersionId: input.VersionId,
          ReplicationStatus: status(at),
          ChecksumCRC64NVME: CRC,
        }
      : { VersionId: input.VersionId, ChecksumCRC64NVME: CRC, ...replica };
}

test('rules refused (AccessDenied): the reason is shown and logged once, and the file is checked hourly', async () => {
  const w = setup(
    world(() => 'PENDING'),
    async () => {
      throw s3Error('AccessDenied', 403);
    },
  );
  w.tracker.start();
  w.track('a.txt');
  await w.time.advanceTo(5 * 60_000, w.tracker);
  const s = w.tracker.status('f1', 'a.txt');
  assert.equal(s.sourceStatus, 'UNKNOWN');
  assert.match(s.problem ?? '', /Cannot read the replication rules of bucket 'src'/);
  assert.match(s.problem ?? '', /AccessDenied/);
  assert.equal(s.slow, true);
  await w.time.advanceTo(5 * HOUR, w.tracker);
  const sourceHeads = w.heads.filter((h) => h.region === SOURCE).map((h) => h.at);
  // The first check, then one an hour: not every 60 s.
  assert.ok(sourceHeads.length <= 6, `${sourceHeads.length} HEADs in 5 h`);
  for (let i = 1; i < sourceHeads.length; i++)
    assert.ok((sourceHeads[i] ?? 0) - (sourceHeads[i - 1] ?? 0) >= HOUR * 0.9);
  const logged = w.logs.filter((l) => /Cannot read the replication rules/.test(l));
  assert.equal(logged.length, 1, logged.join('\n'));
  await w.tracker.dispose();
});

test('rules that cannot be read for a moment (503) keep the backoff, not the slow cadence', async () => {
  let n = 0;
  const w = setup(
    world(() => 'COMPLETED'),
    async () => {
      if (n++ < 2) throw s3Error('ServiceUnavailable', 503);
      return [{ bucket: 'dst', region: DEST, ruleId: 'r1' }];
    },
  );
  w.tracker.start();
  w.track('a.txt');
  await w.time.advanceTo(60_000, w.tracker);
  const s = w.tracker.status('f1', 'a.txt');
  assert.equal(s.destinations[0]?.state, 'verified');
  assert.equal(s.problem, null);
  await w.tracker.dispose();
});

test('PENDING past the 15-minute window: flagged, slowed to hourly, logged once; no breach without RTC', async () => {
  const w = setup(world(() => 'PENDING'));
  w.tracker.start();
  w.track('stuck.txt');
  await w.time.advanceTo(14 * 60_000, w.tracker);
  assert.equal(w.tracker.status('f1', 'stuck.txt').problem, null);
  await w.time.advanceTo(20 * 60_000, w.tracker);
  const s = w.tracker.status('f1', 'stuck.txt');
  assert.equal(s.sourceStatus, 'PENDING');
  assert.match(s.problem ?? '', /still says PENDING .* after 15 minutes/);
  assert.equal(s.slow, true);
  assert.equal(s.destinations[0]?.rtcBreached, false, 'the rule has no RTC');
  const at20 = w.heads.length;
  await w.time.advanceTo(20 * 60_000 + 4 * HOUR, w.tracker);
  const more = w.heads.length - at20;
  assert.ok(more >= 3 && more <= 5, `${more} HEADs in 4 h after the window`);
  assert.equal(w.logs.filter((l) => /still says PENDING/.test(l)).length, 1);
  assert.deepEqual(w.breaches, []);
  await w.tracker.dispose();
});

test('an RTC breach raises the hook once, only for the rule with RTC', async () => {
  const w = setup(world(() => 'PENDING'));
  w.setDestinations([
    { bucket: 'dst', region: DEST, ruleId: 'with-rtc', rtc: true },
    { bucket: 'dst2', region: 'ap-south-1', ruleId: 'plain' },
  ]);
  w.tracker.start();
  w.track('late.txt');
  await w.time.advanceTo(3 * HOUR, w.tracker);
  assert.deepEqual(
    w.breaches.map((b) => [b.bucket, b.ruleId, b.latencyMs]),
    [['dst', 'with-rtc', null]],
  );
  const byBucket = new Map(
    w.tracker.status('f1', 'late.txt').destinations.map((d) => [d.bucket, d]),
  );
  assert.equal(byBucket.get('dst')?.rtcBreached, true);
  assert.equal(byBucket.get('dst')?.rtc, true);
  assert.equal(byBucket.get('dst2')?.rtcBreached, false);
  assert.equal(byBucket.get('dst2')?.rtc, false);
  await w.tracker.dispose();
});

test('latency comes from the service timestamps when the replica is stamped later than the source', async () => {
  const written = new Date(Date.UTC(2026, 0, 1, 12, 0, 0, 0));
  const copied = new Date(written.getTime() + 1234);
  const w = setup((region, input) =>
    region === SOURCE
      ? {
          VersionId: input.VersionId,
          ReplicationStatus: 'COMPLETED',
          ChecksumCRC64NVME: CRC,
          LastModified: written,
        }
      : { VersionId: input.VersionId, ChecksumCRC64NVME: CRC, LastModified: copied },
  );
  w.tracker.start();
  w.time.now = 0;
  w.track('a.txt');
  await w.time.advanceTo(90_000, w.tracker);
  const d = w.tracker.status('f1', 'a.txt').destinations[0];
  assert.equal(d?.state, 'verified');
  assert.equal(d?.latencyMs, 1234, 'not the polling step');
  assert.equal(d?.latencyFrom, 'service');
  await w.tracker.dispose();
});

test('a version that is a replica itself is REPLICA, with where it came from; settled at once', async () => {
  const w = setup((_region, input) => ({
    VersionId: input.VersionId,
    ReplicationStatus: 'REPLICA',
    ChecksumCRC64NVME: CRC,
  }));
  w.tracker.start();
  w.track('in.txt');
  await w.time.advanceTo(10 * 60_000, w.tracker);
  const s = w.tracker.status('f1', 'in.txt');
  assert.equal(s.sourceStatus, 'REPLICA');
  assert.deepEqual(s.replicaOf, { bucket: 'dst', region: DEST });
  assert.deepEqual(s.destinations, []);
  assert.equal(w.heads.length, 1, 'one HEAD, then settled');
  // Kept across a reopen of the store (NONE + origin in the index).
  assert.equal(w.tracker.record('f1', 'in.txt')?.file.nextCheckAt, null);
  await w.tracker.dispose();
});

test('a replica whose rules cannot be read: REPLICA in the bucket own region', async () => {
  const w = setup(
    (_region, input) => ({ VersionId: input.VersionId, ReplicationStatus: 'REPLICA' }),
    async () => {
      throw s3Error('AccessDenied', 403);
    },
  );
  w.tracker.start();
  w.track('in.txt');
  await w.time.advanceTo(60_000, w.tracker);
  const s = w.tracker.status('f1', 'in.txt');
  assert.equal(s.sourceStatus, 'REPLICA');
  assert.deepEqual(s.replicaOf, { bucket: null, region: SOURCE });
  await w.tracker.dispose();
});

test('reconcile: synced rows not followed are adopted; rows of removed files and folders go', async () => {
  const w = setup(world(() => 'COMPLETED'));
  const row = (relPath: string, versionId: string) =>
    w.files.upsert({
      folderId: 'f1',
      relPath,
      key: relPath,
      size: 3,
      mtimeMs: 1,
      sha256: SHA,
      state: 'synced',
      versionId,
    });
  row('a.txt', 'va');
  row('b.txt', 'vb');
  w.files.upsert({
    folderId: 'f1',
    relPath: 'c.txt',
    key: 'c.txt',
    size: 1,
    mtimeMs: 1,
    state: 'pending',
  });
  const where = (id: string) => (id === 'f1' ? { bucket: 'src', region: SOURCE } : undefined);
  w.tracker.start();
  assert.deepEqual(w.tracker.reconcile(where), { forgotten: 0, adopted: 2 });
  assert.deepEqual(w.tracker.reconcile(where), { forgotten: 0, adopted: 0 }, 'once');
  await w.time.advanceTo(60_000, w.tracker);
  assert.equal(w.tracker.status('f1', 'a.txt').destinations[0]?.state, 'verified');
  assert.equal(w.tracker.status('f1', 'b.txt').destinations[0]?.state, 'verified');
  assert.equal(w.tracker.record('f1', 'c.txt'), undefined, 'not synced: not followed');
  // A new version in the index (pulled) is followed again.
  row('a.txt', 'va2');
  assert.equal(w.tracker.reconcile(where).adopted, 1);
  assert.equal(w.tracker.record('f1', 'a.txt')?.file.versionId, 'va2');
  // Removed and deleted rows: forgotten.
  w.files.remove('f1', 'b.txt');
  w.files.update('f1', 'a.txt', { state: 'deleted' });
  assert.equal(w.tracker.reconcile(where).forgotten, 2);
  assert.equal(w.tracker.record('f1', 'a.txt'), undefined);
  assert.equal(w.tracker.record('f1', 'b.txt'), undefined);
  assert.equal(w.tracker.counts().verified, 0);
  // A removed folder: its rows go with it.
  row('d.txt', 'vd');
  w.tracker.reconcile(where);
  assert.ok(w.tracker.record('f1', 'd.txt'));
  w.folders.remove('f1');
  w.tracker.reconcile(where);
  assert.equal(w.tracker.record('f1', 'd.txt'), undefined);
  assert.deepEqual(
    w.db.prepare('SELECT count(*) AS n FROM replica_status').get(),
    { n: 0 },
    'no destination rows left',
  );
  await w.tracker.dispose();
});

test('an old synced row adopted later is not measured as a late copy (no latency, no breach)', async () => {
  const written = new Date(1000);
  const w = setup((region, input) => ({
    VersionId: input.VersionId,
    ChecksumCRC64NVME: CRC,
    LastModified: written,
    ...(region === SOURCE ? { ReplicationStatus: 'COMPLETED' } : {}),
  }));
  w.setDestinations([{ bucket: 'dst', region: DEST, ruleId: 'with-rtc', rtc: true }]);
  w.files.upsert({
    folderId: 'f1',
    relPath: 'old.txt',
    key: 'old.txt',
    size: 3,
    mtimeMs: 1,
    sha256: SHA,
    state: 'synced',
    versionId: 'v-old',
    updatedAt: 2000,
  });
  w.time.now = 10 * 24 * HOUR;
  w.tracker.start();
  assert.equal(w.tracker.reconcile(() => ({ bucket: 'src', region: SOURCE })).adopted, 1);
  await w.time.advanceTo(w.time.now + 60_000, w.tracker);
  const d = w.tracker.status('f1', 'old.txt').destinations[0];
  assert.equal(d?.state, 'verified');
  assert.equal(d?.latencyMs, null);
  assert.equal(d?.rtcBreached, false);
  assert.deepEqual(w.breaches, []);
  await w.tracker.dispose();
});
