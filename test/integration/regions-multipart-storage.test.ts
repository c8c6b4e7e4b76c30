// Objects made by CompleteMultipartUpload keep their parts on disk (no copy at completion):
// reads across part boundaries, copies from them, their FULL_OBJECT checksums combined from the
// part checksums, their replication, and the clean-up of part blobs.
import { AwsCrc32c } from '@aws-crypto/crc32c';
import {
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  UploadPartCopyCommand,
  type ChecksumAlgorithm,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { crc32 } from 'node:zlib';
import {
  completeUpload,
  createBucket,
  putReplication,
  readBytes,
  replicationRule,
  s3Error,
  uploadParts,
  useTestRegions,
  waitForReplicationStatus,
} from '../helpers/regions.js';

const US = 'us-east-1';
const EU = 'eu-west-1';
const MiB = 1024 * 1024;
let c: S3Client;
let bucket: string;
const t = useTestRegions(async () => {
  c = t.client(US);
  bucket = await createBucket(t, US, { versioning: 'Enabled', prefix: 'mps' });
});

async function blobCount(): Promise<number> {
  let n = 0;
  const root = path.join(t.dataDir, 'blobs');
  for (const shard of await fs.readdir(root))
    n += (await fs.readdir(path.join(root, shard))).length;
  return n;
}

/** Uploads the parts (the SDK adds its default CRC32 per part) and completes. */
async function multipart(
  key: string,
  parts: Buffer[],
  create: {
    ChecksumAlgorithm?: ChecksumAlgorithm;
    ChecksumType?: 'FULL_OBJECT' | 'COMPOSITE';
  } = {},
  extraParts: Buffer[] = [],
) {
  const up = await c.send(
    new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...create }),
  );
  const mpu = { Bucket: bucket, Key: key, UploadId: up.UploadId };
  const done = (
    await uploadParts(c, mpu, parts, { ChecksumAlgorithm: create.ChecksumAlgorithm })
  ).map((r, i) => ({ PartNumber: i + 1, ETag: r.ETag! }));
  await uploadParts(c, mpu, extraParts, {}, 100);
  return completeUpload(c, mpu, done);
}

const bytes = (key: string, extra: { Range?: string; VersionId?: string } = {}): Promise<Buffer> =>
  readBytes(c, bucket, key, extra);

test('range reads across part boundaries, CopyObject and UploadPartCopy from a multipart object', async () => {
  const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(4321)];
  const all = Buffer.concat(parts);
  await multipart('layout/src', parts);
  assert.ok((await bytes('layout/src')).equals(all));
  const from = 5 * MiB - 100;
  const to = 10 * MiB + 99;
  assert.ok(
    (await bytes('layout/src', { Range: `bytes=${from}-${to}` })).equals(
      all.subarray(from, to + 1),
    ),
  );
  assert.ok(
    (await bytes('layout/src', { Range: 'bytes=-10' })).equals(all.subarray(all.length - 10)),
  );
  await c.send(
    new CopyObjectCommand({
      Bucket: bucket,
      Key: 'layout/copy',
      CopySource: `${bucket}/layout/src`,
    }),
  );
  assert.ok((await bytes('layout/copy')).equals(all));
  const up = await c.send(
    new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'layout/partcopy' }),
  );
  const p1 = await c.send(
    new UploadPartCopyCommand({
      Bucket: bucket,
      Key: 'layout/partcopy',
      UploadId: up.UploadId,
      PartNumber: 1,
      CopySource: `${bucket}/layout/src`,
      CopySourceRange: `bytes=${MiB}-${MiB * 6 + 9}`,
    }),
  );
  await completeUpload(c, { Bucket: bucket, Key: 'layout/partcopy', UploadId: up.UploadId }, [
    { PartNumber: 1, ETag: p1.CopyPartResult!.ETag },
  ]);
  assert.ok((await bytes('layout/partcopy')).equals(all.subarray(MiB, MiB * 6 + 10)));
});

test('FULL_OBJECT checksums are combined from the parts: default CRC64NVME, declared CRC32 and CRC32C', async () => {
  const parts = [randomBytes(5 * MiB + 7), randomBytes(777)];
  const all = Buffer.concat(parts);
  const crc64 = new Crc64Nvme();
  crc64.update(all);
  const undeclared = await multipart('sum/default', parts);
  assert.equal(undeclared.ChecksumCRC64NVME, Buffer.from(await crc64.digest()).toString('base64'));
  assert.equal(undeclared.ChecksumType, 'FULL_OBJECT');
  const head = await c.send(
    new HeadObjectCommand({ Bucket: bucket, Key: 'sum/default', ChecksumMode: 'ENABLED' }),
  );
  assert.equal(head.ChecksumCRC64NVME, undeclared.ChecksumCRC64NVME);
  const want32 = Buffer.alloc(4);
  want32.writeUInt32BE(crc32(all) >>> 0);
  const full32 = await multipart('sum/crc32', parts, {
    ChecksumAlgorithm: 'CRC32',
    ChecksumType: 'FULL_OBJECT',
  });
  assert.equal(full32.ChecksumCRC32, want32.toString('base64'));
  const c32c = new AwsCrc32c();
  c32c.update(all);
  const full32c = await multipart('sum/crc32c', parts, {
    ChecksumAlgorithm: 'CRC32C',
    ChecksumType: 'FULL_OBJECT',
  });
  assert.equal(full32c.ChecksumCRC32C, Buffer.from(await c32c.digest()).toString('base64'));
  // The whole-object checksum, size and checksum type a client may assert on Complete.
  const claimed = await c.send(
    new CreateMultipartUploadCommand({
      Bucket: bucket,
      Key: 'sum/claims',
      ChecksumAlgorithm: 'CRC64NVME',
      ChecksumType: 'FULL_OBJECT',
    }),
  );
  const claimedUpload = { Bucket: bucket, Key: 'sum/claims', UploadId: claimed.UploadId };
  const claimedParts = (
    await uploadParts(c, claimedUpload, parts, { ChecksumAlgorithm: 'CRC64NVME' })
  ).map((r, i) => ({ PartNumber: i + 1, ETag: r.ETag!, ChecksumCRC64NVME: r.ChecksumCRC64NVME! }));
  const complete = (extra: Parameters<typeof completeUpload>[3]): Promise<unknown> =>
    completeUpload(c, claimedUpload, claimedParts, extra);
  assert.equal((await s3Error(complete({ ChecksumCRC64NVME: 'AAAAAAAAAAA=' }))).name, 'BadDigest');
  assert.equal((await s3Error(complete({ MpuObjectSize: all.length + 1 }))).name, 'InvalidRequest');
  assert.equal((await s3Error(complete({ ChecksumType: 'COMPOSITE' }))).name, 'InvalidRequest');
  await complete({
    ChecksumCRC64NVME: undeclared.ChecksumCRC64NVME,
    ChecksumType: 'FULL_OBJECT',
    MpuObjectSize: all.length,
  });
  // The SDK validates the full-object checksum of a whole-object GET.
  assert.ok((await bytes('sum/crc32')).equals(all));
});

test('part blobs: unlisted parts are discarded at completion, a permanent delete frees the rest', async () => {
  const before = await blobCount();
  const done = await multipart('blobs/obj', [randomBytes(5 * MiB), randomBytes(10)], {}, [
    randomBytes(10),
  ]);
  assert.equal(
    await blobCount(),
    before + 2,
    'the two listed parts stay, the unlisted one is gone',
  );
  await c.send(
    new DeleteObjectCommand({ Bucket: bucket, Key: 'blobs/obj', VersionId: done.VersionId }),
  );
  assert.equal(await blobCount(), before);
});

test('a multipart object replicates whole, and the replica outlives the source version', async () => {
  const dst = await createBucket(t, EU, { versioning: 'Enabled', prefix: 'mps-eu' });
  await putReplication(
    t,
    US,
    bucket,
    [replicationRule(dst, { ID: 'mp', Filter: { Prefix: 'rep/' } })],
    'arn:aws:iam::123456789012:role/r',
  );
  const parts = [randomBytes(5 * MiB), randomBytes(12345)];
  const done = await multipart('rep/big', parts, { ChecksumAlgorithm: 'SHA256' });
  await waitForReplicationStatus(c, bucket, 'rep/big', 'COMPLETED', {
    timeoutMs: 10000,
    what: 'replication of the multipart object',
  });
  await c.send(
    new DeleteObjectCommand({ Bucket: bucket, Key: 'rep/big', VersionId: done.VersionId }),
  );
  const replica = await t
    .client(EU)
    .send(new GetObjectCommand({ Bucket: dst, Key: 'rep/big', ChecksumMode: 'ENABLED' }));
  assert.equal(replica.VersionId, done.VersionId);
  assert.equal(replica.ETag, done.ETag);
  assert.equal(replica.ChecksumSHA256, done.ChecksumSHA256);
  assert.ok(Buffer.from(await replica.Body!.transformToByteArray()).equals(Buffer.concat(parts)));
  assert.ok((await readBytes(t.client(EU), dst, 'rep/big', { PartNumber: 2 })).equals(parts[1]!));
});
