// Cross-region replication at work: PENDING -> COMPLETED / FAILED,
// replicas keeping version id, Last-Modified, metadata, tags and checksum, filters and
// priorities, delete markers, two-way replication without loops, and convergence on one
// current version when two regions write the same key.
import {
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  putReplication,
  readText,
  replicationBucket,
  replicationRule,
  s3Error,
  setVersioning,
  useTestRegions,
  waitFor,
  waitForReplicationStatus,
} from '../helpers/regions.js';

const US = 'us-east-1';
const EU = 'eu-west-1';
const t = useTestRegions();

async function status(
  region: string,
  b: string,
  key: string,
  versionId?: string,
): Promise<string | undefined> {
  const h = await t
    .client(region)
    .send(new HeadObjectCommand({ Bucket: b, Key: key, VersionId: versionId }));
  return h.ReplicationStatus;
}

const waitStatus = (
  region: string,
  b: string,
  key: string,
  versionId: string,
  want: string,
): Promise<void> => waitForReplicationStatus(t.client(region), b, key, want, { versionId });

async function versions(region: string, b: string): Promise<[string, string, boolean, boolean][]> {
  const res = await t.client(region).send(new ListObjectVersionsCommand({ Bucket: b }));
  return [
    ...(res.Versions ?? []).map(
      (v) => [v.Key!, v.VersionId!, v.IsLatest!, false] as [string, string, boolean, boolean],
    ),
    ...(res.DeleteMarkers ?? []).map(
      (v) => [v.Key!, v.VersionId!, v.IsLatest!, true] as [string, string, boolean, boolean],
    ),
  ].sort((x, y) => (x[0] + x[1]).localeCompare(y[0] + y[1]));
}

test('one way: PENDING, then COMPLETED; the replica keeps id, Last-Modified, metadata, tags, checksum; storage class from the rule', async () => {
  const src = await replicationBucket(t, US);
  const dst = await replicationBucket(t, EU);
  await putReplication(t, US, src, [
    replicationRule(dst, {
      Filter: { Prefix: 'docs/' },
      DeleteMarkerReplication: { Status: 'Enabled' },
      Destination: { Bucket: `arn:aws:s3:::${dst}`, StorageClass: 'STANDARD_IA' },
    }),
  ]);
  t.handle.setFaults(US, { replicationDelayMs: 400 });
  try {
    const put = await t.client(US).send(
      new PutObjectCommand({
        Bucket: src,
        Key: 'docs/a.txt',
        Body: 'replicate me',
        ContentType: 'text/plain',
        Metadata: { 'rs-device': 'd1', 'rs-base': 'none' },
        Tagging: 'team=a',
        ChecksumAlgorithm: 'SHA256',
      }),
    );
    assert.equal(await status(US, src, 'docs/a.txt'), 'PENDING');
    const other = await t
      .client(US)
      .send(new PutObjectCommand({ Bucket: src, Key: 'other/b.txt', Body: 'stay' }));
    assert.equal(
      await status(US, src, 'other/b.txt'),
      undefined,
      'no rule matches: no replication status',
    );
    await waitStatus(US, src, 'docs/a.txt', put.VersionId!, 'COMPLETED');
    const srcHead = await t
      .client(US)
      .send(new HeadObjectCommand({ Bucket: src, Key: 'docs/a.txt', ChecksumMode: 'ENABLED' }));
    const replica = await t.client(EU).send(
      new HeadObjectCommand({
        Bucket: dst,
        Key: 'docs/a.txt',
        VersionId: put.VersionId,
        ChecksumMode: 'ENABLED',
      }),
    );
    assert.equal(replica.ReplicationStatus, 'REPLICA');
    assert.equal(replica.VersionId, put.VersionId);
    assert.equal(replica.LastModified?.getTime(), srcHead.LastModified?.getTime());
    assert.deepEqual(replica.Metadata, { 'rs-device': 'd1', 'rs-base': 'none' });
    assert.equal(replica.ContentType, 'text/plain');
    assert.equal(replica.ChecksumSHA256, srcHead.ChecksumSHA256);
    assert.equal(replica.ETag, srcHead.ETag);
    assert.equal(replica.StorageClass, 'STANDARD_IA');
    const tags = await t
      .client(EU)
      .send(new GetObjectTaggingCommand({ Bucket: dst, Key: 'docs/a.txt' }));
    assert.deepEqual(tags.TagSet, [{ Key: 'team', Value: 'a' }]);
    assert.equal(await readText(t.client(EU), dst, 'docs/a.txt'), 'replicate me');
    // Not replicated: outside the filter.
    assert.equal(
      (await s3Error(t.client(EU).send(new HeadObjectCommand({ Bucket: dst, Key: 'other/b.txt' }))))
        .status,
      404,
    );
    assert.ok(other.VersionId);

    // Delete markers replicate (the rule enables it) with the same version id ...
    const dm = await t.client(US).send(new DeleteObjectCommand({ Bucket: src, Key: 'docs/a.txt' }));
    await waitFor(
      async () =>
        (await versions(EU, dst)).some(
          ([, id, latest, marker]) => id === dm.VersionId && latest && marker,
        ),
      5000,
      'delete marker replica',
    );
    // ... but a delete by version id is never replicated.
    await t
      .client(US)
      .send(new DeleteObjectCommand({ Bucket: src, Key: 'docs/a.txt', VersionId: put.VersionId }));
    await sleep(600);
    const left = await versions(EU, dst);
    assert.ok(
      left.some(([, id]) => id === put.VersionId),
      'the replica of the deleted version stays',
    );
  } finally {
    t.handle.setFaults(US, { replicationDelayMs: 0 });
  }
});

test('delete markers are not replicated when DeleteMarkerReplication is Disabled', async () => {
  const src = await replicationBucket(t, US);
  const dst = await replicationBucket(t, EU);
  await putReplication(t, US, src, [replicationRule(dst)]);
  const put = await t.client(US).send(new PutObjectCommand({ Bucket: src, Key: 'k', Body: 'v' }));
  await waitStatus(US, src, 'k', put.VersionId!, 'COMPLETED');
  await t.client(US).send(new DeleteObjectCommand({ Bucket: src, Key: 'k' }));
  await sleep(500);
  assert.equal(
    await readText(t.client(EU), dst, 'k'),
    'v',
    'the destination still shows the object',
  );
  assert.deepEqual(
    (await versions(EU, dst)).map(([, , , marker]) => marker),
    [false],
  );
});

test('filters and priorities: the highest-priority matching rule per destination wins; tag-only rules', async () => {
  const src = await replicationBucket(t, US);
  const d1 = await replicationBucket(t, EU);
  const d2 = await replicationBucket(t, EU);
  await putReplication(t, US, src, [
    replicationRule(d1, {
      ID: 'all',
      Priority: 1,
      Destination: { Bucket: `arn:aws:s3:::${d1}`, StorageClass: 'STANDARD_IA' },
    }),
    replicationRule(d1, {
      ID: 'team-a',
      Priority: 5,
      Filter: { And: { Prefix: 'p/', Tags: [{ Key: 'team', Value: 'a' }] } },
      Destination: { Bucket: `arn:aws:s3:::${d1}`, StorageClass: 'GLACIER_IR' },
    }),
    replicationRule(d2, {
      ID: 'tagged',
      Priority: 1,
      Filter: { Tag: { Key: 'copy', Value: 'yes' } },
    }),
  ]);
  const tagged = await t
    .client(US)
    .send(new PutObjectCommand({ Bucket: src, Key: 'p/x', Body: 'x', Tagging: 'team=a&copy=yes' }));
  const plain = await t
    .client(US)
    .send(new PutObjectCommand({ Bucket: src, Key: 'p/y', Body: 'y' }));
  await waitStatus(US, src, 'p/x', tagged.VersionId!, 'COMPLETED');
  await waitStatus(US, src, 'p/y', plain.VersionId!, 'COMPLETED');
  const x = await t.client(EU).send(new HeadObjectCommand({ Bucket: d1, Key: 'p/x' }));
  assert.equal(x.StorageClass, 'GLACIER_IR');
  const y = await t.client(EU).send(new HeadObjectCommand({ Bucket: d1, Key: 'p/y' }));
  assert.equal(y.StorageClass, 'STANDARD_IA');
  assert.equal(
    (await t.client(EU).send(new HeadObjectCommand({ Bucket: d2, Key: 'p/x' }))).ReplicationStatus,
    'REPLICA',
  );
  assert.equal(
    (await s3Error(t.client(EU).send(new HeadObjectCommand({ Bucket: d2, Key: 'p/y' })))).status,
    404,
  );
});

test('FAILED when a destination cannot accept: versioning suspended, or the bucket is gone', async () => {
  const src = await replicationBucket(t, US);
  const good = await replicationBucket(t, EU);
  const suspended = await replicationBucket(t, EU);
  const doomed = await replicationBucket(t, EU);
  await putReplication(t, US, src, [
    replicationRule(good, { ID: 'good', Filter: { Prefix: 'all/' } }),
    replicationRule(suspended, { ID: 'suspended', Filter: { Prefix: 'all/' } }),
    replicationRule(doomed, { ID: 'doomed', Filter: { Prefix: 'gone/' } }),
  ]);
  await setVersioning(t.client(EU), suspended, 'Suspended');
  await t.client(EU).send(new DeleteBucketCommand({ Bucket: doomed }));
  const a = await t.client(US).send(new PutObjectCommand({ Bucket: src, Key: 'all/a', Body: 'a' }));
  await waitStatus(US, src, 'all/a', a.VersionId!, 'FAILED');
  assert.equal(
    (await t.client(EU).send(new HeadObjectCommand({ Bucket: good, Key: 'all/a' })))
      .ReplicationStatus,
    'REPLICA',
  );
  assert.equal(
    (await s3Error(t.client(EU).send(new HeadObjectCommand({ Bucket: suspended, Key: 'all/a' }))))
      .status,
    404,
  );
  const g = await t
    .client(US)
    .send(new PutObjectCommand({ Bucket: src, Key: 'gone/g', Body: 'g' }));
  await waitStatus(US, src, 'gone/g', g.VersionId!, 'FAILED');
  assert.equal(t.handle.replicationStats().pending, 0);
});

test('two-way replication does not loop, and replicas are never replicated again (no chains)', async () => {
  const a = await replicationBucket(t, US);
  const b = await replicationBucket(t, EU);
  const c = await replicationBucket(t, EU);
  await putReplication(t, US, a, [replicationRule(b)]);
  await putReplication(t, EU, b, [
    replicationRule(a, { ID: 'back' }),
    replicationRule(c, { ID: 'onward', Priority: 2 }),
  ]);
  const fromA = await t
    .client(US)
    .send(new PutObjectCommand({ Bucket: a, Key: 'ping', Body: 'from a' }));
  await waitStatus(US, a, 'ping', fromA.VersionId!, 'COMPLETED');
  const fromB = await t
    .client(EU)
    .send(new PutObjectCommand({ Bucket: b, Key: 'pong', Body: 'from b' }));
  await waitStatus(EU, b, 'pong', fromB.VersionId!, 'COMPLETED');
  await sleep(500);
  assert.equal(t.handle.replicationStats().pending, 0);
  const inA = await versions(US, a);
  const inB = await versions(EU, b);
  assert.deepEqual(inA, inB, 'both buckets hold exactly the same versions');
  assert.equal(inA.length, 2, 'one version per key: nothing bounced back');
  assert.equal(
    (await t.client(US).send(new HeadObjectCommand({ Bucket: a, Key: 'pong' }))).ReplicationStatus,
    'REPLICA',
  );
  const inC = await versions(EU, c);
  assert.deepEqual(
    inC.map(([k]) => k),
    ['pong'],
    'only the write made in b goes on to c, not the replica of ping',
  );
});

test('two regions write one key at nearly the same time: both converge on the newest version, the other becomes non-current', async () => {
  const a = await replicationBucket(t, US);
  const b = await replicationBucket(t, EU);
  await putReplication(t, US, a, [replicationRule(b)]);
  await putReplication(t, EU, b, [replicationRule(a)]);
  t.handle.setFaults(US, { replicationDelayMs: 300 });
  t.handle.setFaults(EU, { replicationDelayMs: 300 });
  try {
    const older = await t.client(US).send(
      new PutObjectCommand({
        Bucket: a,
        Key: 'doc',
        Body: 'edit in us',
        Metadata: { 'rs-base': 'v0' },
      }),
    );
    await sleep(5);
    const newer = await t.client(EU).send(
      new PutObjectCommand({
        Bucket: b,
        Key: 'doc',
        Body: 'edit in eu',
        Metadata: { 'rs-base': 'v0' },
      }),
    );
    // Before replication each region sees its own write as current.
    assert.equal(
      (await t.client(US).send(new HeadObjectCommand({ Bucket: a, Key: 'doc' }))).VersionId,
      older.VersionId,
    );
    await waitStatus(US, a, 'doc', older.VersionId!, 'COMPLETED');
    await waitStatus(EU, b, 'doc', newer.VersionId!, 'COMPLETED');
    const inA = await versions(US, a);
    const inB = await versions(EU, b);
    assert.deepEqual(inA, inB);
    assert.deepEqual(
      inA.filter(([, , latest]) => latest).map(([, id]) => id),
      [newer.VersionId],
      'the later write is current in both regions',
    );
    for (const [region, name] of [
      [US, a],
      [EU, b],
    ] as const) {
      assert.equal(await readText(t.client(region), name, 'doc'), 'edit in eu');
    }
    const oldReplica = await t
      .client(EU)
      .send(new HeadObjectCommand({ Bucket: b, Key: 'doc', VersionId: older.VersionId }));
    assert.equal(oldReplica.ReplicationStatus, 'REPLICA');
  } finally {
    t.handle.setFaults(US, { replicationDelayMs: 0 });
    t.handle.setFaults(EU, { replicationDelayMs: 0 });
  }
});
