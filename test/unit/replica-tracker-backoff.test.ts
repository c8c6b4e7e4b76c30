// The replica status tracker's scheduling, with an injected clock and timers and scripted S3
// answers: backoff 1 s → 60 s, one timer, batches, settled files never polled again, a region
// outage kept pending with one probe per step, and what a check concludes per destination.
import type { S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FileReplication } from '../../main/contract/index.js';
import { FolderTable, openIndexDb, type IndexDb } from '../../main/core/index/index-db.js';
import { diagnose } from '../../main/core/replication/repair.js';
import { compareReplica } from '../../main/core/replication/replica-checksums.js';
import {
  backoffDelay,
  ReplicaTracker,
  type ReplicaDestination,
  type TrackerTuning,
} from '../../main/core/replication/status-tracker.js';

const SHA = 'a'.repeat(64);
const CRC = 'AAAAAAAAAAA=';
const SOURCE = 'us-east-1';
const DEST = 'eu-west-1';

/** A clock and timers the test moves by hand. */
class FakeTime {
  now = 0;
  private seq = 0;
  readonly timers = new Map<number, { at: number; fn: () => void }>();
  maxTimers = 0;
  readonly api = {
    setTimeout: (fn: () => void, ms: number): unknown => {
      const id = ++this.seq;
      this.timers.set(id, { at: this.now + ms, fn });
      this.maxTimers = Math.max(this.maxTimers, this.timers.size);
      return id;
    },
    clearTimeout: (h: unknown): void => {
      this.timers.delete(h as number);
    },
  };

  /** Runs every timer due up to `target`, waiting for each tick to finish. */
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
type Handler = (op: string, region: string, input: Record<string, unknown>, at: number) => Answer;

interface Call {
  op: string;
  region: string;
  key: unknown;
  at: number;
}

function s3Error(name: string, status: number): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

function setup(handler: Handler, tuning: Partial<TrackerTuning> = {}, db?: IndexDb) {
  const time = new FakeTime();
  const calls: Call[] = [];
  const changes: FileReplication[][] = [];
  const index = db ?? openIndexDb(':memory:');
  if (!db) {
    new FolderTable(index).add({
      id: 'f1',
      localPath: '/data/f1',
      bucket: 'src',
      prefix: '',
      region: SOURCE,
    });
  }
  const clients = new Map<string, S3Client>();
  const clientFor = (region: string): S3Client => {
    let c = clients.get(region);
    if (!c) {
      c = {
        send: async (command: {
          input: Record<string, unknown>;
          constructor: { name: string };
        }) => {
          const op = command.constructor.name.replace(/Command$/, '');
          calls.push({ op, region, key: command.input.Key, at: time.now });
          await Promise.resolve();
          return { $metadata: { attempts: 1 }, ...handler(op, region, command.input, time.now) };
        },
      } as unknown as S3Client;
      clients.set(region, c);
    }
    return c;
  };
  let destinations: ReplicaDestination[] = [{ bucket: 'dst', region: DEST, ruleId: 'to-dst' }];
  const tracker = new ReplicaTracker({
    db: index,
    clientFor,
    destinationsFor: async () => destinations,
    onChange: (rows) => changes.push(rows),
    now: () => time.now,
    timers: time.api,
    random: () => 0.5,
    tuning,
  });
  return {
    time,
    calls,
    changes,
    tracker,
    db: index,
    setDestinations: (d: ReplicaDestination[]) => (destinations = d),
    track: (relPath: string, versionId = 'v1', uploadedAt = time.now) =>
      tracker.track({
        folderId: 'f1',
        relPath,
        bucket: 'src',
        region: SOURCE,
        key: relPath,
        versionId,
        sha256: SHA,
        uploadedAt,
      }),
  };
}

/** A source that says `status(at)` and a destination that has the copy with the same checksum. */
function world(status: (at: number, key: unknown) => string | undefined): Handler {
  return (op, region, input, at) => {
    if (op !== 'HeadObject') throw new Error(`unexpected ${op}`);
    if (region === SOURCE)
      return {
        VersionId: input.VersionId,
        ReplicationStatus: status(at, input.Key),
        ChecksumCRC64NVME: CRC,
        Metadata: { 'rs-sha256': SHA },
      };
    return {
      VersionId: input.VersionId,
      ReplicationStatus: 'REPLICA',
      ChecksumCRC64NVME: CRC,
      Metadata: { 'rs-sha256': SHA },
    };
  };
}

test('backoff: 1 s, 2 s, 4 s … capped at 60 s; jitter spreads within ±10% and never past the cap', () => {
  const t = { initialDelayMs: 1000, maxDelayMs: 60_000, jitter: 0.1 };
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7, 50].map((a) => backoffDelay(a, t, () => 0.5)),
    [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000],
  );
  assert.equal(
    backoffDelay(3, t, () => 0),
    7200,
  );
  assert.equal(
    backoffDelay(3, t, () => 1),
    8800,
  );
  assert.equal(
    backoffDelay(10, t, () => 1),
    60_000,
  );
  assert.equal(
    backoffDelay(0, t, () => 0),
    1000,
    'never below the first step',
  );
});

test('a pending version is polled at 1, 3, 7, 15, 31, 63 s then every 60 s; once verified it is never polled again', async () => {
  const w = setup(world((at) => (at < 200_000 ? 'PENDING' : 'COMPLETED')));
  w.tracker.start();
  w.track('a.txt');
  await w.time.advanceTo(3_600_000, w.tracker);
  const sourceTimes = w.calls.filter((c) => c.region === SOURCE).map((c) => c.at / 1000);
  assert.deepEqual(sourceTimes, [1, 3, 7, 15, 31, 63, 123, 183, 243]);
  const destTimes = w.calls.filter((c) => c.region === DEST).map((c) => c.at / 1000);
  assert.deepEqual(destTimes, [243], 'the destination is checked once, when the source is done');
  const s = w.tracker.status('f1', 'a.txt');
  assert.equal(s.sourceStatus, 'COMPLETED');
  assert.deepEqual(s.destinations, [
    {
      bucket: 'dst',
      region: DEST,
      state: 'verified',
      latencyMs: 243_000,
      // No Last-Modified from the scripted service: the check that saw it, at most this long.
      latencyFrom: 'observed',
      rtc: false,
      rtcBreached: false,
      reason: null,
      checkedBy: 'bytes',
    },
  ]);
  assert.equal(w.time.timers.size, 0, 'nothing left to poll: no timer');
  assert.equal(w.time.maxTimers, 1, 'one timer at most');
  const stats = w.tracker.stats();
  assert.equal(stats.settledFiles, 1);
  assert.equal(stats.requests, 10);
  assert.deepEqual(w.tracker.ruleStats('src'), [
    { bucket: 'dst', ruleId: 'to-dst', pending: 0, failed: 0, verified: 1, latenciesMs: [243_000] },
  ]);
  await w.tracker.dispose();
});

test('250 uploads at once: one timer, batches of 100 at least a second apart, 2 requests per settled file', async () => {
  const w = setup(world(() => 'COMPLETED'));
  w.tracker.start();
  for (let i = 0; i < 250; i++) w.track(`f${i}.txt`);
  await Promise.resolve();
  assert.equal(w.changes.length, 1, 'the 250 new rows are announced in one change');
  assert.equal(w.changes[0]?.length, 250);
  await w.time.advanceTo(600_000, w.tracker);
  const perSecond = new Map<number, number>();
  for (const c of w.calls.filter((x) => x.region === SOURCE))
    perSecond.set(c.at, (perSecond.get(c.at) ?? 0) + 1);
  assert.deepEqual(
    [...perSecond.entries()],
    [
      [1000, 100],
      [2000, 100],
      [3000, 50],
    ],
  );
  assert.equal(w.time.maxTimers, 1);
  const stats = w.tracker.stats();
  assert.equal(stats.settledFiles, 250);
  assert.equal(stats.requestsPerSettledFile, 2);
  assert.deepEqual(stats.byOperation, { HeadObject: 500 });
  assert.equal(w.tracker.counts().verified, 250);
  await w.tracker.dispose();
});

test('no rule applies (no x-amz-replication-status): NONE, settled after one request', async () => {
  const w = setup(world(() => undefined));
  w.tracker.start();
  w.track('plain.txt');
  await w.time.advanceTo(600_000, w.tracker);
  assert.equal(w.calls.length, 1);
  assert.deepEqual(w.tracker.status('f1', 'plain.txt'), {
    folderId: 'f1',
    relPath: 'plain.txt',
    versionId: 'v1',
    sourceStatus: 'NONE',
    destinations: [],
    problem: null,
    slow: false,
    replicaOf: null,
  });
  assert.equal(w.tracker.stats().settledFiles, 1);
  await w.tracker.dispose();
});

test('a destination region that is down keeps its files pending (never failed), probed once per backoff step', async () => {
  let down = true;
  const base = world(() => 'COMPLETED');
  const w = setup((op, region, input, at) => {
    if (region === DEST && down) throw s3Error('ServiceUnavailable', 503);
    return base(op, region, input, at);
  });
  w.tracker.start();
  for (let i = 0; i < 50; i++) w.track(`f${i}.txt`);
  await w.time.advanceTo(300_000, w.tracker);
  const destCalls = w.calls.filter((c) => c.region === DEST);
  const counts = w.tracker.counts();
  assert.equal(counts.pending, 50);
  assert.equal(counts.failed, 0);
  // 16 files are in flight when the region first fails; after that one probe per step
  // (1, 2, 4, 8, 16, 32, 60, 60, 60 … s) however many files wait.
  assert.ok(destCalls.length <= 16 + 12, `${destCalls.length} requests to the down region`);
  const probeTimes = destCalls.slice(16).map((c) => c.at);
  assert.equal(new Set(probeTimes).size, probeTimes.length, 'one probe at a time');
  down = false;
  await w.time.advanceTo(400_000, w.tracker);
  assert.equal(w.tracker.counts().verified, 50);
  assert.equal(w.time.timers.size, 0);
  await w.tracker.dispose();
});

test('FAILED at the source: the destination is failed with the diagnosis, made once per tick', async () => {
  const w = setup((op, region, input) => {
    if (op === 'HeadObject' && region === SOURCE)
      return { VersionId: input.VersionId, ReplicationStatus: 'FAILED', ChecksumCRC64NVME: CRC };
    if (op === 'HeadObject') throw s3Error('NotFound', 404);
    if (op === 'HeadBucket') return {};
    if (op === 'GetBucketVersioning') return { Status: 'Suspended' };
    throw new Error(op);
  });
  w.tracker.start();
  w.track('a.txt');
  w.track('b.txt');
  await w.time.advanceTo(600_000, w.tracker);
  const a = w.tracker.status('f1', 'a.txt');
  assert.equal(a.sourceStatus, 'FAILED');
  assert.equal(a.destinations[0]?.state, 'failed');
  assert.match(
    a.destinations[0]?.reason ?? '',
    /Versioning is suspended on the destination bucket 'dst'/,
  );
  assert.deepEqual(w.tracker.stats().byOperation, {
    HeadObject: 4,
    HeadBucket: 1,
    GetBucketVersioning: 1,
  });
  assert.equal(w.time.timers.size, 0, 'failed is settled');
  await w.tracker.dispose();
});

test('COMPLETED but the copy is not there: missing; another checksum: failed; no checksum: replicated', async () => {
  const w = setup((op, region, input) => {
    if (op === 'HeadBucket') return {};
    if (op === 'GetBucketVersioning') return { Status: 'Enabled' };
    if (region === SOURCE)
      return {
        VersionId: input.VersionId,
        ReplicationStatus: 'COMPLETED',
        ...(input.Key === 'bare.txt' ? {} : { ChecksumCRC64NVME: CRC }),
      };
    if (input.Key === 'gone.txt') throw s3Error('NotFound', 404);
    if (input.Key === 'other.txt')
      return { VersionId: input.VersionId, ChecksumCRC64NVME: 'BBBBBBBBBBB=' };
    return { VersionId: input.VersionId };
  });
  w.tracker.start();
  for (const p of ['gone.txt', 'other.txt']) w.track(p);
  w.tracker.track({
    folderId: 'f1',
    relPath: 'bare.txt',
    bucket: 'src',
    region: SOURCE,
    key: 'bare.txt',
    versionId: 'v1',
  });
  await w.time.advanceTo(600_000, w.tracker);
  const state = (p: string) => w.tracker.status('f1', p).destinations[0];
  assert.equal(state('gone.txt')?.state, 'missing');
  assert.match(
    state('gone.txt')?.reason ?? '',
    /S3 reports the copy as done, but version v1 is not in 'dst'/,
  );
  assert.equal(state('other.txt')?.state, 'failed');
  assert.match(state('other.txt')?.reason ?? '', /other content than the source \(CRC64NVME/);
  assert.equal(state('bare.txt')?.state, 'replicated');
  await w.tracker.dispose();
});

test('a rule with RTC: slower than 15 minutes is a breach, while pending (then hourly) and once verified', async () => {
  const w = setup(world((at) => (at < 16 * 60_000 ? 'PENDING' : 'COMPLETED')));
  w.setDestinations([{ bucket: 'dst', region: DEST, ruleId: 'to-dst', rtc: true }]);
  w.tracker.start();
  w.track('slow.txt');
  await w.time.advanceTo(15 * 60_000 + 1, w.tracker);
  const pending = w.tracker.status('f1', 'slow.txt').destinations[0];
  assert.equal(pending?.state, 'pending');
  assert.equal(pending?.rtcBreached, true);
  await w.time.advanceTo(3 * 3_600_000, w.tracker);
  const done = w.tracker.status('f1', 'slow.txt').destinations[0];
  assert.equal(done?.state, 'verified');
  assert.equal(done?.rtcBreached, true);
  assert.ok((done?.latencyMs ?? 0) > 16 * 60_000);
  await w.tracker.dispose();
});

test('several destinations: each is followed on its own; a second upload replaces the tracked version', async () => {
  const w = setup(world(() => 'COMPLETED'));
  w.setDestinations([
    { bucket: 'dst', region: DEST, ruleId: 'r1' },
    { bucket: 'dst2', region: 'ap-south-1', ruleId: 'r2' },
    { bucket: 'dst', region: DEST, ruleId: 'duplicate' },
  ]);
  w.tracker.start();
  w.track('a.txt', 'v1');
  w.track('a.txt', 'v2');
  await w.time.advanceTo(60_000, w.tracker);
  const s = w.tracker.status('f1', 'a.txt');
  assert.equal(s.versionId, 'v2');
  assert.deepEqual(
    s.destinations.map((d) => [d.bucket, d.state]),
    [
      ['dst2', 'verified'],
      ['dst', 'verified'],
    ],
  );
  assert.equal(w.calls.length, 3, 'only v2 is checked: one source and two destination requests');
  await w.tracker.dispose();
});

test('unsettled files survive a restart and are picked up by the next tracker', async () => {
  let status = 'PENDING';
  const first = setup(world(() => status));
  first.tracker.start();
  first.track('a.txt');
  await first.time.advanceTo(5000, first.tracker);
  await first.tracker.dispose();
  assert.equal(first.tracker.status('f1', 'a.txt').sourceStatus, 'PENDING');
  status = 'COMPLETED';
  const second = setup(
    world(() => status),
    {},
    first.db,
  );
  second.time.now = 5000;
  second.tracker.start();
  await second.time.advanceTo(60_000, second.tracker);
  assert.equal(second.tracker.status('f1', 'a.txt').destinations[0]?.state, 'verified');
  await second.tracker.dispose();
});

test('compareReplica: every shared checksum and rs-sha256 must agree', () => {
  const source = { checksums: { CRC64NVME: CRC, SHA256: 'x' }, sha256: SHA };
  assert.deepEqual(compareReplica(source, { ChecksumCRC64NVME: CRC } as never), {
    kind: 'match',
    by: 'CRC64NVME',
  });
  assert.equal(
    compareReplica(source, {
      ChecksumCRC64NVME: CRC,
      Metadata: { 'rs-sha256': 'b'.repeat(64) },
    } as never).kind,
    'mismatch',
  );
  assert.deepEqual(compareReplica(source, { Metadata: { 'rs-sha256': SHA } }), {
    kind: 'match',
    by: 'rs-sha256',
  });
  assert.deepEqual(compareReplica({ checksums: {}, sha256: null }, {}), { kind: 'unknown' });
});

test('diagnose: 403 is a permission cause, an outage is "unreachable", a healthy bucket is unknown', async () => {
  const answering =
    (fail?: Error, versioning = 'Enabled') =>
    (): S3Client =>
      ({
        send: async (command: { constructor: { name: string } }) => {
          if (fail) throw fail;
          return command.constructor.name === 'GetBucketVersioningCommand'
            ? { Status: versioning }
            : {};
        },
      }) as unknown as S3Client;
  const dest = { bucket: 'dst', region: DEST };
  const denied = await diagnose(answering(s3Error('AccessDenied', 403)), dest);
  assert.equal(denied.cause, 'permission');
  assert.match(denied.message, /Access to the destination bucket 'dst' \(eu-west-1\) is denied/);
  assert.equal(
    (await diagnose(answering(s3Error('ServiceUnavailable', 503)), dest)).cause,
    'unreachable',
  );
  assert.equal((await diagnose(answering(undefined, 'Off'), dest)).cause, 'versioning-off');
  const healthy = await diagnose(answering(), dest);
  assert.equal(healthy.cause, 'unknown');
  assert.match(healthy.message, /replication role lacks a permission/);
});

test('a copy whose rs-sha256 alone matches is "metadata matches", never verified', async () => {
  const metadataOnly: Handler = (op, region, input) => {
    if (op !== 'HeadObject') throw new Error(`unexpected ${op}`);
    return region === SOURCE
      ? {
          VersionId: input.VersionId,
          ReplicationStatus: 'COMPLETED',
          Metadata: { 'rs-sha256': SHA },
        }
      : {
          VersionId: input.VersionId,
          ReplicationStatus: 'REPLICA',
          Metadata: { 'rs-sha256': SHA },
        };
  };
  const w = setup(metadataOnly);
  w.tracker.start();
  w.track('m.txt');
  await w.time.advanceTo(120_000, w.tracker);
  const [d] = w.tracker.status('f1', 'm.txt').destinations;
  assert.equal(d?.state, 'replicated');
  assert.equal(d?.checkedBy, 'metadata');
  assert.match(d?.reason ?? '', /^Metadata matches/);
});
