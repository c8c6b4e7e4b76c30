// Randomized: two devices (one in us-east-1, one in eu-west-1, two-way replication with random
// delays) make a few hundred edits over many keys: some concurrent (both edit what they see at
// nearly the same time), some sequential (after the other's version replicated), and merges
// that name every head. The detector looks after every round, sometimes before replication
// settled. The test's own log of bases is the truth: every fork that happened must have been
// reported with both versions, at every look the open forks must be exactly the keys with
// several heads (with those heads as sides), and nothing else (no "possible", no divergence)
// is ever reported. SEED=n reproduces a run.
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ConflictDetector, type ConflictChange } from '../../main/core/conflicts/detector.js';
import { FolderTable, openIndexDb, type IndexDb } from '../../main/core/index/index-db.js';
import {
  countingClients,
  EU,
  replicationSettled,
  twoWayPair,
  US,
  writeVersion,
  type TwoWayPair,
} from '../helpers/conflict-lab.js';
import { startTestRegions, type TestRegions } from '../helpers/regions.js';

const KEYS = 24;
const ROUNDS = 16;
const SEED = Number(process.env.SEED ?? Date.now() % 1_000_000);

const DEVICES = [
  { name: 'laptop-us-0001', region: US },
  { name: 'desktop-eu-0002', region: EU },
] as const;
type Device = (typeof DEVICES)[number];

let t: TestRegions;
let pair: TwoWayPair;
let db: IndexDb;
let counter: ReturnType<typeof countingClients>;

before(async () => {
  t = await startTestRegions({ replicationDelayMs: 200 });
  pair = await twoWayPair(t);
  db = openIndexDb(':memory:');
  counter = countingClients(t);
});

after(async () => {
  counter.destroy();
  db.close();
  await t.stop();
});

/** A small seeded generator (mulberry32), so a failing run can be replayed with SEED. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

interface Written {
  key: string;
  versionId: string;
  bases: string[];
  device: string;
  round: number;
}

test(`randomized two-device edits: every fork reported, no sequential edit flagged (seed ${SEED})`, async () => {
  const rnd = random(SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
  const folder = new FolderTable(db).add({
    id: 'random',
    localPath: '/data/random',
    bucket: pair.us,
    prefix: 'r/',
    region: US,
  });
  const changes: ConflictChange[] = [];
  const detector = new ConflictDetector({
    db,
    clientFor: (_folder, member) => counter.clientFor(member.region),
    group: () => [
      { bucket: pair.us, region: US },
      { bucket: pair.eu, region: EU },
    ],
    onChange: (c) => changes.push(c),
  });

  const log: Written[] = [];
  const keys = Array.from({ length: KEYS }, (_, i) => `r/doc-${String(i).padStart(2, '0')}.txt`);
  const counts = {
    sequential: 0,
    stale: 0,
    concurrentPairs: 0,
    merges: 0,
    created: 0,
    looks: 0,
    hurried: 0,
  };
  let settled = true;
  const bucketOf = (d: Device): string => (d.region === US ? pair.us : pair.eu);
  const headsOf = (key: string): string[] => {
    const mine = log.filter((w) => w.key === key);
    const named = new Set(mine.flatMap((w) => w.bases));
    return mine.filter((w) => !named.has(w.versionId)).map((w) => w.versionId);
  };
  /** What the device's region shows as current; null when the key has not arrived there. */
  const current = async (d: Device, key: string): Promise<string | null> => {
    try {
      const head = new HeadObjectCommand({ Bucket: bucketOf(d), Key: key });
      return (await t.client(d.region).send(head)).VersionId as string;
    } catch (err) {
      if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
        return null;
      throw err;
    }
  };
  const basesOf = (seen: string | null): string[] => (seen === null ? [] : [seen]);
  const write = async (d: Device, key: string, bases: string[], round: number): Promise<void> => {
    const body = `${key} by ${d.name} in round ${round} ${rnd()}`;
    const versionId = await writeVersion(t, d.region, bucketOf(d), key, body, d.name, bases);
    log.push({ key, versionId, bases, device: d.name, round });
  };

  /** At every look: open forks are exactly the keys with several heads, with those heads. */
  const checkLook = (when: string): void => {
    const open = detector.conflicts(folder.id);
    assert.deepEqual(
      open.filter((c) => c.kind !== 'fork'),
      [],
      `${when}: only forks are expected`,
    );
    const reported = new Map(
      open.map((c) => [c.key, c.sides.map((s) => s.versionId as string).sort()]),
    );
    const truth = new Map(
      keys.map((k) => [k, headsOf(k).sort()] as const).filter(([, h]) => h.length > 1),
    );
    assert.deepEqual(reported, truth, `${when}: open forks differ from the log (seed ${SEED})`);
  };

  for (let round = 1; round <= ROUNDS; round++) {
    for (const region of [US, EU])
      t.handle.setFaults(region, { replicationDelayMs: 50 + Math.floor(rnd() * 400) });
    await Promise.all(
      keys.map(async (key) => {
        const heads = headsOf(key);
        const r = rnd();
        if (heads.length === 0) {
          if (r < 0.7) {
            counts.created++;
            await write(pick(DEVICES), key, [], round);
          }
        } else if (heads.length > 1 && r < 0.35) {
          counts.merges++;
          await write(pick(DEVICES), key, heads, round);
        } else if (r < 0.3) {
          // Both edit what they see, at nearly the same time, before either replicated.
          counts.concurrentPairs++;
          const seen = await Promise.all(DEVICES.map((d) => current(d, key)));
          await Promise.all(DEVICES.map((d, i) => write(d, key, basesOf(seen[i] ?? null), round)));
        } else if (r < 0.9) {
          // Edit what this region shows: after the other's version replicated, or (after a
          // hurried round) maybe before it did, which forks.
          if (settled) counts.sequential++;
          else counts.stale++;
          const d = pick(DEVICES);
          await write(d, key, basesOf(await current(d, key)), round);
        }
      }),
    );
    // Some rounds end before replication settled: the next round edits what each region shows.
    const hurried = round < ROUNDS && rnd() < 0.25;
    if (hurried || round % 2 === 1) {
      await detector.scan(folder);
      counts.looks++;
      checkLook(`round ${round}, before replication settled`);
    }
    settled = !hurried;
    if (hurried) {
      counts.hurried++;
      continue;
    }
    await replicationSettled(t);
    await detector.scan(folder);
    counts.looks++;
    checkLook(`round ${round}, after replication`);
  }

  // Every fork of the log (two versions with the same base) was reported with both versions.
  const children = new Map<string, string[]>();
  for (const w of log)
    for (const b of w.bases.length > 0 ? w.bases : ['none'])
      children.set(`${w.key}|${b}`, [...(children.get(`${w.key}|${b}`) ?? []), w.versionId]);
  const forks = [...children.entries()].filter(([, c]) => c.length > 1);
  // A branch may have moved on before the next look (an edit in the same round): then its
  // newer head stands for it. Reported = one fork record had a side on each branch.
  const ancestorsOf = (id: string): Set<string> => {
    const out = new Set<string>();
    const stack = [id];
    while (stack.length > 0) {
      const v = stack.pop() as string;
      if (out.has(v)) continue;
      out.add(v);
      stack.push(...(log.find((w) => w.versionId === v)?.bases ?? []));
    }
    return out;
  };
  const seenTogether = (key: string, a: string, b: string): boolean =>
    changes.some((c) =>
      [...c.found, ...c.updated].some((r) => {
        if (r.key !== key || r.kind !== 'fork') return false;
        const lines = r.sides.map((s) => ancestorsOf(s.versionId as string));
        const onA = lines.findIndex((l) => l.has(a) && !l.has(b));
        const onB = lines.findIndex((l) => l.has(b) && !l.has(a));
        return onA >= 0 && onB >= 0;
      }),
    );
  let reportedForks = 0;
  for (const [id, versions] of forks) {
    const key = id.split('|')[0] as string;
    const [a, b] = versions as [string, string];
    assert.ok(seenTogether(key, a, b), `fork of ${id} (${versions.join(', ')}) was not reported`);
    reportedForks++;
  }

  // No sequential edit was ever flagged: keys that never forked never had any conflict.
  const forkedKeys = new Set(forks.map(([id]) => id.split('|')[0]));
  const flagged = changes.flatMap((c) => [...c.found, ...c.updated]);
  const falseAlarms = flagged.filter((r) => !forkedKeys.has(r.key) || r.kind !== 'fork');
  assert.deepEqual(falseAlarms, []);

  const resolved = changes.reduce((n, c) => n + c.resolved.length, 0);
  const heads = counter.counts.get('HeadObjectCommand') ?? 0;
  const lists = counter.counts.get('ListObjectVersionsCommand') ?? 0;
  console.log(
    `conflict-random seed=${SEED}: ${log.length} versions written (${counts.created} new files, ` +
      `${counts.sequential} sequential edits, ${counts.concurrentPairs} concurrent pairs, ` +
      `${counts.stale} edits of a possibly stale view, ${counts.merges} merges) in ${ROUNDS} ` +
      `rounds (${counts.hurried} not waiting for replication) over ${KEYS} keys; ${forks.length} forks ` +
      `in the log, ${reportedForks} reported, ${falseAlarms.length} false alarms; ` +
      `${resolved} conflicts resolved by merges, ${detector.conflicts(folder.id).length} open at ` +
      `the end; ${counts.looks} looks sent ${heads} HEAD and ${lists} ListObjectVersions requests`,
  );
  assert.ok(forks.length > 5, 'the run made forks');
  assert.ok(counts.sequential > 50, 'the run made sequential edits');
  assert.ok(log.length >= 200, 'a few hundred edits');
});
