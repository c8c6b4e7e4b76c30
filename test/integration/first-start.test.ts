// The no-account first start: two local regions, a versioned bucket in each, two-way
// replication between them and a watched folder; a file written in the second region by
// another device comes back into the folder, and a local file reaches both regions verified.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  GetBucketReplicationCommand,
  GetBucketVersioningCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { MemorySecretStore } from '../../main/core/accounts/secret-store.js';
import { AppController } from '../../main/core/app/app-controller.js';
import { Dispatcher } from '../../main/core/app/dispatcher.js';
import { startEngine } from '../../main/core/app/start-engine.js';
import { instancePaths } from '../../main/core/paths.js';
import { JsonSettingsStore } from '../../main/core/settings/json-settings-store.js';
import { startTestRegions, waitFor } from '../helpers/regions.js';
import { tempDir } from '../helpers/temp-dir.js';

test('first start: buckets in both regions, two-way replication, and versions flow both ways', async (t) => {
  const regions = await startTestRegions();
  t.after(() => regions.stop());
  const { dir, cleanup } = tempDir('rs-first-');
  t.after(cleanup);
  const paths = instancePaths(path.join(dir, 'data'));
  const folder = path.join(dir, 'Replica Sync');
  const settings = new JsonSettingsStore(paths.settings);
  const controller = new AppController({
    mode: 'browser',
    version: 'test',
    dataDir: paths.dataDir,
    settings,
    host: { openWindow: () => {}, openPath: async () => '', quit: () => {} },
  });
  const engine = await startEngine({
    controller,
    settings,
    paths,
    secrets: new MemorySecretStore(),
    localRegions: regions.handle,
    folder,
    tuning: { pollMs: 500, settleMs: 100 },
    log: () => {},
  });
  t.after(() => engine.dispose());
  const call = new Dispatcher(controller.handlers);

  assert.equal(settings.get().setupDone, true);
  const [summary] = engine.listFolders();
  assert.equal(summary?.path, folder);
  const us = regions.client('us-east-1');
  const eu = regions.client('eu-west-1');
  const buckets = (await us.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name) ?? [];
  const east = buckets.find((b) => b?.endsWith('-us-east-1'));
  const west = buckets.find((b) => b?.endsWith('-eu-west-1'));
  assert.ok(east && west, `both buckets exist: ${buckets.join(', ')}`);
  assert.equal(summary?.bucket, east);
  for (const [client, bucket, partner] of [
    [us, east, west],
    [eu, west, east],
  ] as const) {
    const v = await client.send(new GetBucketVersioningCommand({ Bucket: bucket }));
    assert.equal(v.Status, 'Enabled');
    const r = await client.send(new GetBucketReplicationCommand({ Bucket: bucket }));
    const rule = r.ReplicationConfiguration?.Rules?.[0];
    assert.equal(rule?.Destination?.Bucket, `arn:aws:s3:::${partner}`);
    assert.equal(rule?.SourceSelectionCriteria?.ReplicaModifications?.Status, 'Enabled');
  }

  // Another device writes in the second region: it replicates to the source and is pulled.
  const content = 'written by another device in eu-west-1\n';
  await eu.send(
    new PutObjectCommand({
      Bucket: west,
      Key: 'from-west.txt',
      Body: content,
      Metadata: {
        'rs-device': 'other-device-01',
        'rs-base': 'none',
        'rs-sha256': createHash('sha256').update(content).digest('hex'),
      },
    }),
  );
  await waitFor(
    async () => fs.existsSync(path.join(folder, 'from-west.txt')),
    20_000,
    'the file written in eu-west-1 arrives in the folder',
  );
  assert.equal(fs.readFileSync(path.join(folder, 'from-west.txt'), 'utf8'), content);

  // A local file is uploaded to the source and its replica verified in eu-west-1.
  fs.writeFileSync(path.join(folder, 'local.txt'), 'from this device\n');
  const status = await waitFor(
    async () => {
      const r = await call.dispatch('t', 1, 'replication.fileStatus', {
        folderId: summary.id,
        relPath: 'local.txt',
      });
      const s = r.ok ? (r.value as { destinations: { region: string; state: string }[] }) : null;
      return s?.destinations[0]?.state === 'verified' ? s : undefined;
    },
    20_000,
    'the replica of local.txt verified',
  );
  assert.deepEqual(
    status.destinations.map((d) => d.region),
    ['eu-west-1'],
  );
  const replica = await eu.send(new HeadObjectCommand({ Bucket: west, Key: 'local.txt' }));
  assert.equal(replica.ReplicationStatus, 'REPLICA');
});
