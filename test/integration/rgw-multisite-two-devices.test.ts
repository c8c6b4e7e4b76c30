// Two devices on ONE bucket of a Ceph RGW multisite (test/helpers/ceph.ts): device A syncs
// with the bucket in zone-a (the master), device B with the same bucket in zone-b, and each
// names the other zone as a peer. RGW does not prove conditional writes, so the engines write
// unconditionally and check the key's versions after each write; lineage must still tell an
// edit from a fork, and "keep both" must end a fork everywhere without losing a byte.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ConflictSummary } from '../../main/contract/index.js';
import { strategyFor } from '../../main/core/sync/folder-capabilities.js';
import {
  startCephMultisite,
  versionedBucketInBothZones,
  type CephMultisite,
} from '../helpers/ceph.js';
import {
  eventually,
  headVersion,
  startRgwDevice,
  zoneVersions,
  type RgwDevice,
} from '../helpers/rgw-devices.js';

const BUCKET = 'rs-two-devices';
const SYNC_MS = 60_000;
const DEVICE_A = 'device-rgw-a-0001';
const DEVICE_B = 'device-rgw-b-0002';

let ms: CephMultisite | undefined;
let root = '';
let zones: [S3Client, S3Client] | undefined;
let A: RgwDevice | undefined;
let B: RgwDevice | undefined;
const timings: Record<string, number> = {};
/** Every content any step wrote: none may be lost. */
const written = new Set<string>();

function world(): { ms: CephMultisite; zones: [S3Client, S3Client]; A: RgwDevice; B: RgwDevice } {
  if (!ms || !zones || !A || !B) throw new Error('the multisite world did not start');
  return { ms, zones, A, B };
}

function zoneName(z: 0 | 1): string {
  return z === 0 ? 'zone-a' : 'zone-b';
}

/** The index's synced version of a file on a device. */
function syncedVersion(d: RgwDevice, rel: string): string {
  const row = d.engine.files.get(d.folderId, rel);
  assert.ok(
    row?.versionId,
    `${d.name} has no synced version of ${rel} (row: ${JSON.stringify(row)})`,
  );
  return row.versionId;
}

/** Waits until a version has reached a zone by multisite sync; returns its metadata. */
function arrives(z: 0 | 1, key: string, versionId: string): Promise<Record<string, string>> {
  const { zones } = world();
  return eventually(`${key} version ${versionId} did not reach ${zoneName(z)}`, SYNC_MS, () =>
    headVersion(zones[z], BUCKET, key, versionId),
  );
}

/** Syncs the device until its file holds `content` (multisite sync, then its pull). */
function pullsUntil(d: RgwDevice, rel: string, content: string): Promise<void> {
  return eventually(`${d.name} did not pull ${rel} = "${content}"`, SYNC_MS, async () => {
    await d.sync();
    assert.equal(d.read(rel), content);
  });
}

/** Every content in `want` is a version of `key` in both zones (waits for multisite sync). */
async function inBothZones(key: string, want: string[]): Promise<void> {
  const { zones } = world();
  for (const z of [0, 1] as const)
    await eventually(
      `${key}: not every content is a version in ${zoneName(z)}`,
      SYNC_MS,
      async () => {
        const contents = (await zoneVersions(zones[z], BUCKET, key)).map((v) => v.content);
        for (const c of want)
          assert.ok(contents.includes(c), `"${c}" missing in ${contents.join('|')}`);
      },
    );
}

/** Nothing written is lost: each content is a version in a zone or a file on a device. */
async function nothingLost(keys: string[]): Promise<void> {
  const { zones, A, B } = world();
  const have = new Set<string>();
  for (const z of [0, 1] as const)
    for (const key of keys)
      for (const v of await zoneVersions(zones[z], BUCKET, key)) if (v.content) have.add(v.content);
  for (const d of [A, B]) for (const c of d.tree().values()) have.add(c);
  for (const c of written) assert.ok(have.has(c), `"${c}" was lost`);
}

function write(d: RgwDevice, rel: string, content: string): void {
  written.add(content);
  d.write(rel, content);
}

/** The conflict as the device saw it and the key's versions in both zones, for a failure. */
async function state(key: string, c: ConflictSummary): Promise<string> {
  const { zones } = world();
  const sides = c.sides.map(
    (s) => `${s.versionId ?? 'local'} ${s.bucket ?? ''} ${s.device ?? ''} current=${s.isCurrent}`,
  );
  const lines = [`conflict ${c.kind} base=${c.base?.versionId ?? '-'}: ${sides.join(' | ')}`];
  for (const z of [0, 1] as const)
    for (const v of await zoneVersions(zones[z], BUCKET, key))
      lines.push(
        `${zoneName(z)} ${v.versionId} latest=${v.latest} "${v.content ?? 'marker'}" base=${v.metadata['rs-base'] ?? '-'}`,
      );
  return `${lines.join('\n')}\n${dumpLogs()}`;
}

function dumpLogs(): string {
  const { A, B } = world();
  return [A, B].map((d) => `--- ${d.name}\n${d.log.slice(-40).join('\n')}`).join('\n');
}

describe('two devices on one bucket of a Ceph RGW multisite', () => {
  before(async () => {
    const t0 = Date.now();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-rgw-2dev-'));
    ms = await startCephMultisite();
    timings.cephStart = Date.now() - t0;
    await versionedBucketInBothZones(ms, BUCKET);
    zones = [ms.client(0), ms.client(1)];
    A = await startRgwDevice(ms, { name: 'A', device: DEVICE_A, home: 0, bucket: BUCKET, root });
    B = await startRgwDevice(ms, { name: 'B', device: DEVICE_B, home: 1, bucket: BUCKET, root });
    timings.worldReady = Date.now() - t0;
    // The engines measured RGW: no proven conditional writes, so unconditional + version check.
    for (const d of [A, B]) {
      const caps = d.engine.capabilities(d.folderId);
      assert.ok(caps, `${d.name}: the engine measured nothing`);
      assert.equal(
        strategyFor(caps).conditional,
        false,
        `${d.name}: RGW should not be trusted with conditional writes (${caps.summary.join(' ')})`,
      );
    }
  });

  after(async () => {
    for (const d of [A, B]) await d?.stop().catch(() => undefined);
    for (const c of zones ?? []) c.destroy();
    await ms?.stop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
    console.log(`timings (ms): ${JSON.stringify(timings)}`);
  });

  it('an edit on the other zone carries the first version as its base: no conflict', async () => {
    const { zones, A, B } = world();
    const t0 = Date.now();
    write(A, 'f.txt', 'f: first, from A');
    await A.sync();
    const vA = syncedVersion(A, 'f.txt');
    const metaA = await headVersion(zones[0], BUCKET, 'f.txt', vA);
    assert.equal(metaA['rs-device'], DEVICE_A);
    assert.equal(metaA['rs-base'], 'none');
    await arrives(1, 'f.txt', vA);
    timings.case1Replicated = Date.now() - t0;
    await pullsUntil(B, 'f.txt', 'f: first, from A');
    assert.equal(syncedVersion(B, 'f.txt'), vA, 'B should record the version it pulled');

    write(B, 'f.txt', 'f: edited on B');
    await B.sync();
    const vB = syncedVersion(B, 'f.txt');
    assert.notEqual(vB, vA);
    const metaB = await headVersion(zones[1], BUCKET, 'f.txt', vB);
    assert.equal(metaB['rs-device'], DEVICE_B);
    assert.equal(metaB['rs-base'], vA, "B's edit must name A's version as its base");
    await arrives(0, 'f.txt', vB);
    await pullsUntil(A, 'f.txt', 'f: edited on B');
    assert.equal(syncedVersion(A, 'f.txt'), vB);

    for (const d of [A, B])
      assert.deepEqual(
        (await d.scan()).map((c) => `${c.kind} ${c.relPath}`),
        [],
        `${d.name} reports a conflict for a plain edit\n${dumpLogs()}`,
      );
    await nothingLost(['f.txt']);
    timings.case1 = Date.now() - t0;
  });

  it('the same file edited on both devices at once is a fork, found and kept in both zones', async () => {
    const { zones, A, B } = world();
    const t0 = Date.now();
    write(A, 'g.txt', 'g: base, from A');
    await A.sync();
    const base = syncedVersion(A, 'g.txt');
    await arrives(1, 'g.txt', base);
    await pullsUntil(B, 'g.txt', 'g: base, from A');

    // Both edit, both upload at once: neither zone has the other's edit yet.
    write(A, 'g.txt', 'g: edited on A');
    write(B, 'g.txt', 'g: edited on B');
    await Promise.all([A.sync(), B.sync()]);
    timings.case2BothUploaded = Date.now() - t0;
    const edits = [
      { z: 0 as const, content: 'g: edited on A', device: DEVICE_A },
      { z: 1 as const, content: 'g: edited on B', device: DEVICE_B },
    ];
    // Each edit is a version in its own zone, written by its device, on the common base.
    for (const e of edits) {
      const mine = (await zoneVersions(zones[e.z], BUCKET, 'g.txt')).find(
        (v) => v.content === e.content,
      );
      assert.ok(mine, `"${e.content}" is no version in ${zoneName(e.z)}\n${dumpLogs()}`);
      assert.equal(mine.metadata['rs-device'], e.device);
      assert.equal(mine.metadata['rs-base'], base, `"${e.content}" should be based on ${base}`);
    }
    await inBothZones('g.txt', [...edits.map((e) => e.content), 'g: base, from A']);
    timings.case2Replicated = Date.now() - t0;

    const found = await eventually('no device reports the fork on g.txt', SYNC_MS, async () => {
      await Promise.all([A.sync(), B.sync()]);
      const lists = await Promise.all([A.scan(), B.scan()]);
      const hits = lists.flat().filter((c) => c.relPath === 'g.txt');
      assert.ok(
        hits.length > 0,
        `conflicts: ${JSON.stringify(lists.flat().map((c) => c.relPath))}`,
      );
      return hits;
    });
    assert.ok(
      found.some((c) => c.kind === 'fork' && c.certain && c.base?.versionId === base),
      `a certain fork on base ${base} expected, got ${JSON.stringify(found.map((c) => [c.kind, c.base?.versionId]))}`,
    );
    for (const c of found.filter((x) => x.kind === 'fork')) {
      const sides = new Set(c.sides.map((s) => s.device));
      assert.ok(sides.has(DEVICE_A) && sides.has(DEVICE_B), `fork sides: ${[...sides].join(',')}`);
    }
    // f.txt of the first case stays conflict-free.
    for (const d of [A, B])
      assert.ok(!d.service.list().some((c) => c.relPath === 'f.txt'), `${d.name}: f.txt conflict`);
    await nothingLost(['f.txt', 'g.txt']);
    timings.case2 = Date.now() - t0;
  });

  it('"keep both" on one device ends the fork on both, with both contents in both folders', async () => {
    const { A, B } = world();
    const t0 = Date.now();
    const [resolver, other] = A.service.list().some((c) => c.relPath === 'g.txt') ? [A, B] : [B, A];
    const open = resolver.service.list().find((c) => c.relPath === 'g.txt');
    assert.ok(open, `${resolver.name} has no open conflict on g.txt (case 2 must pass first)`);
    const res = await resolver.service.handlers['conflicts.resolve'](
      { id: open.id, keep: 'both' },
      new AbortController().signal,
    ).catch(async (err: unknown) => {
      throw new Error(
        `keep both on ${resolver.name} failed: ${(err as Error).message}\n${await state('g.txt', open)}`,
      );
    });
    assert.equal(res.resolved, true);
    assert.ok(res.copy, 'keep both must name its conflict copy');
    const copyRel = path.basename(res.copy);
    assert.match(copyRel, /^g \(conflict .+ \d{4}-\d{2}-\d{2} \d{6}\)\.txt$/);

    const both = ['g: edited on A', 'g: edited on B'];
    // The resolution merges both heads: its rs-base names both edits.
    const home = world().zones[resolver.home];
    const heads = (await zoneVersions(home, BUCKET, 'g.txt'))
      .filter((v) => v.versionId !== res.versionId && both.includes(v.content ?? ''))
      .map((v) => v.versionId);
    assert.equal(heads.length, 2, `both edits should be versions in ${zoneName(resolver.home)}`);
    const merged = await headVersion(home, BUCKET, 'g.txt', res.versionId);
    assert.deepEqual((merged['rs-base'] ?? '').split(',').sort(), [...heads].sort());
    assert.equal(merged['rs-device'], resolver.device);
    for (const d of [resolver, other])
      await eventually(`${d.name} does not hold both contents of g.txt`, SYNC_MS * 2, async () => {
        await d.sync();
        const t = d.tree();
        const gs = [t.get('g.txt'), t.get(copyRel)].sort();
        assert.deepEqual(gs, [...both].sort(), `${d.name}: ${JSON.stringify([...t])}`);
      });
    // Both folders agree on names and contents, and every device has the resolver's version.
    assert.deepEqual([...A.tree()].sort(), [...B.tree()].sort());
    for (const d of [resolver, other])
      await eventually(`${d.name} still reports a conflict on g.txt`, SYNC_MS, async () => {
        await d.sync();
        const left = (await d.scan()).filter((c) => c.relPath === 'g.txt' || c.relPath === copyRel);
        assert.deepEqual(
          left.map((c) => `${c.kind} ${c.relPath}`),
          [],
        );
      });
    await inBothZones('g.txt', both);
    await nothingLost(['f.txt', 'g.txt', copyRel]);
    timings.case3 = Date.now() - t0;
  });
});
