// Conflict detection serves every folder with its own account (DESIGN.md section 8): folder 1
// syncs with the embedded local regions, folder 2 with a custom account whose endpoint is a
// second, separate regions server with other credentials. A fork made in folder 2's bucket is
// found there (and nothing in folder 1), and no look went to the wrong service ("bucket does
// not exist").
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { MemorySecretStore } from '../../main/core/accounts/secret-store.js';
import { buildLineage } from '../../main/core/transfer/lineage.js';
import { startTestApp } from '../helpers/accounts-app.js';
import { sha256, US } from '../helpers/conflict-lab.js';
import { createBucket, startTestRegions, waitFor } from '../helpers/regions.js';
import { tempDir } from '../helpers/temp-dir.js';

test("each folder's conflicts are looked for with its own account", async (t) => {
  const regions = await startTestRegions();
  t.after(() => regions.stop());
  const other = await startTestRegions();
  t.after(() => other.stop());
  assert.notEqual(other.handle.accessKeyId, regions.handle.accessKeyId, 'other credentials');
  const { dir, cleanup } = tempDir('rs-conflict-accounts-');
  t.after(cleanup);

  const bucket1 = await createBucket(regions, US, { versioning: 'Enabled', prefix: 'one' });
  const bucket2 = await createBucket(other, US, { versioning: 'Enabled', prefix: 'two' });
  const secrets = new MemorySecretStore();
  const app = await startTestApp({ dataDir: path.join(dir, 'data'), regions, secrets });
  t.after(() => app.stop());
  const account = await app.call('accounts.addKeys', {
    name: 'Second service',
    accessKeyId: other.handle.accessKeyId,
    secretAccessKey: other.handle.secretAccessKey,
    endpoint: other.endpoint(US),
  });
  assert.equal(account.kind, 'custom');

  const path1 = path.join(dir, 'One');
  const path2 = path.join(dir, 'Two');
  const f1 = await app.call('folders.add', {
    path: path1,
    create: true,
    accountId: 'local',
    bucket: bucket1,
    region: US,
  });
  const f2 = await app.call('folders.add', {
    path: path2,
    create: true,
    accountId: account.id,
    bucket: bucket2,
    region: US,
  });
  fs.writeFileSync(path.join(path1, 'notes.txt'), 'folder one\n');
  await waitFor(
    async () => {
      await app.engine.settle();
      return app.engine.files.get(f1.id, 'notes.txt')?.versionId ?? undefined;
    },
    20_000,
    'folder 1 synced',
  );

  // A fork in folder 2's bucket: two versions edited from the same base, by two devices,
  // written with a plain client on the second service.
  const client = new S3Client({
    endpoint: other.endpoint(US),
    region: US,
    credentials: {
      accessKeyId: other.handle.accessKeyId,
      secretAccessKey: other.handle.secretAccessKey,
    },
  });
  t.after(() => client.destroy());
  const put = async (body: string, device: string, bases: string[]): Promise<string> => {
    const out = await client.send(
      new PutObjectCommand({
        Bucket: bucket2,
        Key: 'plan.txt',
        Body: body,
        Metadata: buildLineage({ device, bases, sha256: sha256(body) }),
      }),
    );
    assert.ok(out.VersionId);
    return out.VersionId;
  };
  const base = await put('base\n', 'device-aaaa-0001', []);
  const a = await put('edit from A\n', 'device-aaaa-0001', [base]);
  const b = await put('edit from B\n', 'device-bbbb-0002', [base]);

  const [fork] = await waitFor(
    async () => {
      await app.call('conflicts.scan', {});
      const list = await app.call('conflicts.list', { folderId: f2.id });
      return list.length > 0 ? list : undefined;
    },
    20_000,
    "the fork in folder 2's bucket is found",
  );
  assert.ok(fork);
  assert.equal(fork.kind, 'fork');
  assert.equal(fork.relPath, 'plan.txt');
  assert.equal(fork.base?.versionId, base);
  assert.deepEqual(
    fork.sides
      .filter((s) => !s.isLocal)
      .map((s) => s.versionId)
      .sort(),
    [a, b].sort(),
  );
  assert.deepEqual(await app.call('conflicts.list', { folderId: f1.id }), []);
  const all = await app.call('conflicts.list', {});
  assert.deepEqual(
    all.map((c) => c.folderId),
    [f2.id],
  );

  const wrong = app.seen.filter((l) =>
    /does not exist|NoSuchBucket|Looking for conflicts/i.test(l),
  );
  assert.deepEqual(wrong, [], 'no look went to the wrong service');
});
