// The embedded local regions never stand in the way of another service: the first start's
// folder is handed over when the user adds the same path for another account while it holds
// no file, is named in the refusal when it does, and stays gone once removed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { MemorySecretStore } from '../../main/core/accounts/secret-store.js';
import { AppController } from '../../main/core/app/app-controller.js';
import { startEngine } from '../../main/core/app/start-engine.js';
import { instancePaths } from '../../main/core/paths.js';
import { JsonSettingsStore } from '../../main/core/settings/json-settings-store.js';
import type { SyncEngine } from '../../main/core/sync/engine.js';
import { ensureVersionedBucket } from '../helpers/engine-setup.js';
import { bucketName, startTestRegions, type TestRegions } from '../helpers/regions.js';
import { tempDir } from '../helpers/temp-dir.js';

async function start(
  regions: TestRegions,
  dataDir: string,
  folder: string,
  secrets: MemorySecretStore,
) {
  const paths = instancePaths(dataDir);
  const settings = new JsonSettingsStore(paths.settings);
  const controller = new AppController({
    mode: 'browser',
    version: 'test',
    dataDir: paths.dataDir,
    settings,
    host: { openWindow: () => {}, openPath: async () => '', quit: () => {} },
  });
  return startEngine({
    controller,
    settings,
    paths,
    secrets,
    localRegions: regions.handle,
    folder,
    tuning: { pollMs: 600_000, settleMs: 100 },
    log: () => {},
  });
}

/** Another S3 service as a user adds it: a custom endpoint with its own keys. */
async function addOtherService(
  engine: SyncEngine,
  regions: TestRegions,
  secrets: MemorySecretStore,
) {
  const region = regions.handle.regions[1];
  assert.ok(region, 'the test regions have a second region');
  await secrets.set('other-secret', regions.handle.secretAccessKey);
  engine.addAccount({
    id: 'other',
    kind: 'custom',
    name: 'Other service',
    endpoint: region.endpoint,
    forcePathStyle: true,
    accessKeyId: regions.handle.accessKeyId,
    secretId: 'other-secret',
    signingRegion: region.name,
  });
  const bucket = bucketName('other');
  await ensureVersionedBucket(regions.client(region.name), bucket);
  return { bucket, region: region.name };
}

test('a folder for another account on the first-start path takes it over while it is empty', async (t) => {
  const regions = await startTestRegions();
  t.after(() => regions.stop());
  const { dir, cleanup } = tempDir('rs-handover-');
  t.after(cleanup);
  const folder = path.join(dir, 'Replica Sync');
  const secrets = new MemorySecretStore();
  const engine = await start(regions, path.join(dir, 'data'), folder, secrets);
  t.after(() => engine.dispose());
  assert.deepEqual(
    engine.listFolders().map((f) => [f.path, f.accountId]),
    [[folder, 'local']],
  );
  const other = await addOtherService(engine, regions, secrets);
  // A refused add around it (a missing bucket, the parent holding the data dir) hands
  // nothing over: the first-start folder stays watched.
  await assert.rejects(
    engine.addFolder({ path: folder, accountId: 'other', ...other, bucket: 'no-such-rs-bucket' }),
    /no-such-rs-bucket/,
  );
  await assert.rejects(
    engine.addFolder({ path: dir, accountId: 'other', ...other }),
    /contains Replica Sync's data folder/,
  );
  assert.deepEqual(
    engine.listFolders().map((f) => [f.path, f.accountId]),
    [[folder, 'local']],
  );
  const added = await engine.addFolder({ path: folder, accountId: 'other', ...other });
  assert.equal(added.accountId, 'other');
  assert.deepEqual(
    engine.listFolders().map((f) => [f.path, f.accountId]),
    [[folder, 'other']],
  );
});

test('a first-start folder that holds files is named in the refusal, and once removed stays removed', async (t) => {
  const regions = await startTestRegions();
  t.after(() => regions.stop());
  const { dir, cleanup } = tempDir('rs-handover-');
  t.after(cleanup);
  const folder = path.join(dir, 'Replica Sync');
  const dataDir = path.join(dir, 'data');
  const secrets = new MemorySecretStore();
  let engine = await start(regions, dataDir, folder, secrets);
  fs.writeFileSync(path.join(folder, 'mine.txt'), 'the user already keeps files here');
  const first = engine.listFolders()[0];
  assert.ok(first);
  await engine.rescan(first.id);
  await engine.settle();
  const other = await addOtherService(engine, regions, secrets);
  await assert.rejects(
    engine.addFolder({ path: folder, accountId: 'other', ...other }),
    (err: Error) => err.message.includes(`overlaps the watched folder ${folder}`),
  );
  assert.equal(engine.listFolders().length, 1, 'the refused add leaves the first folder alone');

  engine.removeFolder(first.id);
  await engine.dispose();
  engine = await start(regions, dataDir, folder, secrets);
  t.after(() => engine.dispose());
  assert.deepEqual(engine.listFolders(), [], 'a removed first-start folder is not made again');
});
