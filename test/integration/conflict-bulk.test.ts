// Bulk resolution (conflicts.bulkPreview / conflicts.bulkResolve) of several cross-region
// forks in one folder: the preview names the side each keeps, the resolve writes one merge per
// conflict, and a conflict that changed again after the preview (a new remote version) fails
// alone with a "look again" message, nothing written for it, while the others resolve; after
// a new look it resolves too.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { GetObjectCommand, HeadObjectCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { MemorySecretStore } from '../../main/core/accounts/secret-store.js';
import { parseLineage } from '../../main/core/transfer/lineage.js';
import { startTestApp } from '../helpers/accounts-app.js';
import { EU, US, replicationSettled, twoWayPair, writeVersion } from '../helpers/conflict-lab.js';
import { startTestRegions, waitFor, type TestRegions } from '../helpers/regions.js';
import { tempDir } from '../helpers/temp-dir.js';

const A = 'device-aaaa-0001';
const B = 'device-bbbb-0002';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function current(regions: TestRegions, bucket: string, key: string) {
  const head = await regions.client(US).send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  const got = await regions.client(US).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return {
    versionId: head.VersionId as string,
    bases: parseLineage(head.Metadata)?.bases ?? [],
    body: (await got.Body?.transformToString('utf8')) ?? '',
  };
}

async function versionIds(regions: TestRegions, bucket: string, key: string): Promise<string[]> {
  const out = await regions
    .client(US)
    .send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
  return (out.Versions ?? []).filter((v) => v.Key === key).map((v) => v.VersionId as string);
}

test('bulk resolve: several forks resolve, one that changed after the preview fails alone', async (t) => {
  const regions = await startTestRegions({ replicationDelayMs: 200 });
  t.after(() => regions.stop());
  const { dir, cleanup } = tempDir('rs-conflict-bulk-');
  t.after(cleanup);
  const pair = await twoWayPair(regions);
  const app = await startTestApp({
    dataDir: path.join(dir, 'data'),
    regions,
    secrets: new MemorySecretStore(),
  });
  t.after(() => app.stop());
  const folderPath = path.join(dir, 'Folder');
  const folder = await app.call('folders.add', {
    path: folderPath,
    create: true,
    accountId: 'local',
    bucket: pair.us,
    region: US,
  });

  const keys = ['a.txt', 'b.txt', 'c.txt'];
  const bases: Record<string, string> = {};
  for (const k of keys) fs.writeFileSync(path.join(folderPath, k), `base of ${k}\n`);
  for (const k of keys)
    bases[k] = await waitFor(
      async () => {
        await app.engine.settle();
        return app.engine.files.get(folder.id, k)?.versionId ?? undefined;
      },
      20_000,
      `${k} synced`,
    );
  await replicationSettled(regions);

  // Two devices edit each base in the two regions; a and b: B writes last, c: A writes last.
  const us: Record<string, string> = {};
  const eu: Record<string, string> = {};
  const body = (k: string, who: string): string => `${k} from ${who}\n`;
  for (const k of ['a.txt', 'b.txt'])
    us[k] = await writeVersion(regions, US, pair.us, k, body(k, 'A'), A, [bases[k] as string]);
  eu['c.txt'] = await writeVersion(regions, EU, pair.eu, 'c.txt', body('c.txt', 'B'), B, [
    bases['c.txt'] as string,
  ]);
  await sleep(1100);
  for (const k of ['a.txt', 'b.txt'])
    eu[k] = await writeVersion(regions, EU, pair.eu, k, body(k, 'B'), B, [bases[k] as string]);
  us['c.txt'] = await writeVersion(regions, US, pair.us, 'c.txt', body('c.txt', 'A'), A, [
    bases['c.txt'] as string,
  ]);
  await replicationSettled(regions);

  const list = await waitFor(
    async () => {
      await app.call('conflicts.scan', { folderId: folder.id });
      const l = await app.call('conflicts.list', { folderId: folder.id });
      return l.length === 3 ? l : undefined;
    },
    20_000,
    'three forks are found',
  );
  const idOf = (rel: string): string => {
    const c = list.find((x) => x.relPath === rel);
    assert.ok(c, `a conflict on ${rel}`);
    assert.equal(c.kind, 'fork');
    return c.id;
  };
  const ids = ['a.txt', 'b.txt', 'c.txt'].map(idOf);

  const preview = await app.call('conflicts.bulkPreview', { ids, policy: 'keep-newest' });
  assert.deepEqual(preview, [
    { id: ids[0], relPath: 'a.txt', keep: 'remote', versionId: eu['a.txt'] },
    { id: ids[1], relPath: 'b.txt', keep: 'remote', versionId: eu['b.txt'] },
    { id: ids[2], relPath: 'c.txt', keep: 'remote', versionId: us['c.txt'] },
  ]);

  // a.txt changes again after the preview: a third device edits B's side in us-east-1.
  const again = await writeVersion(regions, US, pair.us, 'a.txt', 'a.txt again\n', 'device-c', [
    eu['a.txt'] as string,
  ]);

  const out = await app.call('conflicts.bulkResolve', { ids, policy: 'keep-newest' });
  assert.equal(out.resolved, 2, JSON.stringify(out));
  assert.equal(out.failed.length, 1, JSON.stringify(out));
  assert.equal(out.failed[0]?.id, ids[0]);
  assert.match(out.failed[0]?.message ?? '', /'a\.txt' changed again .*nothing was written/);

  // Nothing was written for a.txt: its current version is still the new edit.
  assert.equal((await current(regions, pair.us, 'a.txt')).versionId, again);
  // b and c: a merge of both heads with the newest side's content, the loser still a version,
  // and the folder holds the kept content.
  for (const [k, winner, loser] of [
    ['b.txt', 'B', us['b.txt']],
    ['c.txt', 'A', eu['c.txt']],
  ] as const) {
    const cur = await current(regions, pair.us, k);
    assert.equal(cur.body, body(k, winner), `${k}: the newest side is current`);
    assert.deepEqual(cur.bases.sort(), [us[k], eu[k]].sort(), `${k}: rs-base names both heads`);
    assert.ok((await versionIds(regions, pair.us, k)).includes(loser as string));
    assert.equal(fs.readFileSync(path.join(folderPath, k), 'utf8'), body(k, winner));
  }

  // After a new look the changed conflict is still open (with the new head), and resolves.
  await replicationSettled(regions);
  await app.call('conflicts.scan', { folderId: folder.id });
  const left = await app.call('conflicts.list', { folderId: folder.id });
  assert.deepEqual(
    left.map((c) => c.relPath),
    ['a.txt'],
  );
  const retry = await app.call('conflicts.bulkResolve', {
    ids: left.map((c) => c.id),
    policy: 'keep-newest',
  });
  assert.deepEqual(retry, { resolved: 1, failed: [] });
  const a = await current(regions, pair.us, 'a.txt');
  assert.equal(a.body, 'a.txt again\n');
  assert.deepEqual(a.bases.sort(), [us['a.txt'], again].sort());
  await replicationSettled(regions);
  await app.call('conflicts.scan', { folderId: folder.id });
  assert.deepEqual(await app.call('conflicts.list', { folderId: folder.id }), []);
});
