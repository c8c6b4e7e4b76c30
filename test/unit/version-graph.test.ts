// The version graph of one key across a two-way pair (pure): forks from lineage are certain,
// versions without lineage (other tools, delete markers) are only ever "possible", and
// divergence waits for replication to settle.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  analyzeKey,
  ROOT,
  type KeyAnalysis,
  type ListedVersion,
  type OriginStatus,
  type VersionFacts,
} from '../../main/core/conflicts/version-graph.js';

const A = 'bucket-us';
const B = 'bucket-eu';
const T0 = Date.UTC(2025, 0, 1);
const MIN = 60_000;
const WINDOW = 15 * MIN;
const SHA = 'cd'.repeat(32);

interface Spec {
  id: string;
  /** ms after T0 */
  at: number;
  origin: string;
  /** Buckets that list it (default both). */
  in?: string[];
  /** Lineage bases; omitted: no lineage (another tool). */
  bases?: string[];
  device?: string;
  deleteMarker?: boolean;
  status?: OriginStatus;
  statusBeforeListing?: boolean;
  /** Per bucket, when the detector first listed it. */
  firstSeen?: Record<string, number>;
}

function analyze(specs: Spec[], opts: { now?: number } = {}): KeyAnalysis {
  const listed: ListedVersion[] = [];
  const facts = new Map<string, VersionFacts>();
  for (const bucket of [A, B]) {
    const here = specs
      .filter((s) => (s.in ?? [A, B]).includes(bucket))
      .sort((x, y) => x.at - y.at || (x.id < y.id ? -1 : 1));
    here.forEach((s, i) =>
      listed.push({
        bucket,
        versionId: s.id,
        isLatest: i === here.length - 1,
        lastModified: T0 + s.at,
        size: 10,
        deleteMarker: s.deleteMarker ?? false,
        ...(s.firstSeen?.[bucket] !== undefined ? { firstSeen: T0 + s.firstSeen[bucket] } : {}),
      }),
    );
  }
  for (const s of specs) {
    if (s.deleteMarker) continue;
    facts.set(s.id, {
      lineage: s.bases ? { device: s.device ?? 'device-one', bases: s.bases, sha256: SHA } : null,
      origin: s.origin,
      originStatus: s.status ?? 'COMPLETED',
      statusBeforeListing: s.statusBeforeListing ?? true,
    });
  }
  return analyzeKey({
    buckets: [A, B],
    listed,
    facts,
    now: opts.now ?? T0 + 10 * 24 * 60 * MIN,
    windowMs: WINDOW,
  });
}

const ids = (nodes: { versionId: string }[] | undefined): string[] =>
  (nodes ?? []).map((n) => n.versionId);

const v1: Spec = { id: 'v1', at: 0, origin: A, bases: [], device: 'device-one' };

test('sequential edits by two devices in two regions: one head, no conflict', () => {
  const a = analyze([
    v1,
    { id: 'v2', at: 5 * MIN, origin: B, bases: ['v1'], device: 'device-two' },
    { id: 'v3', at: 9 * MIN, origin: A, bases: ['v2'], device: 'device-one' },
  ]);
  assert.deepEqual(ids(a.heads), ['v3']);
  assert.equal(a.fork, null);
  assert.equal(a.possible, null);
  assert.equal(a.divergence, null);
  assert.equal(a.settled, true);
});

test('two versions with the same base are a fork, even when both replicated and one is hidden', () => {
  const a = analyze([
    v1,
    { id: 'v2', at: 10_000, origin: A, bases: ['v1'], device: 'device-one' },
    { id: 'v3', at: 10_050, origin: B, bases: ['v1'], device: 'device-two' },
  ]);
  assert.deepEqual(ids(a.fork?.heads), ['v2', 'v3']);
  assert.deepEqual(a.fork?.bases, ['v1']);
  assert.equal(a.possible, null);
  // S3 converged: both buckets show v3, v2 silently became non-current.
  assert.deepEqual(
    a.fork?.heads.map((h) => h.currentIn.length),
    [0, 2],
  );
  assert.equal(a.divergence, null);
});

test('a fork shows before replication has settled (each side only in its own region)', () => {
  const a = analyze([
    v1,
    { id: 'v2', at: 10_000, origin: A, in: [A], bases: ['v1'], status: 'PENDING' },
    { id: 'v3', at: 10_050, origin: B, in: [B], bases: ['v1'], status: 'PENDING' },
  ]);
  assert.deepEqual(ids(a.fork?.heads), ['v2', 'v3']);
  assert.equal(a.settled, false);
  assert.equal(a.divergence, null, 'divergence waits until replication settled');
});

test('a merge naming both heads resolves the fork; naming one does not', () => {
  const fork: Spec[] = [
    v1,
    { id: 'v2', at: 10_000, origin: A, bases: ['v1'] },
    { id: 'v3', at: 10_050, origin: B, bases: ['v1'] },
  ];
  const merged = analyze([...fork, { id: 'v4', at: 60_000, origin: A, bases: ['v2', 'v3'] }]);
  assert.deepEqual(ids(merged.heads), ['v4']);
  assert.equal(merged.fork, null);
  assert.equal(merged.possible, null);
  const half = analyze([...fork, { id: 'v4', at: 60_000, origin: A, bases: ['v3'] }]);
  assert.deepEqual(ids(half.fork?.heads), ['v2', 'v4']);
  assert.deepEqual(half.fork?.bases, ['v1']);
});

test('three devices from the same base: one fork with three heads; merging two leaves two', () => {
  const three: Spec[] = [
    v1,
    { id: 'v2', at: 10_000, origin: A, bases: ['v1'], device: 'device-one' },
    { id: 'v3', at: 10_010, origin: B, bases: ['v1'], device: 'device-two' },
    { id: 'v4', at: 10_020, origin: A, bases: ['v1'], device: 'device-three' },
  ];
  const a = analyze(three);
  assert.deepEqual(ids(a.fork?.heads), ['v2', 'v3', 'v4']);
  assert.deepEqual(a.fork?.bases, ['v1']);
  const b = analyze([...three, { id: 'v5', at: 90_000, origin: B, bases: ['v2', 'v3'] }]);
  assert.deepEqual(ids(b.fork?.heads), ['v4', 'v5']);
  const c = analyze([...three, { id: 'v5', at: 90_000, origin: B, bases: ['v2', 'v3', 'v4'] }]);
  assert.equal(c.fork, null);
});

test('an edit based on an old version forks from that version', () => {
  const a = analyze([
    v1,
    { id: 'v2', at: 1 * MIN, origin: A, bases: ['v1'] },
    { id: 'v3', at: 2 * MIN, origin: A, bases: ['v2'] },
    { id: 'v4', at: 60 * MIN, origin: B, bases: ['v1'], device: 'device-two' },
  ]);
  assert.deepEqual(ids(a.fork?.heads), ['v3', 'v4']);
  assert.deepEqual(a.fork?.bases, ['v1']);
});

test('two devices creating the same new file fork from none', () => {
  const a = analyze([
    { id: 'v1', at: 0, origin: A, bases: [] },
    { id: 'v2', at: 30, origin: B, bases: [], device: 'device-two' },
  ]);
  assert.deepEqual(ids(a.fork?.heads), ['v1', 'v2']);
  assert.deepEqual(a.fork?.bases, [ROOT]);
});

test('no lineage, one bucket, one after another: no conflict', () => {
  const a = analyze([
    { id: 'w1', at: 0, origin: A },
    { id: 'w2', at: 1000, origin: A },
    { id: 'w3', at: 2000, origin: A },
  ]);
  assert.deepEqual(ids(a.heads), ['w3']);
  assert.equal(a.fork, null);
  assert.equal(a.possible, null);
});

test('no lineage, written in two regions within the replication window: possible, not certain', () => {
  const a = analyze([
    { id: 'w1', at: 0, origin: A },
    { id: 'w2', at: 30 * MIN, origin: A },
    { id: 'w3', at: 30 * MIN + 400, origin: B },
  ]);
  assert.equal(a.fork, null);
  assert.deepEqual(ids(a.possible?.heads), ['w2', 'w3']);
  assert.deepEqual(a.possible?.bases, ['w1']);
});

test('no lineage, written in the other region long after the previous one: no conflict', () => {
  const a = analyze([
    { id: 'w1', at: 0, origin: A },
    { id: 'w2', at: 10_000, origin: A },
    { id: 'w3', at: 10_000 + WINDOW + 1, origin: B },
  ]);
  assert.deepEqual(ids(a.heads), ['w3']);
  assert.equal(a.possible, null);
});

test('no lineage, seen written before the previous version had replicated there: possible', () => {
  // w3 was listed in B at one look while w2 was not there yet: w2 arrived after w3 was written.
  const a = analyze([
    { id: 'w1', at: 0, origin: A, firstSeen: { [A]: 1, [B]: 1 } },
    { id: 'w2', at: 10_000, origin: A, firstSeen: { [A]: 60 * MIN, [B]: 80 * MIN } },
    { id: 'w3', at: 40 * MIN, origin: B, firstSeen: { [A]: 80 * MIN, [B]: 60 * MIN } },
  ]);
  assert.equal(a.fork, null);
  assert.deepEqual(ids(a.possible?.heads), ['w2', 'w3']);
});

test('lineage on one side only: possible, never certain', () => {
  const a = analyze([
    v1,
    { id: 'v2', at: 10_000, origin: A, bases: ['v1'] },
    { id: 'w3', at: 10_200, origin: B },
  ]);
  assert.equal(a.fork, null);
  assert.deepEqual(ids(a.possible?.heads), ['v2', 'w3']);
});

test('two app edits naming the same version written by another tool: a certain fork', () => {
  const a = analyze([
    { id: 'w1', at: 0, origin: A },
    { id: 'v2', at: 10 * MIN, origin: A, bases: ['w1'] },
    { id: 'v3', at: 10 * MIN + 50, origin: B, bases: ['w1'], device: 'device-two' },
  ]);
  assert.deepEqual(ids(a.fork?.heads), ['v2', 'v3']);
  assert.equal(a.possible, null);
});

test('whatever the mix, a head without lineage is never part of a certain fork', () => {
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  let possibles = 0;
  for (let round = 0; round < 300; round++) {
    const specs: Spec[] = [];
    for (let i = 0; i < 2 + rand(6); i++) {
      const earlier = specs.map((s) => s.id);
      const lineage = rand(3) > 0;
      specs.push({
        id: `x${String(i).padStart(2, '0')}`,
        at: i * 1000 + rand(3) * WINDOW,
        origin: rand(2) === 0 ? A : B,
        ...(rand(5) === 0 ? { in: [rand(2) === 0 ? A : B] } : {}),
        ...(lineage
          ? { bases: earlier.length > 0 && rand(4) > 0 ? [earlier[rand(earlier.length)]!] : [] }
          : rand(4) === 0
            ? { deleteMarker: true }
            : {}),
      });
    }
    const a = analyze(specs);
    for (const h of a.fork?.heads ?? []) assert.ok(h.lineage, `${h.versionId} has no lineage`);
    // Two deletes agree with each other; any other pair of heads with a side lacking lineage
    // is a possible conflict.
    const doubtful = a.heads.some((x, i) =>
      a.heads
        .slice(i + 1)
        .some((y) => !(x.deleteMarker && y.deleteMarker) && (!x.lineage || !y.lineage)),
    );
    if (doubtful) {
      assert.ok(a.possible, 'several heads, one without lineage: possible');
      possibles++;
    }
    if (a.heads.length > 1 && a.heads.every((h) => h.deleteMarker)) {
      assert.equal(a.possible, null, 'only deletes: no conflict');
      assert.equal(a.fork, null, 'only deletes: no conflict');
    }
  }
  assert.ok(possibles > 10);
});

test('deleted in one region while edited in the other: possible conflict, both sides', () => {
  // The delete marker (no lineage, not replicated) and an edit made without seeing it.
  const a = analyze([
    v1,
    { id: 'd2', at: 10_000, origin: A, in: [A], deleteMarker: true },
    { id: 'v3', at: 10_300, origin: B, bases: ['v1'], device: 'device-two' },
  ]);
  assert.equal(a.fork, null);
  assert.deepEqual(ids(a.possible?.heads), ['d2', 'v3']);
  assert.equal(a.possible?.heads[0]?.deleteMarker, true);
});

test('a delete seen by the other device, then re-created from it: no conflict', () => {
  const a = analyze([
    v1,
    { id: 'd2', at: 10_000, origin: A, deleteMarker: true },
    { id: 'v3', at: 20 * MIN, origin: B, bases: ['d2'], device: 'device-two' },
  ]);
  assert.deepEqual(ids(a.heads), ['v3']);
  assert.equal(a.fork, null);
  assert.equal(a.possible, null);
});

test('a delete marker that does not replicate: divergence once the window passed', () => {
  const specs: Spec[] = [
    v1,
    { id: 'v2', at: 1 * MIN, origin: B, bases: ['v1'] },
    { id: 'd3', at: 30 * MIN, origin: A, in: [A], deleteMarker: true },
  ];
  const early = analyze(specs, { now: T0 + 31 * MIN });
  assert.equal(early.settled, false);
  assert.equal(early.divergence, null);
  const late = analyze(specs, { now: T0 + 60 * MIN });
  assert.deepEqual(ids(late.heads), ['d3']);
  assert.equal(late.possible, null);
  assert.deepEqual(
    late.divergence?.currents.map((c) => [c.bucket, c.node?.versionId]),
    [
      [A, 'd3'],
      [B, 'v2'],
    ],
  );
});

test('divergence: a version whose replication FAILED, judged only once settled', () => {
  const failed = (status: OriginStatus, before: boolean): KeyAnalysis =>
    analyze([
      v1,
      {
        id: 'v2',
        at: 5 * MIN,
        origin: A,
        in: [A],
        bases: ['v1'],
        status,
        statusBeforeListing: before,
      },
    ]);
  const d = failed('FAILED', true).divergence;
  assert.deepEqual(
    d?.currents.map((c) => [c.bucket, c.node?.versionId]),
    [
      [A, 'v2'],
      [B, 'v1'],
    ],
  );
  assert.equal(failed('PENDING', true).divergence, null);
  // Read during this look: the other bucket's listing may predate the copy; wait a look.
  assert.equal(failed('COMPLETED', false).divergence, null);
  assert.equal(failed('FAILED', false).settled, false);
});

test('divergence: a key the other bucket never got', () => {
  const a = analyze([{ id: 'v1', at: 0, origin: A, in: [A], bases: [], status: 'NONE' }]);
  assert.deepEqual(
    a.divergence?.currents.map((c) => [c.bucket, c.node?.versionId ?? null]),
    [
      [A, 'v1'],
      [B, null],
    ],
  );
});
