// Every rule field local regions accept changes what they do, as on S3: replica modification
// sync (tag changes on a replica go back to the source), existing-object replication (objects
// written before the rule are replicated when it is put), Metrics / Replication Time Control
// (pending and missed-threshold counters at the admin endpoint), owner override (the replica is
// owned by the destination account). Tag changes of a source version follow it to its replicas.
import {
  GetObjectAclCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type Tag,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RuleMetrics } from '../../main/regions/index.js';
import {
  putReplication,
  replicationBucket,
  replicationRule,
  s3Error,
  useTestRegions,
  waitFor,
  waitForReplicationStatus,
} from '../helpers/regions.js';

const US = 'us-east-1';
const EU = 'eu-west-1';
const THRESHOLD_MS = 300;
const t = useTestRegions(() => {}, { replicationThresholdMs: THRESHOLD_MS });

async function tags(
  region: string,
  bucket: string,
  key: string,
  versionId?: string,
): Promise<Tag[]> {
  const got = await t
    .client(region)
    .send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  return got.TagSet ?? [];
}

async function setTags(region: string, bucket: string, key: string, set: Tag[]): Promise<void> {
  await t
    .client(region)
    .send(new PutObjectTaggingCommand({ Bucket: bucket, Key: key, Tagging: { TagSet: set } }));
}

/** Waits until the regions have no replication task left. */
async function drained(): Promise<void> {
  await waitFor(() => t.handle.replicationStats().pending === 0, 5000, 'an empty queue');
}

async function adminMetrics(): Promise<RuleMetrics[]> {
  const res = await fetch(`${t.handle.adminEndpoint}/replication-metrics`, {
    headers: { Authorization: `Bearer ${t.handle.adminToken}` },
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { rules: RuleMetrics[] }).rules;
}

test('replica modification sync: with it on, a tag change on a replica goes back to the source; with it off it does not', async () => {
  const a = await replicationBucket(t, US);
  const b = await replicationBucket(t, EU);
  const c = await replicationBucket(t, US);
  const d = await replicationBucket(t, EU);
  const sync = {
    SourceSelectionCriteria: { ReplicaModifications: { Status: 'Enabled' as const } },
  };
  const noSync = {
    SourceSelectionCriteria: { ReplicaModifications: { Status: 'Disabled' as const } },
  };
  await putReplication(t, US, a, [replicationRule(b, sync)]);
  await putReplication(t, EU, b, [replicationRule(a, sync)]);
  await putReplication(t, US, c, [replicationRule(d, noSync)]);
  await putReplication(t, EU, d, [replicationRule(c, noSync)]);
  for (const [src, dst] of [
    [a, b],
    [c, d],
  ] as const) {
    await t.client(US).send(new PutObjectCommand({ Bucket: src, Key: 'k', Body: 'x' }));
    await waitForReplicationStatus(t.client(US), src, 'k', 'COMPLETED');
    assert.equal(
      (await t.client(EU).send(new HeadObjectCommand({ Bucket: dst, Key: 'k' }))).ReplicationStatus,
      'REPLICA',
    );
  }
  const edited = [{ Key: 'reviewed', Value: 'yes' }];
  await setTags(EU, b, 'k', edited);
  await setTags(EU, d, 'k', edited);
  await waitFor(
    async () => JSON.stringify(await tags(US, a, 'k')) === JSON.stringify(edited),
    5000,
    'the replica tag change back at the source',
  );
  await drained();
  assert.deepEqual(await tags(US, c, 'k'), [], 'without ReplicaModifications nothing goes back');
  assert.deepEqual(await tags(EU, d, 'k'), edited);
});

test('a tag change on a replicated source version follows it to the replica', async () => {
  const src = await replicationBucket(t, US);
  const dst = await replicationBucket(t, EU);
  await putReplication(t, US, src, [replicationRule(dst)]);
  await t.client(US).send(new PutObjectCommand({ Bucket: src, Key: 'k', Body: 'x' }));
  await waitForReplicationStatus(t.client(US), src, 'k', 'COMPLETED');
  const later = [{ Key: 'stage', Value: 'final' }];
  await setTags(US, src, 'k', later);
  await waitFor(
    async () => JSON.stringify(await tags(EU, dst, 'k')) === JSON.stringify(later),
    5000,
    'the tag change at the replica',
  );
});

test('existing-object replication: objects written before the rule are replicated when the rule is put, only with it Enabled', async () => {
  const src = await replicationBucket(t, US);
  const dst = await replicationBucket(t, EU);
  const plain = await replicationBucket(t, US);
  const plainDst = await replicationBucket(t, EU);
  const first = await t
    .client(US)
    .send(new PutObjectCommand({ Bucket: src, Key: 'old', Body: 'v1' }));
  const second = await t
    .client(US)
    .send(new PutObjectCommand({ Bucket: src, Key: 'old', Body: 'v2' }));
  await t.client(US).send(new PutObjectCommand({ Bucket: plain, Key: 'old', Body: 'v1' }));
  assert.equal(
    (await t.client(US).send(new HeadObjectCommand({ Bucket: src, Key: 'old' }))).ReplicationStatus,
    undefined,
  );
  await putReplication(t, US, src, [
    replicationRule(dst, { ExistingObjectReplication: { Status: 'Enabled' } }),
  ]);
  await putReplication(t, US, plain, [replicationRule(plainDst)]);
  await waitForReplicationStatus(t.client(US), src, 'old', 'COMPLETED');
  const listed = await t.client(EU).send(new ListObjectVersionsCommand({ Bucket: dst }));
  assert.deepEqual(
    (listed.Versions ?? []).map((v) => [v.VersionId, v.IsLatest]),
    [
      [second.VersionId, true],
      [first.VersionId, false],
    ],
  );
  await drained();
  const none = await s3Error(
    t.client(EU).send(new HeadObjectCommand({ Bucket: plainDst, Key: 'old' })),
  );
  assert.equal(none.status, 404, 'without ExistingObjectReplication old objects stay');
});

test('RTC and Metrics: pending operations and bytes, and replications over the threshold counted as missed; the replica still COMPLETED', async () => {
  const src = await replicationBucket(t, US);
  const dst = await replicationBucket(t, EU);
  const untracked = await replicationBucket(t, US);
  await putReplication(t, US, src, [
    replicationRule(dst, {
      ID: 'rtc',
      Destination: {
        Bucket: `arn:aws:s3:::${dst}`,
        ReplicationTime: { Status: 'Enabled', Time: { Minutes: 15 } },
        Metrics: { Status: 'Enabled', EventThreshold: { Minutes: 15 } },
      },
    }),
  ]);
  await putReplication(t, US, untracked, [replicationRule(dst, { ID: 'plain' })]);
  const mine = async (): Promise<RuleMetrics | undefined> =>
    (await adminMetrics()).find((m) => m.bucket === src);
  assert.equal(
    (await adminMetrics()).find((m) => m.bucket === untracked),
    undefined,
  );
  assert.deepEqual(
    { ...(await mine()), bucket: undefined },
    {
      bucket: undefined,
      ruleId: 'rtc',
      destination: dst,
      replicationTime: true,
      thresholdMinutes: 15,
      thresholdMs: THRESHOLD_MS,
      pendingOperations: 0,
      pendingBytes: 0,
      pendingOverThreshold: 0,
      completedOperations: 0,
      completedBytes: 0,
      failedOperations: 0,
      operationsMissedThreshold: 0,
      maxLatencyMs: 0,
    },
  );

  // On time: completed, nothing missed.
  await t.client(US).send(new PutObjectCommand({ Bucket: src, Key: 'fast', Body: 'abc' }));
  await waitForReplicationStatus(t.client(US), src, 'fast', 'COMPLETED');
  let m = await mine();
  assert.equal(m?.completedOperations, 1);
  assert.equal(m?.completedBytes, 3);
  assert.equal(m?.operationsMissedThreshold, 0);

  // Late (the simulated replication delay is twice the threshold): pending, then missed.
  t.handle.setFaults(US, { replicationDelayMs: THRESHOLD_MS * 2 });
  try {
    await t.client(US).send(new PutObjectCommand({ Bucket: src, Key: 'slow', Body: 'hello' }));
    m = await mine();
    assert.equal(m?.pendingOperations, 1);
    assert.equal(m?.pendingBytes, 5);
    await sleep(THRESHOLD_MS + 50);
    const late = await mine();
    assert.equal(late?.pendingOverThreshold, late?.pendingOperations === 1 ? 1 : 0);
    await waitForReplicationStatus(t.client(US), src, 'slow', 'COMPLETED');
  } finally {
    t.handle.setFaults(US, { replicationDelayMs: 0 });
  }
  m = await mine();
  assert.equal(m?.completedOperations, 2);
  assert.equal(m?.completedBytes, 8);
  assert.equal(m?.pendingOperations, 0);
  assert.equal(m?.operationsMissedThreshold, 1);
  assert.ok((m?.maxLatencyMs ?? 0) > THRESHOLD_MS);
  assert.deepEqual(t.handle.replicationMetrics(), await adminMetrics());
});

test('owner override: the replica is owned by the destination account; without it by the local account', async () => {
  const src = await replicationBucket(t, US);
  const dst = await replicationBucket(t, EU);
  const other = await replicationBucket(t, EU);
  await putReplication(t, US, src, [
    replicationRule(dst, {
      ID: 'override',
      Priority: 2,
      Destination: {
        Bucket: `arn:aws:s3:::${dst}`,
        Account: '210987654321',
        AccessControlTranslation: { Owner: 'Destination' },
      },
    }),
    replicationRule(other, { ID: 'keep', Priority: 1 }),
  ]);
  await t.client(US).send(new PutObjectCommand({ Bucket: src, Key: 'k', Body: 'x' }));
  await waitForReplicationStatus(t.client(US), src, 'k', 'COMPLETED');
  const ownerIn = async (region: string, bucket: string): Promise<unknown> =>
    (await t.client(region).send(new ListObjectVersionsCommand({ Bucket: bucket }))).Versions?.[0]
      ?.Owner;
  const sourceOwner = (await ownerIn(US, src)) as { ID?: string; DisplayName?: string };
  const overridden = (await ownerIn(EU, dst)) as { ID?: string; DisplayName?: string };
  assert.ok(sourceOwner.ID);
  assert.equal(overridden.DisplayName, '210987654321');
  assert.notEqual(overridden.ID, sourceOwner.ID);
  assert.deepEqual(await ownerIn(EU, other), sourceOwner);
  const acl = await t.client(EU).send(new GetObjectAclCommand({ Bucket: dst, Key: 'k' }));
  assert.deepEqual(acl.Owner, overridden);
  assert.deepEqual(acl.Grants?.[0]?.Grantee?.ID, overridden.ID);
});
