// A real Ceph RGW multisite (two zones, one zonegroup "zg"): objects written in one zone
// must appear in the other with the same version id and user metadata. Without Ceph the
// test fails and says how to install it.
import {
  GetBucketLocationCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  startCephMultisite,
  versionedBucketInBothZones,
  type CephMultisite,
} from '../helpers/ceph.js';

let ms: CephMultisite;
let a: S3Client;
let b: S3Client;
const bucket = `rs-multisite-${Date.now().toString(36)}`;

before(async () => {
  const t0 = Date.now();
  ms = await startCephMultisite();
  console.log(
    `ceph multisite started in ${((Date.now() - t0) / 1000).toFixed(1)} s, phases (ms): ${JSON.stringify(ms.startupMs)}`,
  );
  a = ms.client(0);
  b = ms.client(1);
  const t1 = Date.now();
  await versionedBucketInBothZones(ms, bucket);
  console.log(`versioned bucket in both zones after ${((Date.now() - t1) / 1000).toFixed(1)} s`);
});

after(async () => {
  a?.destroy();
  b?.destroy();
  await ms?.stop();
});

/** Reads `key` from `client` until it has `versionId`, for up to 60 s. */
async function readReplica(client: S3Client, key: string, versionId: string) {
  const t0 = Date.now();
  let last = 'never read';
  while (Date.now() - t0 < 60_000) {
    try {
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = await got.Body?.transformToString();
      if (got.VersionId === versionId) {
        console.log(`${key} replicated after ${Date.now() - t0} ms`);
        return { ...got, body };
      }
      last = `version ${got.VersionId ?? 'none'}`;
    } catch (err) {
      last = (err as Error).name;
    }
    await sleep(250);
  }
  assert.fail(`${key} version ${versionId} did not replicate within 60 s (last: ${last})`);
}

test('both zones report versioning Enabled, and the bucket is located in zonegroup zg', async () => {
  for (const c of [a, b]) {
    const v = await c.send(new GetBucketVersioningCommand({ Bucket: bucket }));
    assert.equal(v.Status, 'Enabled');
  }
  const loc = await a.send(new GetBucketLocationCommand({ Bucket: bucket }));
  assert.equal(loc.LocationConstraint, ms.zonegroup);
});

test('a PUT in zone-a is readable from zone-b with the same version id and metadata', async () => {
  const put = await a.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: 'from-a.txt',
      Body: 'written in zone-a',
      Metadata: { origin: 'zone-a', 'rs-hash': 'abc123' },
    }),
  );
  assert.ok(put.VersionId, 'a versioned bucket returns a version id');
  const got = await readReplica(b, 'from-a.txt', put.VersionId);
  assert.equal(got.body, 'written in zone-a');
  assert.deepEqual(got.Metadata, { origin: 'zone-a', 'rs-hash': 'abc123' });
});

test('a PUT in zone-b appears in zone-a with the same version id and metadata', async () => {
  const put = await b.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: 'from-b.txt',
      Body: 'written in zone-b',
      Metadata: { origin: 'zone-b' },
    }),
  );
  assert.ok(put.VersionId, 'a versioned bucket returns a version id');
  const got = await readReplica(a, 'from-b.txt', put.VersionId);
  assert.equal(got.body, 'written in zone-b');
  assert.deepEqual(got.Metadata, { origin: 'zone-b' });
});

test('radosgw-admin reports zone-b syncing from zone-a', async () => {
  const status = await ms.admin(['sync', 'status', '--rgw-zone=zone-b']);
  assert.match(status, /zonegroup .*\(zg\)/);
  assert.match(status, /data sync source: .*\(zone-a\)/);
});
