// The capability probe against real HTTP servers: the local regions (which honour every
// header), and moto_server, where the probe's answers are checked against measurements this
// test makes itself. Either way the probe must leave nothing behind: no version, no delete
// marker, no open upload, no scratch bucket.
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { CHECKSUM_PREFERENCE, type ServiceCapabilities } from '../../main/contract/capabilities.js';
import { probeCapabilities } from '../../main/core/capabilities/probe.js';
import { assertProbeLeftNothing } from '../helpers/capabilities-check.js';
import { startMoto, type Moto } from '../helpers/moto.js';
import { createBucket, useTestRegions } from '../helpers/regions.js';
import { startS3Proxy, type S3Proxy } from '../helpers/s3-proxy.js';

const US = 'us-east-1';
const PREFIX = 'docs/';

describe('local regions', () => {
  let bucket: string;
  let proxy: S3Proxy;
  let client: S3Client;
  const t = useTestRegions(async () => {
    bucket = await createBucket(t, US, { versioning: 'Enabled', prefix: 'probe' });
    // A user's own file beside the reserved area: the probe must not touch it.
    await t
      .client(US)
      .send(new PutObjectCommand({ Bucket: bucket, Key: `${PREFIX}a.txt`, Body: 'a' }));
    proxy = await startS3Proxy([{ name: US, endpoint: t.endpoint(US) }]);
    client = new S3Client({
      endpoint: proxy.regions[0]!.endpoint,
      region: US,
      credentials: { accessKeyId: t.handle.accessKeyId, secretAccessKey: t.handle.secretAccessKey },
    });
  });
  after(async () => {
    client?.destroy();
    await proxy?.close();
  });

  test('every header is honoured, the rule round-trips, and nothing is left behind', async () => {
    const lines: string[] = [];
    const c = await probeCapabilities({
      client,
      endpoint: t.endpoint(US),
      bucket,
      prefix: PREFIX,
      device: 'dev1',
      region: US,
      log: (l) => lines.push(l),
    });
    assert.equal(c.endpoint, t.endpoint(US));
    assert.equal(c.bucket, bucket);
    assert.equal(c.ifMatchAccepted, 'yes');
    assert.equal(c.ifMatchEnforced, 'yes');
    assert.equal(c.ifNoneMatchEnforced, 'yes');
    assert.equal(c.completeIfNoneMatchEnforced, 'yes');
    assert.equal(c.deleteIfMatchEnforced, 'yes');
    for (const alg of CHECKSUM_PREFERENCE) assert.equal(c.checksums[alg], 'yes', alg);
    assert.equal(c.contentMd5Enforced, 'yes');
    assert.deepEqual(c.replicationApi.dropped, []);
    assert.equal(c.replicationApi.state, 'round-trips', c.replicationApi.detail);
    assert.ok(
      c.summary.some((s) => s.startsWith('Conditional writes: honoured')),
      c.summary.join('\n'),
    );
    assert.ok(Date.now() - c.probedAt < 60_000);

    // Every object request stayed in the reserved area, under this device's name.
    const objectOps = proxy.requests.filter((r) => r.key !== '');
    assert.ok(objectOps.length > 10);
    for (const r of objectOps)
      assert.match(r.key, /^docs\/\.replica-sync\/probe\/dev1-[0-9a-f]+\//);
    // Each checksum request carried the one checksum tested and no other (no SDK CRC32).
    for (const alg of CHECKSUM_PREFERENCE) {
      const puts = proxy.requests.filter(
        (r) => r.op === 'PutObject' && r.key.endsWith(`checksum-${alg.toLowerCase()}`),
      );
      assert.equal(puts.length, 2, alg);
      for (const p of puts) {
        const sums = Object.keys(p.headers).filter((h) => h.startsWith('x-amz-checksum-'));
        assert.deepEqual(sums, [`x-amz-checksum-${alg.toLowerCase()}`], alg);
      }
      // The right value first, then a different one of the same length.
      const [right, wrong] = puts.map((p) =>
        String(p.headers[`x-amz-checksum-${alg.toLowerCase()}`]),
      );
      assert.notEqual(right, wrong);
      assert.equal(right!.length, wrong!.length);
    }
    const md5 = proxy.requests.filter((r) => r.op === 'PutObject' && r.key.endsWith('content-md5'));
    assert.equal(md5.length, 2);
    for (const p of md5)
      assert.deepEqual(
        Object.keys(p.headers).filter((h) => h.startsWith('x-amz-checksum-')),
        [],
      );
    assert.ok(
      proxy.requests.some(
        (r) => r.op === 'CompleteMultipartUpload' && r.headers['if-none-match'] === '*',
      ),
    );
    assert.ok(
      proxy.requests.some(
        (r) =>
          r.op === 'DeleteObject' && r.headers['if-match'] === '"00000000000000000000000000000000"',
      ),
    );

    await assertProbeLeftNothing(t.client(US), bucket, PREFIX);
    const rest = await t.client(US).send(new ListObjectVersionsCommand({ Bucket: bucket }));
    assert.deepEqual(
      (rest.Versions ?? []).map((v) => v.Key),
      [`${PREFIX}a.txt`],
    );
    assert.deepEqual(rest.DeleteMarkers ?? [], []);
  });

  test('replication: false skips the scratch bucket', async () => {
    const before = proxy.requests.length;
    const c = await probeCapabilities({
      client,
      endpoint: t.endpoint(US),
      bucket,
      prefix: '',
      device: 'dev2',
      region: US,
      replication: false,
    });
    assert.equal(c.replicationApi.state, 'not-probed');
    assert.ok(
      !proxy.requests
        .slice(before)
        .some((r) => r.method === 'PUT' && r.key === '' && r.bucket.startsWith('rs-probe-')),
    );
    assert.equal(c.ifMatchEnforced, 'yes');
    await assertProbeLeftNothing(t.client(US), bucket, '');
  });

  test('a stop mid-probe rejects and still cleans up', async () => {
    const stop = new AbortController();
    let seen = 0;
    // Stop as the fifth request reaches the service: some scratch keys exist by then.
    proxy.setOptions({
      requestDelay: () => {
        if (++seen === 5) stop.abort();
        return 0;
      },
    });
    try {
      const p = probeCapabilities({
        client,
        endpoint: t.endpoint(US),
        bucket,
        prefix: PREFIX,
        device: 'dev3',
        region: US,
        signal: stop.signal,
      });
      await assert.rejects(p, (e: Error) => e.name === 'AbortError');
    } finally {
      proxy.setOptions({});
    }
    assert.ok(seen > 5, 'the clean-up sent requests after the stop');
    await assertProbeLeftNothing(t.client(US), bucket, PREFIX);
  });
});

describe('moto_server', () => {
  let moto: Moto;
  let client: S3Client;
  const bucket = 'probe-moto';
  before(async () => {
    moto = await startMoto();
    client = new S3Client({
      endpoint: moto.endpoint,
      region: US,
      forcePathStyle: true,
      credentials: moto.credentials,
    });
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    await client.send(
      new PutBucketVersioningCommand({
        Bucket: bucket,
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
  });
  after(async () => {
    client?.destroy();
    await moto?.stop();
  });

  /** Outcome of a request as the probe counts it: written, or refused with this status. */
  async function outcome(p: Promise<unknown>): Promise<'written' | number> {
    try {
      await p;
      return 'written';
    } catch (err) {
      return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? -1;
    }
  }

  test('the probe agrees with measurements made by hand, and cleans up', async (tc) => {
    const lines: string[] = [];
    const c: ServiceCapabilities = await probeCapabilities({
      client,
      endpoint: moto.endpoint,
      bucket,
      prefix: PREFIX,
      device: 'moto',
      region: US,
      log: (l) => lines.push(l),
    });
    // The findings in the test report: the table of what each server honours.
    tc.diagnostic(JSON.stringify(c));
    for (const l of lines) tc.diagnostic(l);
    await assertProbeLeftNothing(client, bucket, PREFIX);

    const key = 'by-hand/k';
    const base = await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'base' }),
    );
    const right = await outcome(
      client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'edit', IfMatch: base.ETag }),
      ),
    );
    assert.equal(c.ifMatchAccepted, right === 'written' ? 'yes' : 'no');
    const wrong = await outcome(
      client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: 'stale',
          IfMatch: '"00000000000000000000000000000000"',
        }),
      ),
    );
    assert.equal(c.ifMatchEnforced, wrong === 412 ? 'yes' : 'no');
    const none = await outcome(
      client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'new', IfNoneMatch: '*' }),
      ),
    );
    assert.equal(c.ifNoneMatchEnforced, none === 412 || none === 409 ? 'yes' : 'no');
    const md5 = await outcome(
      client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: 'md5',
          ContentMD5: createHash('md5').update('not the body').digest('base64'),
        }),
      ),
    );
    assert.equal(c.contentMd5Enforced, md5 === 400 ? 'yes' : 'no');
    const del = await outcome(
      client.send(
        new DeleteObjectCommand({
          Bucket: bucket,
          Key: key,
          IfMatch: '"00000000000000000000000000000000"',
        }),
      ),
    );
    assert.equal(c.deleteIfMatchEnforced, del === 412 ? 'yes' : 'no');
    // A wrong SHA256 (the SDK sends a given value as is).
    const sha = await outcome(
      client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: 'sha',
          ChecksumAlgorithm: 'SHA256',
          ChecksumSHA256: createHash('sha256').update('not the body').digest('base64'),
        }),
      ),
    );
    assert.equal(c.checksums.SHA256, sha === 400 ? 'yes' : 'no');
    // Whatever moto does, no field may be 'unknown': moto answers every request.
    for (const [k, v] of Object.entries(c))
      if (typeof v === 'string') assert.notEqual(v, 'unknown', k);
    for (const alg of CHECKSUM_PREFERENCE) assert.notEqual(c.checksums[alg], 'unknown', alg);
    assert.ok(c.summary.length >= 5);
  });
});
