// Fault switches: latency, failing requests (500 InternalError / 503 SlowDown), a region
// outage (503 ServiceUnavailable) that holds inbound replication PENDING until the region is
// back, set in-process (setFaults), at start, and through the admin endpoint.
import { HeadObjectCommand, ListBucketsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createBucket,
  putReplication,
  replicationRule,
  s3Error,
  signingTarget,
  startTestRegions,
  useTestRegions,
  waitForReplicationStatus,
} from '../helpers/regions.js';
import { signedRequest } from '../helpers/signed-http.js';

const US = 'us-east-1';
const EU = 'eu-west-1';
const t = useTestRegions();

async function admin(method: string, path: string, body?: unknown, token = t.handle.adminToken) {
  const res = await fetch(`${t.handle.adminEndpoint}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

test('latency is added to every request of the region', async () => {
  t.handle.setFaults(US, { latencyMs: 300 });
  try {
    const start = Date.now();
    await t.client(US).send(new ListBucketsCommand({}));
    assert.ok(Date.now() - start >= 290, 'slowed down');
    const fast = Date.now();
    await t.client(EU).send(new ListBucketsCommand({}));
    assert.ok(Date.now() - fast < 250, 'the other region is not');
  } finally {
    t.handle.setFaults(US, { latencyMs: 0 });
  }
});

test('failing requests: 500 InternalError or 503 SlowDown, at the configured fraction', async () => {
  t.handle.setFaults(US, { errorRate: 1, errorCode: 'InternalError' });
  try {
    const err = await s3Error(t.client(US).send(new ListBucketsCommand({})));
    assert.equal(err.name, 'InternalError');
    assert.equal(err.status, 500);
    assert.equal(err.error.$metadata?.attempts, 3, 'the SDK retried as for a real 500');
    t.handle.setFaults(US, { errorCode: 'SlowDown' });
    const slow = await s3Error(t.client(US).send(new ListBucketsCommand({})));
    assert.equal(slow.name, 'SlowDown');
    assert.equal(slow.status, 503);
    t.handle.setFaults(US, { errorRate: 0.5, errorCode: 'InternalError' });
    let failed = 0;
    const n = 60;
    for (let i = 0; i < n; i++) {
      const r = await signedRequest({
        ...signingTarget(t, US),
        method: 'GET',
        path: '/',
      });
      if (r.status === 500) failed++;
      else assert.equal(r.status, 200);
    }
    assert.ok(failed > 10 && failed < 50, `about half failed (${failed}/${n})`);
  } finally {
    t.handle.setFaults(US, { errorRate: 0, errorCode: 'InternalError' });
  }
  await t.client(US).send(new ListBucketsCommand({}));
});

test('a region that is down answers 503 and holds inbound replication PENDING until it is back', async () => {
  const src = await createBucket(t, US, { versioning: 'Enabled', prefix: 'src' });
  const dst = await createBucket(t, EU, { versioning: 'Enabled', prefix: 'dst' });
  await putReplication(
    t,
    US,
    src,
    [replicationRule(dst, { ID: 'r' })],
    'arn:aws:iam::123456789012:role/r',
  );
  t.handle.setFaults(EU, { down: true });
  let put;
  try {
    const down = await s3Error(t.client(EU).send(new ListBucketsCommand({})));
    assert.equal(down.status, 503);
    assert.equal(down.name, 'ServiceUnavailable');
    put = await t
      .client(US)
      .send(new PutObjectCommand({ Bucket: src, Key: 'waiting', Body: 'for eu' }));
    await sleep(600);
    const head = await t.client(US).send(new HeadObjectCommand({ Bucket: src, Key: 'waiting' }));
    assert.equal(head.ReplicationStatus, 'PENDING');
    assert.equal(t.handle.replicationStats().pending, 1);
  } finally {
    t.handle.setFaults(EU, { down: false });
  }
  await waitForReplicationStatus(t.client(US), src, 'waiting', 'COMPLETED', {
    what: 'replication after recovery',
  });
  const replica = await t.client(EU).send(new HeadObjectCommand({ Bucket: dst, Key: 'waiting' }));
  assert.equal(replica.VersionId, put.VersionId);
  assert.equal(replica.ReplicationStatus, 'REPLICA');
});

test('admin endpoint: bearer token required; read and set faults; replication counters', async () => {
  const anonymous = await fetch(`${t.handle.adminEndpoint}/faults`);
  assert.equal(anonymous.status, 401);
  assert.equal((await admin('GET', '/faults', undefined, 'wrong-token')).status, 401);
  const health = await admin('GET', '/health');
  assert.equal(health.json.ok, true);
  const all = await admin('GET', '/faults');
  assert.equal(all.status, 200);
  assert.deepEqual(Object.keys(all.json).sort(), [EU, US]);
  const set = await admin('PUT', `/faults/${EU}`, { down: true, latencyMs: 10 });
  assert.equal(set.status, 200);
  assert.equal(set.json.down, true);
  assert.equal(t.handle.getFaults(EU).down, true);
  const refused = await s3Error(t.client(EU).send(new ListBucketsCommand({})));
  assert.equal(refused.status, 503);
  await admin('PUT', `/faults/${EU}`, { down: false, latencyMs: 0 });
  await t.client(EU).send(new ListBucketsCommand({}));
  assert.equal((await admin('PUT', `/faults/${EU}`, { errorRate: 2 })).status, 400);
  assert.equal((await admin('PUT', `/faults/${EU}`, { nonsense: 1 })).status, 400);
  assert.equal((await admin('PUT', '/faults/mars-north-1', { down: true })).status, 404);
  const stats = await admin('GET', '/replication');
  assert.equal(typeof stats.json.pending, 'number');
  assert.equal(typeof stats.json.failed, 'number');
});

test('faults can be set at start', async () => {
  const other = await startTestRegions({
    faults: { [EU]: { down: true }, [US]: { latencyMs: 200 } },
  });
  try {
    assert.equal(other.handle.getFaults(EU).down, true);
    assert.equal((await s3Error(other.client(EU).send(new ListBucketsCommand({})))).status, 503);
    const start = Date.now();
    await other.client(US).send(new ListBucketsCommand({}));
    assert.ok(Date.now() - start >= 190);
  } finally {
    await other.stop();
  }
});
