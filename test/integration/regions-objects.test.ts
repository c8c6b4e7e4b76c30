// Object operations over real HTTP with the official SDK at default settings: put/get/head,
// metadata and standard headers, Range and conditional reads, copy, tagging, DeleteObject,
// and a body that does not match x-amz-content-sha256.
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectTaggingCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import {
  bucketName,
  createBucket,
  readBytes,
  readText,
  s3Error,
  signingTarget,
  useTestRegions,
} from '../helpers/regions.js';
import { signedRequest } from '../helpers/signed-http.js';

const US = 'us-east-1';
let bucket: string;
const t = useTestRegions(async () => {
  bucket = await createBucket(t, US, { prefix: 'obj' });
});

const md5 = (b: string | Buffer): string => `"${createHash('md5').update(b).digest('hex')}"`;

test('PutObject / GetObject / HeadObject keep bytes, ETag, metadata and standard headers', async () => {
  const c = t.client(US);
  const expires = new Date('2030-01-02T03:04:05Z');
  const put = await c.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: 'docs/readme.txt',
      Body: 'hello regions',
      ContentType: 'text/plain; charset=utf-8',
      CacheControl: 'max-age=60',
      ContentDisposition: 'attachment; filename="readme.txt"',
      ContentEncoding: 'identity',
      ContentLanguage: 'en',
      Expires: expires,
      Metadata: { 'rs-device': 'dev-1', 'rs-base': 'none' },
    }),
  );
  assert.equal(put.ETag, md5('hello regions'));
  assert.equal(put.VersionId, undefined, 'no version id on an unversioned bucket');
  const got = await c.send(new GetObjectCommand({ Bucket: bucket, Key: 'docs/readme.txt' }));
  assert.equal(await got.Body?.transformToString(), 'hello regions');
  assert.equal(got.ETag, put.ETag);
  assert.equal(got.ContentLength, 13);
  assert.equal(got.ContentType, 'text/plain; charset=utf-8');
  assert.equal(got.CacheControl, 'max-age=60');
  assert.equal(got.ContentDisposition, 'attachment; filename="readme.txt"');
  assert.equal(got.ContentEncoding, 'identity');
  assert.equal(got.ContentLanguage, 'en');
  assert.equal(got.ExpiresString, expires.toUTCString());
  assert.deepEqual(got.Metadata, { 'rs-device': 'dev-1', 'rs-base': 'none' });
  assert.equal(got.AcceptRanges, 'bytes');
  assert.ok(got.LastModified instanceof Date);
  const head = await c.send(new HeadObjectCommand({ Bucket: bucket, Key: 'docs/readme.txt' }));
  assert.equal(head.ContentLength, 13);
  assert.equal(head.ETag, put.ETag);
  assert.deepEqual(head.Metadata, got.Metadata);
  // Without a Content-Type header S3 stores binary/octet-stream (the SDK itself sends one).
  const raw = await signedRequest({
    ...signingTarget(t, US),
    method: 'PUT',
    path: `/${bucket}/plain`,
    body: Buffer.from([1, 2, 3]),
  });
  assert.equal(raw.status, 200);
  const plain = await c.send(new HeadObjectCommand({ Bucket: bucket, Key: 'plain' }));
  assert.equal(plain.ContentType, 'binary/octet-stream');
  // Response overrides (as presigned download links use).
  const over = await c.send(
    new GetObjectCommand({
      Bucket: bucket,
      Key: 'plain',
      ResponseContentType: 'application/x-test',
      ResponseCacheControl: 'no-cache',
    }),
  );
  assert.equal(over.ContentType, 'application/x-test');
  assert.equal(over.CacheControl, 'no-cache');
});

test('a streamed 3 MiB body, a unicode key and an empty object round-trip byte for byte', async () => {
  const c = t.client(US);
  const data = randomBytes(3 * 1024 * 1024);
  const chunks = [];
  for (let i = 0; i < data.length; i += 64 * 1024) chunks.push(data.subarray(i, i + 64 * 1024));
  const key = 'dossier/été 2024/naïve+plus&more.bin';
  const put = await c.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: Readable.from(chunks),
      ContentLength: data.length,
    }),
  );
  assert.equal(put.ETag, md5(data));
  assert.ok((await readBytes(c, bucket, key)).equals(data));
  await c.send(new PutObjectCommand({ Bucket: bucket, Key: 'empty', Body: '' }));
  const empty = await c.send(new GetObjectCommand({ Bucket: bucket, Key: 'empty' }));
  assert.equal(empty.ContentLength, 0);
  assert.equal(await empty.Body?.transformToString(), '');
  assert.equal(empty.ETag, md5(''));
});

test('Range reads: 206 with Content-Range, suffix ranges, 416 InvalidRange past the end', async () => {
  const c = t.client(US);
  await c.send(new PutObjectCommand({ Bucket: bucket, Key: 'range', Body: '0123456789' }));
  const mid = await c.send(
    new GetObjectCommand({ Bucket: bucket, Key: 'range', Range: 'bytes=2-5' }),
  );
  assert.equal(mid.$metadata.httpStatusCode, 206);
  assert.equal(mid.ContentRange, 'bytes 2-5/10');
  assert.equal(await mid.Body?.transformToString(), '2345');
  const tail = await c.send(
    new GetObjectCommand({ Bucket: bucket, Key: 'range', Range: 'bytes=-3' }),
  );
  assert.equal(await tail.Body?.transformToString(), '789');
  const open = await c.send(
    new GetObjectCommand({ Bucket: bucket, Key: 'range', Range: 'bytes=7-' }),
  );
  assert.equal(await open.Body?.transformToString(), '789');
  const clamp = await c.send(
    new GetObjectCommand({ Bucket: bucket, Key: 'range', Range: 'bytes=8-100' }),
  );
  assert.equal(clamp.ContentRange, 'bytes 8-9/10');
  const bad = await s3Error(
    c.send(new GetObjectCommand({ Bucket: bucket, Key: 'range', Range: 'bytes=10-20' })),
  );
  assert.equal(bad.status, 416);
  assert.equal(bad.name, 'InvalidRange');
});

test('conditional reads: If-None-Match/If-Modified-Since give 304, If-Match/If-Unmodified-Since give 412', async () => {
  const c = t.client(US);
  const put = await c.send(new PutObjectCommand({ Bucket: bucket, Key: 'cond', Body: 'v1' }));
  const etag = put.ETag!;
  const notModified = await s3Error(
    c.send(new GetObjectCommand({ Bucket: bucket, Key: 'cond', IfNoneMatch: etag })),
  );
  assert.equal(notModified.status, 304);
  const future = new Date(Date.now() + 3600_000);
  const past = new Date(Date.now() - 3600_000);
  assert.equal(
    (
      await s3Error(
        c.send(new GetObjectCommand({ Bucket: bucket, Key: 'cond', IfModifiedSince: future })),
      )
    ).status,
    304,
  );
  const mismatch = await s3Error(
    c.send(new GetObjectCommand({ Bucket: bucket, Key: 'cond', IfMatch: '"nope"' })),
  );
  assert.equal(mismatch.status, 412);
  assert.equal(mismatch.name, 'PreconditionFailed');
  const unmodified = await s3Error(
    c.send(new GetObjectCommand({ Bucket: bucket, Key: 'cond', IfUnmodifiedSince: past })),
  );
  assert.equal(unmodified.status, 412);
  const ok = await c.send(
    new GetObjectCommand({ Bucket: bucket, Key: 'cond', IfMatch: etag, IfModifiedSince: past }),
  );
  assert.equal(await ok.Body?.transformToString(), 'v1');
  const head = await s3Error(
    c.send(new HeadObjectCommand({ Bucket: bucket, Key: 'cond', IfNoneMatch: etag })),
  );
  assert.equal(head.status, 304);
});

test('NoSuchKey, NoSuchBucket; DeleteObject on an unversioned bucket removes the object (204)', async () => {
  const c = t.client(US);
  const missing = await s3Error(
    c.send(new GetObjectCommand({ Bucket: bucket, Key: 'does/not/exist' })),
  );
  assert.equal(missing.name, 'NoSuchKey');
  assert.equal(missing.status, 404);
  const headMissing = await s3Error(
    c.send(new HeadObjectCommand({ Bucket: bucket, Key: 'does/not/exist' })),
  );
  assert.equal(headMissing.status, 404);
  const noBucket = await s3Error(
    c.send(new GetObjectCommand({ Bucket: bucketName('nob'), Key: 'k' })),
  );
  assert.equal(noBucket.name, 'NoSuchBucket');
  await c.send(new PutObjectCommand({ Bucket: bucket, Key: 'to-delete', Body: 'x' }));
  const del = await c.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'to-delete' }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  assert.equal(del.DeleteMarker, undefined);
  assert.equal(
    (await s3Error(c.send(new GetObjectCommand({ Bucket: bucket, Key: 'to-delete' })))).name,
    'NoSuchKey',
  );
  // Deleting a key that does not exist is not an error.
  const again = await c.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'to-delete' }));
  assert.equal(again.$metadata.httpStatusCode, 204);
});

test('CopyObject: metadata and tagging directives COPY/REPLACE, copy-source conditions, copy onto itself', async () => {
  const c = t.client(US);
  await c.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: 'copy/src',
      Body: 'copy me',
      ContentType: 'text/x-src',
      Metadata: { origin: 'src' },
      Tagging: 'k1=v1&k2=v2',
    }),
  );
  const copied = await c.send(
    new CopyObjectCommand({ Bucket: bucket, Key: 'copy/a', CopySource: `${bucket}/copy/src` }),
  );
  assert.equal(copied.CopyObjectResult?.ETag, md5('copy me'));
  const a = await c.send(new GetObjectCommand({ Bucket: bucket, Key: 'copy/a' }));
  assert.equal(await a.Body?.transformToString(), 'copy me');
  assert.equal(a.ContentType, 'text/x-src');
  assert.deepEqual(a.Metadata, { origin: 'src' });
  assert.equal(a.TagCount, 2);
  await c.send(
    new CopyObjectCommand({
      Bucket: bucket,
      Key: 'copy/b',
      CopySource: `/${bucket}/copy/src`,
      MetadataDirective: 'REPLACE',
      ContentType: 'text/x-new',
      Metadata: { origin: 'replaced' },
      TaggingDirective: 'REPLACE',
      Tagging: 'only=one',
    }),
  );
  const b = await c.send(new HeadObjectCommand({ Bucket: bucket, Key: 'copy/b' }));
  assert.equal(b.ContentType, 'text/x-new');
  assert.deepEqual(b.Metadata, { origin: 'replaced' });
  const bTags = await c.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'copy/b' }));
  assert.deepEqual(bTags.TagSet, [{ Key: 'only', Value: 'one' }]);
  const self = await s3Error(
    c.send(
      new CopyObjectCommand({ Bucket: bucket, Key: 'copy/src', CopySource: `${bucket}/copy/src` }),
    ),
  );
  assert.equal(self.name, 'InvalidRequest');
  assert.equal(self.status, 400);
  const cond = await s3Error(
    c.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'copy/c',
        CopySource: `${bucket}/copy/src`,
        CopySourceIfMatch: '"other"',
      }),
    ),
  );
  assert.equal(cond.status, 412);
  const noSource = await s3Error(
    c.send(
      new CopyObjectCommand({ Bucket: bucket, Key: 'copy/d', CopySource: `${bucket}/copy/none` }),
    ),
  );
  assert.equal(noSource.name, 'NoSuchKey');
  // Copy across regions (source bucket in eu-west-1, destination in us-east-1).
  const eu = await createBucket(t, 'eu-west-1', { prefix: 'copy-eu' });
  await t
    .client('eu-west-1')
    .send(new PutObjectCommand({ Bucket: eu, Key: 'x y', Body: 'from europe' }));
  await c.send(
    new CopyObjectCommand({ Bucket: bucket, Key: 'copy/from-eu', CopySource: `${eu}/x%20y` }),
  );
  assert.equal(await readText(c, bucket, 'copy/from-eu'), 'from europe');
});

test('object tagging: tags on upload, Get/Put/DeleteObjectTagging, limits', async () => {
  const c = t.client(US);
  await c.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: 'tagged',
      Body: 't',
      Tagging: 'a=1&b=two%20words',
    }),
  );
  const tags = await c.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'tagged' }));
  assert.deepEqual(tags.TagSet, [
    { Key: 'a', Value: '1' },
    { Key: 'b', Value: 'two words' },
  ]);
  await c.send(
    new PutObjectTaggingCommand({
      Bucket: bucket,
      Key: 'tagged',
      Tagging: { TagSet: [{ Key: 'c', Value: '3' }] },
    }),
  );
  assert.deepEqual(
    (await c.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'tagged' }))).TagSet,
    [{ Key: 'c', Value: '3' }],
  );
  const tooMany = await s3Error(
    c.send(
      new PutObjectTaggingCommand({
        Bucket: bucket,
        Key: 'tagged',
        Tagging: { TagSet: Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) },
      }),
    ),
  );
  assert.equal(tooMany.status, 400);
  await c.send(new DeleteObjectTaggingCommand({ Bucket: bucket, Key: 'tagged' }));
  const none = await c.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'tagged' }));
  assert.deepEqual(none.TagSet ?? [], []);
  const missing = await s3Error(
    c.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'no-such' })),
  );
  assert.equal(missing.name, 'NoSuchKey');
});

test('a body that does not match x-amz-content-sha256 is refused (XAmzContentSHA256Mismatch) and not stored', async () => {
  const res = await signedRequest({
    ...signingTarget(t, US),
    method: 'PUT',
    path: `/${bucket}/sha-mismatch`,
    body: 'the real body',
    payloadHash: createHash('sha256').update('another body').digest('hex'),
  });
  assert.equal(res.status, 400);
  assert.match(res.text, /<Code>XAmzContentSHA256Mismatch<\/Code>/);
  const missing = await s3Error(
    t.client(US).send(new HeadObjectCommand({ Bucket: bucket, Key: 'sha-mismatch' })),
  );
  assert.equal(missing.status, 404);
  const ok = await signedRequest({
    ...signingTarget(t, US),
    method: 'PUT',
    path: `/${bucket}/sha-match`,
    body: 'the real body',
  });
  assert.equal(ok.status, 200);
});

test('versioned bucket responses carry x-amz-version-id; copying reports the source version', async () => {
  const c = t.client(US);
  const b = await createBucket(t, US, { versioning: 'Enabled', prefix: 'objv' });
  const put = await c.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'v' }));
  assert.match(put.VersionId ?? '', /^[0-9a-f]{32}$/);
  const copy = await c.send(new CopyObjectCommand({ Bucket: b, Key: 'k2', CopySource: `${b}/k` }));
  assert.equal(copy.CopySourceVersionId, put.VersionId);
  assert.ok(copy.VersionId && copy.VersionId !== put.VersionId);
});
