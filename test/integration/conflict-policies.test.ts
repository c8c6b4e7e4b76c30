// The automatic conflict policies do what their names say: two devices (whole apps) on two
// regions of a two-way pair edit the same file before replication carries either edit over,
// which makes a real fork. Device A's folder has the policy; afterwards the file under the real
// name holds the winner's content, the conflict copy the loser's, the bucket's current version
// is the winner's content, the loser is still a version, and the resolution's rs-base names
// both heads.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { GetObjectCommand, HeadObjectCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import type { ConflictPolicy } from '../../main/contract/index.js';
import { parseLineage } from '../../main/core/transfer/lineage.js';
import { replicationSettled, US } from '../helpers/conflict-lab.js';
import { startTestRegions, waitFor } from '../helpers/regions.js';
import { tempDir } from '../helpers/temp-dir.js';
import {
  assertNothingLost,
  startWorld,
  sync,
  tree,
  type Device,
  type World,
} from '../helpers/two-devices.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Writes the file on the device and waits until its engine uploaded it: the new version id. */
async function edit(w: World, d: Device, rel: string, body: string): Promise<string> {
  const before = d.app.engine.files.get(d.folderId, rel)?.versionId ?? null;
  fs.writeFileSync(path.join(d.folder, rel), body);
  w.written.add(body);
  return waitFor(
    async () => {
      await sleep(200);
      await d.app.engine.settle();
      const v = d.app.engine.files.get(d.folderId, rel)?.versionId ?? null;
      return v !== null && v !== before ? v : undefined;
    },
    15_000,
    `${d.name} uploads ${rel}`,
  );
}

async function bodyOf(w: World, bucket: string, key: string, versionId?: string): Promise<string> {
  const out = await w.regions
    .client(US)
    .send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  return (await out.Body?.transformToString('utf8')) ?? '';
}

type Side = 'A' | 'B';
const content = (n: Side): string => `edit from ${n}\n`;

/** Devices A (us-east-1) and B (eu-west-1) with plan.txt synced on both; A has `policy`. */
async function twoDevices(
  t: { after(fn: () => unknown): void },
  policy: Exclude<ConflictPolicy, 'ask'>,
) {
  const regions = await startTestRegions({ replicationDelayMs: 4000 });
  t.after(() => regions.stop());
  const { dir, cleanup } = tempDir('rs-conflict-policy-');
  t.after(cleanup);
  const w = await startWorld(regions, dir, { A: US, B: 'eu-west-1' });
  t.after(() => w.stop());
  const A = w.devices.get('A') as Device;
  const B = w.devices.get('B') as Device;
  await A.app.call('conflicts.setPolicy', { folderId: A.folderId, policy });
  const base = await edit(w, A, 'plan.txt', 'base\n');
  await sync(w);
  assert.equal(tree(B).get('plan.txt'), 'base\n');
  return { w, A, B, base };
}

/** A's policy resolved a conflict by itself; then everything syncs. */
async function policyApplied(w: World, A: Device): Promise<void> {
  await waitFor(
    async () => {
      await A.app.call('conflicts.scan', { folderId: A.folderId });
      return A.app.seen.some((l) => l.includes('Resolved automatically')) || undefined;
    },
    20_000,
    'the policy resolves the conflict',
  );
  await sync(w);
}

/**
 * A fork on plan.txt: `first` edits, then (a second later, so Last-Modified differs) `second`
 * edits, both before replication delivers either. Device A's folder has `policy`.
 */
async function forkWithPolicy(
  t: { after(fn: () => unknown): void },
  policy: Exclude<ConflictPolicy, 'ask'>,
  order: [Side, Side],
) {
  const { w, A, B } = await twoDevices(t, policy);
  const dev = (n: Side): Device => (n === 'A' ? A : B);
  const v: Record<string, string> = {};
  const started = Date.now();
  v[order[0]] = await edit(w, dev(order[0]), 'plan.txt', content(order[0]));
  await sleep(1100);
  v[order[1]] = await edit(w, dev(order[1]), 'plan.txt', content(order[1]));
  assert.ok(Date.now() - started < 4000, 'both edits were uploaded before replication');
  // Replication delivers both; A's service finds the fork and applies its policy.
  await sync(w);
  await policyApplied(w, A);
  return { w, A, v: v as Record<Side, string> };
}

/** The folder and the bucket after A's policy kept `winner` under the real name. */
async function assertWinner(
  w: World,
  A: Device,
  expect: { winner: string; loser: string; loserId: string; bases: string[] },
): Promise<void> {
  const files = tree(A);
  assert.equal(files.get('plan.txt'), expect.winner, 'the winner has the real name');
  const copies = [...files.keys()].filter((k) => /^plan \(conflict .+ \d{6}\)\.txt$/.test(k));
  assert.equal(copies.length, 1, `one conflict copy: ${[...files.keys()].join(', ')}`);
  assert.equal(files.get(copies[0] as string), expect.loser, 'the loser is the conflict copy');

  const bucket = A.bucket;
  const head = await w.regions
    .client(US)
    .send(new HeadObjectCommand({ Bucket: bucket, Key: 'plan.txt' }));
  assert.equal(await bodyOf(w, bucket, 'plan.txt'), expect.winner, 'current = the winner');
  assert.deepEqual(
    parseLineage(head.Metadata)?.bases.sort(),
    [...expect.bases].sort(),
    'the rs-base of the resolution names every head',
  );
  const versions = await w.regions
    .client(US)
    .send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'plan.txt' }));
  const ids = (versions.Versions ?? []).filter((x) => x.Key === 'plan.txt').map((x) => x.VersionId);
  assert.ok(ids.includes(expect.loserId), 'the loser is still a version');
  assert.equal(await bodyOf(w, bucket, 'plan.txt', expect.loserId), expect.loser);
  assert.deepEqual(await A.app.call('conflicts.list', { folderId: A.folderId }), []);
  await assertNothingLost(w);
}

async function assertForkWinner(
  s: Awaited<ReturnType<typeof forkWithPolicy>>,
  winner: Side,
): Promise<void> {
  const loser = winner === 'A' ? 'B' : 'A';
  await assertWinner(s.w, s.A, {
    winner: content(winner),
    loser: content(loser),
    loserId: s.v[loser],
    bases: [s.v.A, s.v.B],
  });
}

test('newest wins: the edit written last takes the name, the other is the conflict copy', async (t) => {
  // B edits first, A (the device with the policy) last: A's edit is the newest.
  const s = await forkWithPolicy(t, 'newest-wins', ['B', 'A']);
  await assertForkWinner(s, 'A');
});

test("this device wins: this device's edit takes the name even when the other is newer", async (t) => {
  // A edits first, B last: B's edit is newer, but A's folder says this device wins.
  const s = await forkWithPolicy(t, 'this-device-wins', ['A', 'B']);
  await assertForkWinner(s, 'A');
});

test("newest wins: the other device's newer edit takes the name from this device's", async (t) => {
  const s = await forkWithPolicy(t, 'newest-wins', ['A', 'B']);
  await assertForkWinner(s, 'B');
});

test('this device wins a local–remote conflict: the local edit takes the name', async (t) => {
  const { w, A, B } = await twoDevices(t, 'this-device-wins');
  // B's edit reaches A's bucket first; then A edits its file, not having pulled B's edit.
  const b = await edit(w, B, 'plan.txt', content('B'));
  await replicationSettled(w.regions, 20_000);
  const mine = 'edit from A, made here\n';
  fs.writeFileSync(path.join(A.folder, 'plan.txt'), mine);
  w.written.add(mine);
  await policyApplied(w, A);
  assert.ok(
    A.app.seen.some((l) => l.includes('"kind":"local-remote"')),
    'the conflict was local–remote',
  );
  await assertWinner(w, A, { winner: mine, loser: content('B'), loserId: b, bases: [b] });
  assert.equal(tree(B).get('plan.txt'), mine, "B has A's edit under the real name");
});
