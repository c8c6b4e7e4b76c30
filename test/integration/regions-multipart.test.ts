// Multipart uploads: Create, UploadPart, UploadPartCopy, ListParts, ListMultipartUploads,
// Complete (ETag md5-of-md5s-N, InvalidPart, InvalidPartOrder, EntityTooSmall), Abort
// (NoSuchUpload), and reading one part back with partNumber.
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  completeUpload,
  createBucket,
  readBytes,
  readText,
  s3Error,
  uploadParts,
  useTestRegions,
} from '../helpers/regions.js';

const US = 'us-east-1';
const MiB = 1024 * 1024;
let c: S3Client;
let bucket: string;
const t = useTestRegions(async () => {
  c = t.client(US);
  bucket = await createBucket(t, US, { versioning: 'Enabled', prefix: 'mp' });
});

function multipartEtag(parts: Buffer[]): string {
  const md5s = parts.map((p) => createHash('md5').update(p).digest());
  return `"${createHash('md5').update(Buffer.concat(md5s)).digest('hex')}-${parts.length}"`;
}

async function create(key: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await c.send(
    new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...extra }),
  );
  assert.equal(res.Bucket, bucket);
  assert.equal(res.Key, key);
  return res.UploadId!;
}

async function upload(key: string, uploadId: string, n: number, body: Buffer): Promise<string> {
  const [res] = await uploadParts(
    c,
    { Bucket: bucket, Key: key, UploadId: uploadId },
    [body],
    {},
    n,
  );
  return res!.ETag!;
}

test('upload three parts, list them, complete: bytes, ETag md5-of-md5s-N, metadata, version id, partNumber reads', async () => {
  const key = 'big/file.bin';
  const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(1000)];
  const uploadId = await create(key, {
    ContentType: 'application/x-big',
    Metadata: { kind: 'mp' },
    Tagging: 't=1',
  });
  const etags: string[] = [];
  for (const [i, p] of parts.entries()) etags.push(await upload(key, uploadId, i + 1, p));
  assert.equal(etags[0], `"${createHash('md5').update(parts[0]!).digest('hex')}"`);
  const page1 = await c.send(
    new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MaxParts: 2 }),
  );
  assert.deepEqual(
    page1.Parts?.map((p) => [p.PartNumber, p.Size, p.ETag]),
    [
      [1, 5 * MiB, etags[0]],
      [2, 5 * MiB, etags[1]],
    ],
  );
  assert.equal(page1.IsTruncated, true);
  const page2 = await c.send(
    new ListPartsCommand({
      Bucket: bucket,
      Key: key,
      UploadId: uploadId,
      PartNumberMarker: page1.NextPartNumberMarker,
    }),
  );
  assert.deepEqual(
    page2.Parts?.map((p) => p.PartNumber),
    [3],
  );
  assert.equal(page2.IsTruncated, false);
  const uploads = await c.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'big/' }));
  assert.deepEqual(
    uploads.Uploads?.map((u) => [u.Key, u.UploadId]),
    [[key, uploadId]],
  );
  const done = await completeUpload(
    c,
    { Bucket: bucket, Key: key, UploadId: uploadId },
    etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })),
  );
  assert.equal(done.ETag, multipartEtag(parts));
  assert.match(done.VersionId ?? '', /^[0-9a-f]{32}$/);
  const got = await c.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat(parts)));
  assert.equal(got.ContentType, 'application/x-big');
  assert.deepEqual(got.Metadata, { kind: 'mp' });
  assert.equal(got.TagCount, 1);
  assert.equal(got.ETag, done.ETag);
  const part3 = await c.send(new GetObjectCommand({ Bucket: bucket, Key: key, PartNumber: 3 }));
  assert.equal(part3.$metadata.httpStatusCode, 206);
  assert.equal(part3.PartsCount, 3);
  assert.equal(part3.ContentRange, `bytes ${10 * MiB}-${10 * MiB + 999}/${10 * MiB + 1000}`);
  assert.ok(Buffer.from(await part3.Body!.transformToByteArray()).equals(parts[2]!));
  const head = await c.send(new HeadObjectCommand({ Bucket: bucket, Key: key, PartNumber: 1 }));
  assert.equal(head.ContentLength, 5 * MiB);
  const tooFar = await s3Error(
    c.send(new GetObjectCommand({ Bucket: bucket, Key: key, PartNumber: 4 })),
  );
  assert.equal(tooFar.status, 416);
  const listedAfter = await c.send(
    new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'big/' }),
  );
  assert.equal(listedAfter.Uploads, undefined, 'a completed upload is gone');
});

test('UploadPartCopy with x-amz-copy-source-range builds an object from another one', async () => {
  const source = randomBytes(6 * MiB);
  await c.send(new PutObjectCommand({ Bucket: bucket, Key: 'copy/source', Body: source }));
  const key = 'copy/assembled';
  const uploadId = await create(key);
  const copyPart = (PartNumber: number, CopySourceRange: string) =>
    c.send(
      new UploadPartCopyCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber,
        CopySource: `${bucket}/copy/source`,
        CopySourceRange,
      }),
    );
  const p1 = await copyPart(1, `bytes=0-${5 * MiB - 1}`);
  const p2 = await copyPart(2, `bytes=${5 * MiB}-${6 * MiB - 1}`);
  assert.ok(p1.CopyPartResult?.ETag && p1.CopySourceVersionId);
  const badRange = await s3Error(copyPart(3, `bytes=0-${7 * MiB}`));
  assert.equal(badRange.name, 'InvalidArgument');
  await completeUpload(c, { Bucket: bucket, Key: key, UploadId: uploadId }, [
    { PartNumber: 1, ETag: p1.CopyPartResult!.ETag },
    { PartNumber: 2, ETag: p2.CopyPartResult!.ETag },
  ]);
  assert.ok((await readBytes(c, bucket, key)).equals(source));
});

test('Complete refuses InvalidPart, InvalidPartOrder and EntityTooSmall', async () => {
  const key = 'bad/complete';
  const uploadId = await create(key);
  const e1 = await upload(key, uploadId, 1, Buffer.from('small part one'));
  const e2 = await upload(key, uploadId, 2, Buffer.from('small part two'));
  const complete = (parts: { PartNumber: number; ETag: string }[]): Promise<unknown> =>
    completeUpload(c, { Bucket: bucket, Key: key, UploadId: uploadId }, parts);
  const wrongEtag = await s3Error(
    complete([{ PartNumber: 1, ETag: '"0123456789abcdef0123456789abcdef"' }]),
  );
  assert.equal(wrongEtag.name, 'InvalidPart');
  assert.equal(wrongEtag.status, 400);
  const missingPart = await s3Error(complete([{ PartNumber: 7, ETag: e1 }]));
  assert.equal(missingPart.name, 'InvalidPart');
  const order = await s3Error(
    complete([
      { PartNumber: 2, ETag: e2 },
      { PartNumber: 1, ETag: e1 },
    ]),
  );
  assert.equal(order.name, 'InvalidPartOrder');
  const small = await s3Error(
    complete([
      { PartNumber: 1, ETag: e1 },
      { PartNumber: 2, ETag: e2 },
    ]),
  );
  assert.equal(small.name, 'EntityTooSmall');
  // A single small part is fine: the last part may be smaller than 5 MiB.
  const one = (await complete([{ PartNumber: 2, ETag: e2 }])) as { ETag?: string };
  assert.equal(one.ETag, multipartEtag([Buffer.from('small part two')]));
  assert.equal(await readText(c, bucket, key), 'small part two');
});

test('Abort removes the upload; later calls answer NoSuchUpload', async () => {
  const key = 'aborted';
  const uploadId = await create(key);
  await upload(key, uploadId, 1, Buffer.from('x'));
  const mpu = { Bucket: bucket, Key: key, UploadId: uploadId };
  const res = await c.send(new AbortMultipartUploadCommand(mpu));
  assert.equal(res.$metadata.httpStatusCode, 204);
  for (const call of [
    () => c.send(new AbortMultipartUploadCommand(mpu)),
    () => c.send(new ListPartsCommand(mpu)),
    () => uploadParts(c, mpu, ['y'], {}, 2),
    () => completeUpload(c, mpu, [{ PartNumber: 1, ETag: '"x"' }]),
  ]) {
    const err = await s3Error(call());
    assert.equal(err.name, 'NoSuchUpload');
    assert.equal(err.status, 404);
  }
  const bad = await s3Error(uploadParts(c, { ...mpu, UploadId: 'nope' }, ['y'], {}, 10001));
  assert.equal(bad.name, 'InvalidArgument');
});

test('ListMultipartUploads pages by key-marker / upload-id-marker and groups by delimiter', async () => {
  const b = await createBucket(t, US, { prefix: 'mpl' });
  const ids: string[] = [];
  for (const key of ['u/a', 'u/a', 'u/b', 'v/c', 'w']) {
    ids.push((await c.send(new CreateMultipartUploadCommand({ Bucket: b, Key: key }))).UploadId!);
  }
  const seen: string[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (let i = 0; i < 10; i++) {
    const page = await c.send(
      new ListMultipartUploadsCommand({
        Bucket: b,
        MaxUploads: 2,
        KeyMarker: keyMarker,
        UploadIdMarker: uploadIdMarker,
      }),
    );
    seen.push(...(page.Uploads ?? []).map((u) => u.UploadId!));
    if (!page.IsTruncated) break;
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
  }
  assert.deepEqual(seen, ids);
  const grouped = await c.send(new ListMultipartUploadsCommand({ Bucket: b, Delimiter: '/' }));
  assert.deepEqual(
    grouped.CommonPrefixes?.map((p) => p.Prefix),
    ['u/', 'v/'],
  );
  assert.deepEqual(
    grouped.Uploads?.map((u) => u.Key),
    ['w'],
  );
});
