// Data survives restarts: objects, versions, configuration, uploads in progress, credentials
// and ports; queued replication resumes; interrupted writes leave nothing visible.
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetBucketReplicationCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { test } from 'node:test';
import {
  createBucket,
  putReplication,
  readBytes,
  readText,
  replicationRule,
  s3Error,
  startTestRegions,
  waitFor,
  waitForReplicationStatus,
} from '../helpers/regions.js';
import { sdkSigner } from '../helpers/sigv4-fixtures.js';

const US = 'us-east-1';
const EU = 'eu-west-1';

const mode = async (file: string): Promise<number> => (await fs.stat(file)).mode & 0o777;

test('objects, versions, configuration, uploads, credentials and ports survive a restart', async () => {
  const t = await startTestRegions();
  try {
    const us = t.client(US);
    const src = await createBucket(t, US, { versioning: 'Enabled', prefix: 'keep' });
    const dst = await createBucket(t, EU, { versioning: 'Enabled', prefix: 'keep-eu' });
    const config = {
      Role: 'arn:aws:iam::123456789012:role/r',
      Rules: [replicationRule(dst, { ID: 'r', Filter: { Prefix: 'rep/' } })],
    };
    await putReplication(t, US, src, config.Rules, config.Role);
    const v1 = await us.send(
      new PutObjectCommand({
        Bucket: src,
        Key: 'k',
        Body: 'one',
        Metadata: { a: '1' },
        Tagging: 't=1',
      }),
    );
    const v2 = await us.send(new PutObjectCommand({ Bucket: src, Key: 'k', Body: 'two' }));
    const upload = await us.send(new CreateMultipartUploadCommand({ Bucket: src, Key: 'mp' }));
    await us.send(
      new UploadPartCommand({
        Bucket: src,
        Key: 'mp',
        UploadId: upload.UploadId,
        PartNumber: 1,
        Body: 'part one',
      }),
    );
    // A completed multipart object keeps its bytes in its part blobs (kept by the start sweep).
    const mpParts = [randomBytes(5 * 1024 * 1024), randomBytes(1000)];
    const done = await us.send(new CreateMultipartUploadCommand({ Bucket: src, Key: 'mp-done' }));
    const etags = [];
    for (const [i, body] of mpParts.entries()) {
      const r = await us.send(
        new UploadPartCommand({
          Bucket: src,
          Key: 'mp-done',
          UploadId: done.UploadId,
          PartNumber: i + 1,
          Body: body,
        }),
      );
      etags.push({ PartNumber: i + 1, ETag: r.ETag });
    }
    await us.send(
      new CompleteMultipartUploadCommand({
        Bucket: src,
        Key: 'mp-done',
        UploadId: done.UploadId,
        MultipartUpload: { Parts: etags },
      }),
    );
    const before = {
      key: t.handle.accessKeyId,
      endpoints: t.handle.regions.map((r) => r.endpoint),
    };
    const versionsBefore = await us.send(new ListObjectVersionsCommand({ Bucket: src }));

    await t.restart();

    assert.equal(t.handle.accessKeyId, before.key, 'credentials are kept');
    assert.deepEqual(
      t.handle.regions.map((r) => r.endpoint),
      before.endpoints,
      'ports are reused when free',
    );
    const c = t.client(US);
    const versionsAfter = await c.send(new ListObjectVersionsCommand({ Bucket: src }));
    assert.deepEqual(versionsAfter.Versions, versionsBefore.Versions);
    const old = await c.send(
      new GetObjectCommand({ Bucket: src, Key: 'k', VersionId: v1.VersionId }),
    );
    assert.equal(await old.Body?.transformToString(), 'one');
    assert.deepEqual(old.Metadata, { a: '1' });
    const tags = await c.send(
      new GetObjectTaggingCommand({ Bucket: src, Key: 'k', VersionId: v1.VersionId }),
    );
    assert.deepEqual(tags.TagSet, [{ Key: 't', Value: '1' }]);
    const cur = await c.send(new GetObjectCommand({ Bucket: src, Key: 'k' }));
    assert.equal(cur.VersionId, v2.VersionId);
    assert.equal(await cur.Body?.transformToString(), 'two');
    const rep = await c.send(new GetBucketReplicationCommand({ Bucket: src }));
    assert.deepEqual(rep.ReplicationConfiguration, config);
    const parts = await c.send(
      new ListPartsCommand({ Bucket: src, Key: 'mp', UploadId: upload.UploadId }),
    );
    assert.deepEqual(
      parts.Parts?.map((p) => p.PartNumber),
      [1],
    );
    assert.ok((await readBytes(c, src, 'mp-done')).equals(Buffer.concat(mpParts)));
    assert.equal(await mode(path.join(t.dataDir, 'regions.json')), 0o600);
    // The credentials live in regions.json alone (no credentials.json beside it).
    await assert.rejects(fs.stat(path.join(t.dataDir, 'credentials.json')), { code: 'ENOENT' });
    const file = JSON.parse(
      await fs.readFile(path.join(t.dataDir, 'regions.json'), 'utf8'),
    ) as Record<string, unknown>;
    assert.equal(file.accessKeyId, t.handle.accessKeyId);
    assert.equal(file.secretAccessKey, t.handle.secretAccessKey);
    assert.deepEqual(file.regions, t.handle.regions);
    assert.equal(file.adminEndpoint, t.handle.adminEndpoint);
  } finally {
    await t.stop();
  }
});

test('replication queued while the destination was down completes after a restart', async () => {
  const t = await startTestRegions();
  try {
    const src = await createBucket(t, US, { versioning: 'Enabled', prefix: 'q' });
    const dst = await createBucket(t, EU, { versioning: 'Enabled', prefix: 'q-eu' });
    await putReplication(
      t,
      US,
      src,
      [replicationRule(dst, { ID: 'r', Filter: {} })],
      'arn:aws:iam::123456789012:role/r',
    );
    t.handle.setFaults(EU, { down: true });
    const put = await t
      .client(US)
      .send(new PutObjectCommand({ Bucket: src, Key: 'later', Body: 'queued' }));
    assert.equal(
      (await t.client(US).send(new HeadObjectCommand({ Bucket: src, Key: 'later' })))
        .ReplicationStatus,
      'PENDING',
    );
    await t.restart(); // fault switches start clean: eu-west-1 is up again
    await waitForReplicationStatus(t.client(US), src, 'later', 'COMPLETED', {
      what: 'replication after restart',
    });
    const replica = await t.client(EU).send(new GetObjectCommand({ Bucket: dst, Key: 'later' }));
    assert.equal(replica.VersionId, put.VersionId);
    assert.equal(await replica.Body?.transformToString(), 'queued');
  } finally {
    await t.stop();
  }
});

test('an interrupted upload leaves no object and no temp file; stray blobs are swept at start', async () => {
  const t = await startTestRegions();
  try {
    const b = await createBucket(t, US, { prefix: 'crash' });
    // Send headers promising 1 MiB, 100 KiB of body, then cut the connection.
    const url = new URL(t.endpoint(US));
    const signed = await sdkSigner(US, t.handle).sign({
      method: 'PUT',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: `/${b}/half`,
      query: {},
      headers: {
        host: url.host,
        'content-length': String(1024 * 1024),
        'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      },
    });
    await new Promise<void>((resolve) => {
      const req = http.request({
        host: url.hostname,
        port: url.port,
        method: 'PUT',
        path: `/${b}/half`,
        headers: signed.headers,
      });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(100 * 1024, 1), () =>
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 200),
      );
    });
    await waitFor(
      async () => (await fs.readdir(path.join(t.dataDir, 'tmp'))).length === 0,
      3000,
      'temp file removed',
    );
    const missing = await s3Error(
      t.client(US).send(new HeadObjectCommand({ Bucket: b, Key: 'half' })),
    );
    assert.equal(missing.status, 404);
    // A blob renamed into place by a write that crashed before its metadata commit:
    const stray = path.join(t.dataDir, 'blobs', 'ab', 'ab' + '0'.repeat(30));
    await fs.mkdir(path.dirname(stray), { recursive: true });
    await fs.writeFile(stray, 'orphan');
    await fs.writeFile(path.join(t.dataDir, 'tmp', 'leftover'), 'partial');
    await t.client(US).send(new PutObjectCommand({ Bucket: b, Key: 'kept', Body: 'kept' }));
    await t.restart();
    await assert.rejects(fs.access(stray), 'the orphan blob is gone');
    assert.deepEqual(await fs.readdir(path.join(t.dataDir, 'tmp')), []);
    assert.equal(await readText(t.client(US), b, 'kept'), 'kept');
  } finally {
    await t.stop();
  }
});
