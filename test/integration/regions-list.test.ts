// Listings (ListObjectsV2, ListObjects v1) and DeleteObjects over real HTTP with the SDK at
// default settings.
import {
  DeleteObjectsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { createBucket, s3Error, useTestRegions } from '../helpers/regions.js';

const US = 'us-east-1';
let bucket: string;
const t = useTestRegions(async () => {
  bucket = await createBucket(t, US, { prefix: 'list' });
});

const md5 = (b: string | Buffer): string => `"${createHash('md5').update(b).digest('hex')}"`;

test('ListObjectsV2: prefix, delimiter, CommonPrefixes, max-keys with continuation, start-after, encoding-type=url', async () => {
  const c = t.client(US);
  const b = await createBucket(t, US, { prefix: 'list' });
  const keys = ['a/1', 'a/2', 'a/sub/3', 'b/1', 'c', 'd e+f', 'z/9'];
  for (const k of keys) await c.send(new PutObjectCommand({ Bucket: b, Key: k, Body: k }));
  const all = await c.send(new ListObjectsV2Command({ Bucket: b }));
  assert.deepEqual(
    all.Contents?.map((o) => o.Key),
    keys,
  );
  assert.equal(all.KeyCount, 7);
  assert.equal(all.Contents?.[0]?.Size, 3);
  assert.equal(all.Contents?.[0]?.ETag, md5('a/1'));
  const top = await c.send(new ListObjectsV2Command({ Bucket: b, Delimiter: '/' }));
  assert.deepEqual(
    top.Contents?.map((o) => o.Key),
    ['c', 'd e+f'],
  );
  assert.deepEqual(
    top.CommonPrefixes?.map((p) => p.Prefix),
    ['a/', 'b/', 'z/'],
  );
  const inA = await c.send(new ListObjectsV2Command({ Bucket: b, Prefix: 'a/', Delimiter: '/' }));
  assert.deepEqual(
    inA.Contents?.map((o) => o.Key),
    ['a/1', 'a/2'],
  );
  assert.deepEqual(
    inA.CommonPrefixes?.map((p) => p.Prefix),
    ['a/sub/'],
  );
  // Page through with max-keys=2, delimiter and continuation tokens: no duplicates, nothing lost.
  const seen: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page: ListObjectsV2CommandOutput = await c.send(
      new ListObjectsV2Command({ Bucket: b, Delimiter: '/', MaxKeys: 2, ContinuationToken: token }),
    );
    pages++;
    seen.push(
      ...(page.Contents ?? []).map((o) => o.Key!),
      ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!),
    );
    assert.ok((page.KeyCount ?? 0) <= 2);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  assert.equal(pages, 3);
  assert.deepEqual(seen.sort(), ['a/', 'b/', 'c', 'd e+f', 'z/']);
  const after = await c.send(new ListObjectsV2Command({ Bucket: b, StartAfter: 'b/1' }));
  assert.deepEqual(
    after.Contents?.map((o) => o.Key),
    ['c', 'd e+f', 'z/9'],
  );
  const encoded = await c.send(
    new ListObjectsV2Command({ Bucket: b, Prefix: 'd', EncodingType: 'url' }),
  );
  assert.equal(encoded.EncodingType, 'url');
  assert.equal(encoded.Contents?.[0]?.Key, 'd%20e%2Bf');
  const zero = await c.send(new ListObjectsV2Command({ Bucket: b, MaxKeys: 0 }));
  assert.equal(zero.KeyCount, 0);
  const badToken = await s3Error(
    c.send(new ListObjectsV2Command({ Bucket: b, ContinuationToken: 'garbage' })),
  );
  assert.equal(badToken.name, 'InvalidArgument');
});

test('ListObjects (v1): marker, NextMarker with a delimiter, IsTruncated', async () => {
  const c = t.client(US);
  const b = await createBucket(t, US, { prefix: 'listv1' });
  for (const k of ['p/1', 'p/2', 'q', 'r/1', 's'])
    await c.send(new PutObjectCommand({ Bucket: b, Key: k, Body: 'x' }));
  const first = await c.send(new ListObjectsCommand({ Bucket: b, MaxKeys: 2, Delimiter: '/' }));
  assert.equal(first.IsTruncated, true);
  assert.deepEqual(
    first.CommonPrefixes?.map((p) => p.Prefix),
    ['p/'],
  );
  assert.deepEqual(
    first.Contents?.map((o) => o.Key),
    ['q'],
  );
  assert.equal(first.NextMarker, 'q');
  const second = await c.send(
    new ListObjectsCommand({ Bucket: b, Marker: first.NextMarker, Delimiter: '/' }),
  );
  assert.equal(second.IsTruncated, false);
  assert.deepEqual(
    second.CommonPrefixes?.map((p) => p.Prefix),
    ['r/'],
  );
  assert.deepEqual(
    second.Contents?.map((o) => o.Key),
    ['s'],
  );
  const plain = await c.send(new ListObjectsCommand({ Bucket: b, Marker: 'p/2' }));
  assert.deepEqual(
    plain.Contents?.map((o) => o.Key),
    ['q', 'r/1', 's'],
  );
  assert.ok(plain.Contents?.[0]?.Owner?.ID);
});

test('DeleteObjects: results per key, Quiet mode, unknown keys count as deleted', async () => {
  const c = t.client(US);
  for (const k of ['m/1', 'm/2', 'm/3'])
    await c.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: k }));
  const res = await c.send(
    new DeleteObjectsCommand({
      Bucket: bucket,
      Delete: { Objects: [{ Key: 'm/1' }, { Key: 'm/404' }] },
    }),
  );
  assert.deepEqual(res.Deleted?.map((d) => d.Key).sort(), ['m/1', 'm/404']);
  assert.equal(res.Errors, undefined);
  const quiet = await c.send(
    new DeleteObjectsCommand({
      Bucket: bucket,
      Delete: { Quiet: true, Objects: [{ Key: 'm/2' }, { Key: 'm/3' }] },
    }),
  );
  assert.equal(quiet.Deleted, undefined);
  const left = await c.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'm/' }));
  assert.equal(left.KeyCount, 0);
});
