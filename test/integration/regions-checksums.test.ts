// Checksums: CRC32, CRC32C, SHA1, SHA256 and CRC64NVME verified on upload (header and
// aws-chunked trailer), stored, and returned only with x-amz-checksum-mode: ENABLED;
// BadDigest / InvalidDigest; multipart COMPOSITE and FULL_OBJECT checksums.
import { AwsCrc32c } from '@aws-crypto/crc32c';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type ChecksumAlgorithm,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { crc32 } from 'node:zlib';
import {
  createBucket,
  readBytes,
  s3Error,
  signingTarget,
  uploadParts,
  useTestRegions,
} from '../helpers/regions.js';
import { signedRequest } from '../helpers/signed-http.js';

const US = 'us-east-1';
const MiB = 1024 * 1024;
let c: S3Client;
let bucket: string;
const t = useTestRegions(async () => {
  c = t.client(US);
  bucket = await createBucket(t, US, { prefix: 'sum' });
});

/** Reference digests from independent implementations (node:crypto, zlib, AWS SDK packages). */
async function reference(alg: ChecksumAlgorithm, data: Buffer): Promise<Buffer> {
  switch (alg) {
    case 'CRC32': {
      const out = Buffer.alloc(4);
      out.writeUInt32BE(crc32(data) >>> 0);
      return out;
    }
    case 'CRC32C': {
      const h = new AwsCrc32c();
      h.update(data);
      return Buffer.from(await h.digest());
    }
    case 'CRC64NVME': {
      const h = new Crc64Nvme();
      h.update(data);
      return Buffer.from(await h.digest());
    }
    case 'SHA1':
      return createHash('sha1').update(data).digest();
    case 'SHA256':
      return createHash('sha256').update(data).digest();
    default:
      throw new Error(`unknown ${String(alg)}`);
  }
}

const b64 = async (alg: ChecksumAlgorithm, data: Buffer): Promise<string> =>
  (await reference(alg, data)).toString('base64');
const ALGS: ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME'];
const field = (alg: ChecksumAlgorithm): `Checksum${ChecksumAlgorithm}` => `Checksum${alg}`;

test('every algorithm, sent as a header: verified, stored, returned only with checksum mode ENABLED', async () => {
  const data = randomBytes(100_000);
  for (const alg of ALGS) {
    const key = `header/${alg}`;
    const put = await c.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: data, ChecksumAlgorithm: alg }),
    );
    const expected = await b64(alg, data);
    assert.equal(put[field(alg)], expected, `${alg} in the PutObject response`);
    const head = await c.send(
      new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }),
    );
    assert.equal(head[field(alg)], expected, `${alg} on HeadObject`);
    assert.equal(head.ChecksumType, 'FULL_OBJECT');
    const got = await c.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }),
    );
    assert.equal(got[field(alg)], expected);
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(data));
    const plain = await signedRequest({
      ...signingTarget(t, US),
      method: 'GET',
      path: `/${bucket}/${key}`,
    });
    assert.equal(
      plain.headers[`x-amz-checksum-${alg.toLowerCase()}`],
      undefined,
      'no checksum without the mode header',
    );
    const withMode = await signedRequest({
      ...signingTarget(t, US),
      method: 'HEAD',
      path: `/${bucket}/${key}`,
      headers: { 'x-amz-checksum-mode': 'ENABLED' },
    });
    assert.equal(withMode.headers[`x-amz-checksum-${alg.toLowerCase()}`], expected);
  }
});

test('streamed bodies carry the checksum in an aws-chunked trailer (SDK default CRC32, and SHA256)', async () => {
  const data = randomBytes(700_000);
  const chunks = (): Readable => Readable.from([data.subarray(0, 300_000), data.subarray(300_000)]);
  const def = await c.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: 'trailer/default',
      Body: chunks(),
      ContentLength: data.length,
    }),
  );
  assert.equal(def.ChecksumCRC32, await b64('CRC32', data));
  const sha = await c.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: 'trailer/sha256',
      Body: chunks(),
      ContentLength: data.length,
      ChecksumAlgorithm: 'SHA256',
    }),
  );
  assert.equal(sha.ChecksumSHA256, await b64('SHA256', data));
  const head = await c.send(
    new HeadObjectCommand({ Bucket: bucket, Key: 'trailer/sha256', ChecksumMode: 'ENABLED' }),
  );
  assert.equal(head.ChecksumSHA256, sha.ChecksumSHA256);
});

test('a wrong checksum header is BadDigest with S3 wording, and nothing is stored', async () => {
  const putBad = (checksum: Partial<PutObjectCommandInput>): Promise<unknown> =>
    c.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'bad/header', Body: 'payload', ...checksum }),
    );
  const err = await s3Error(putBad({ ChecksumCRC32: 'AAAAAA==' }));
  assert.equal(err.name, 'BadDigest');
  assert.equal(err.status, 400);
  assert.equal(err.message, 'The CRC32 you specified did not match the calculated checksum.');
  const sha = await s3Error(putBad({ ChecksumSHA1: await b64('SHA1', Buffer.from('other')) }));
  assert.equal(sha.message, 'The SHA1 you specified did not match the calculated checksum.');
  const malformed = await s3Error(putBad({ ChecksumCRC32C: 'not base64!' }));
  assert.equal(malformed.name, 'InvalidRequest');
  assert.equal(
    (await s3Error(c.send(new HeadObjectCommand({ Bucket: bucket, Key: 'bad/header' })))).status,
    404,
  );
});

test('a wrong checksum in the aws-chunked trailer is BadDigest', async () => {
  const data = Buffer.from('trailer checked payload');
  const chunked = (trailerValue: string): Buffer =>
    Buffer.concat([
      Buffer.from(`${data.length.toString(16)}\r\n`),
      data,
      Buffer.from(`\r\n0\r\nx-amz-checksum-crc32:${trailerValue}\r\n\r\n`),
    ]);
  const send = (value: string): ReturnType<typeof signedRequest> =>
    signedRequest({
      ...signingTarget(t, US),
      method: 'PUT',
      path: `/${bucket}/bad/trailer`,
      payloadHash: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      headers: {
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': String(data.length),
        'x-amz-trailer': 'x-amz-checksum-crc32',
      },
      body: chunked(value),
    });
  const bad = await send('AAAAAA==');
  assert.equal(bad.status, 400);
  assert.match(bad.text, /<Code>BadDigest<\/Code>/);
  assert.match(bad.text, /The CRC32 you specified did not match the calculated checksum\./);
  const good = await send(await b64('CRC32', data));
  assert.equal(good.status, 200, good.text);
  assert.equal(good.headers['x-amz-checksum-crc32'], await b64('CRC32', data));
  const got = await c.send(new GetObjectCommand({ Bucket: bucket, Key: 'bad/trailer' }));
  assert.equal(await got.Body?.transformToString(), data.toString());
  assert.equal(got.ContentEncoding, undefined, 'aws-chunked is not stored as a content encoding');
});

test('Content-MD5: verified (BadDigest) and checked for form (InvalidDigest)', async () => {
  const body = Buffer.from('md5 checked');
  const md5 = createHash('md5').update(body).digest('base64');
  await c.send(
    new PutObjectCommand({ Bucket: bucket, Key: 'md5/ok', Body: body, ContentMD5: md5 }),
  );
  const wrong = await s3Error(
    c.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'md5/bad',
        Body: body,
        ContentMD5: createHash('md5').update('x').digest('base64'),
      }),
    ),
  );
  assert.equal(wrong.name, 'BadDigest');
  assert.equal(wrong.status, 400);
  const invalid = await s3Error(
    c.send(new PutObjectCommand({ Bucket: bucket, Key: 'md5/bad', Body: body, ContentMD5: 'abc' })),
  );
  assert.equal(invalid.name, 'InvalidDigest');
  assert.equal(invalid.status, 400);
});

test('objects uploaded without a checksum get CRC64NVME, as S3 does', async () => {
  const data = Buffer.from('no checksum sent');
  const put = await signedRequest({
    ...signingTarget(t, US),
    method: 'PUT',
    path: `/${bucket}/default-crc`,
    body: data,
  });
  assert.equal(put.status, 200);
  const head = await c.send(
    new HeadObjectCommand({ Bucket: bucket, Key: 'default-crc', ChecksumMode: 'ENABLED' }),
  );
  assert.equal(head.ChecksumCRC64NVME, await b64('CRC64NVME', data));
});

test('multipart: COMPOSITE CRC32 (value-N) and FULL_OBJECT CRC64NVME; part checksums are verified', async () => {
  const parts = [randomBytes(5 * MiB), randomBytes(12345)];
  // COMPOSITE: the checksum of the concatenated part checksums, with -N.
  const comp = await c.send(
    new CreateMultipartUploadCommand({
      Bucket: bucket,
      Key: 'mp/composite',
      ChecksumAlgorithm: 'CRC32',
    }),
  );
  assert.equal(comp.ChecksumAlgorithm, 'CRC32');
  assert.equal(comp.ChecksumType, 'COMPOSITE');
  const compUploads = await uploadParts(
    c,
    { Bucket: bucket, Key: 'mp/composite', UploadId: comp.UploadId },
    parts,
    { ChecksumAlgorithm: 'CRC32' },
  );
  const done: { PartNumber: number; ETag: string; ChecksumCRC32: string }[] = [];
  for (const [i, r] of compUploads.entries()) {
    assert.equal(r.ChecksumCRC32, await b64('CRC32', parts[i]!));
    done.push({ PartNumber: i + 1, ETag: r.ETag!, ChecksumCRC32: r.ChecksumCRC32! });
  }
  const badPart = await s3Error(
    c.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'mp/composite',
        UploadId: comp.UploadId,
        MultipartUpload: { Parts: [{ ...done[0]!, ChecksumCRC32: 'AAAAAA==' }, done[1]!] },
      }),
    ),
  );
  assert.equal(badPart.name, 'InvalidPart');
  const completed = await c.send(
    new CompleteMultipartUploadCommand({
      Bucket: bucket,
      Key: 'mp/composite',
      UploadId: comp.UploadId,
      MultipartUpload: { Parts: done },
    }),
  );
  const partSums = Buffer.concat(await Promise.all(parts.map((p) => reference('CRC32', p))));
  const composite = `${await b64('CRC32', partSums)}-2`;
  assert.equal(completed.ChecksumCRC32, composite);
  assert.equal(completed.ChecksumType, 'COMPOSITE');
  const head = await c.send(
    new HeadObjectCommand({ Bucket: bucket, Key: 'mp/composite', ChecksumMode: 'ENABLED' }),
  );
  assert.equal(head.ChecksumCRC32, composite);
  assert.equal(head.ChecksumType, 'COMPOSITE');
  const part1 = await c.send(
    new GetObjectCommand({
      Bucket: bucket,
      Key: 'mp/composite',
      PartNumber: 1,
      ChecksumMode: 'ENABLED',
    }),
  );
  assert.equal(
    part1.ChecksumCRC32,
    done[0]!.ChecksumCRC32,
    'a part read carries that part checksum',
  );
  await part1.Body?.transformToByteArray();
  assert.ok((await readBytes(c, bucket, 'mp/composite')).equals(Buffer.concat(parts)));

  // FULL_OBJECT: the checksum of all the bytes.
  const full = await c.send(
    new CreateMultipartUploadCommand({
      Bucket: bucket,
      Key: 'mp/full',
      ChecksumAlgorithm: 'CRC64NVME',
      ChecksumType: 'FULL_OBJECT',
    }),
  );
  const fullParts = (
    await uploadParts(c, { Bucket: bucket, Key: 'mp/full', UploadId: full.UploadId }, parts, {
      ChecksumAlgorithm: 'CRC64NVME',
    })
  ).map((r, i) => ({ PartNumber: i + 1, ETag: r.ETag! }));
  const fullDone = await c.send(
    new CompleteMultipartUploadCommand({
      Bucket: bucket,
      Key: 'mp/full',
      UploadId: full.UploadId,
      MultipartUpload: { Parts: fullParts },
    }),
  );
  assert.equal(fullDone.ChecksumCRC64NVME, await b64('CRC64NVME', Buffer.concat(parts)));
  assert.equal(fullDone.ChecksumType, 'FULL_OBJECT');
  const fullGet = await c.send(
    new GetObjectCommand({ Bucket: bucket, Key: 'mp/full', ChecksumMode: 'ENABLED' }),
  );
  assert.equal(fullGet.ChecksumCRC64NVME, fullDone.ChecksumCRC64NVME);
  await fullGet.Body?.transformToByteArray(); // the SDK validates the full-object checksum while reading

  // A part whose body does not match its checksum is refused; a part in another algorithm too.
  const other = await c.send(
    new CreateMultipartUploadCommand({
      Bucket: bucket,
      Key: 'mp/other',
      ChecksumAlgorithm: 'SHA256',
    }),
  );
  const otherPart = (extra: Parameters<typeof uploadParts>[3]): Promise<unknown> =>
    uploadParts(c, { Bucket: bucket, Key: 'mp/other', UploadId: other.UploadId }, ['x'], extra);
  const mismatch = await s3Error(otherPart({ ChecksumAlgorithm: 'CRC32' }));
  assert.equal(mismatch.name, 'InvalidRequest');
  const digest = await s3Error(
    otherPart({ ChecksumSHA256: await b64('SHA256', Buffer.from('y')) }),
  );
  assert.equal(digest.name, 'BadDigest');
  assert.equal(digest.message, 'The SHA256 you specified did not match the calculated checksum.');
  const wrongType = await s3Error(
    c.send(
      new CreateMultipartUploadCommand({
        Bucket: bucket,
        Key: 'mp/x',
        ChecksumAlgorithm: 'SHA1',
        ChecksumType: 'FULL_OBJECT',
      }),
    ),
  );
  assert.equal(wrongType.name, 'InvalidRequest');
});
