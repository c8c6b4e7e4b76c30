// A replica's checksum comes from the replica's own stored bytes: corrupting the blob of a
// replica on disk changes the checksum its HEAD reports (so it no longer equals the source's),
// while untouched replicas keep matching, for single-part and multipart (COMPOSITE) objects.
import {
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type HeadObjectCommandOutput,
} from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import {
  completeUpload,
  putReplication,
  replicationBucket,
  replicationRule,
  uploadParts,
  useTestRegions,
  waitForReplicationStatus,
} from '../helpers/regions.js';

const US = 'us-east-1';
const EU = 'eu-west-1';
const t = useTestRegions();

type Sums = Pick<
  HeadObjectCommandOutput,
  | 'ChecksumCRC32'
  | 'ChecksumCRC32C'
  | 'ChecksumSHA1'
  | 'ChecksumSHA256'
  | 'ChecksumCRC64NVME'
  | 'ChecksumType'
>;

async function sums(region: string, bucket: string, key: string, part?: number): Promise<Sums> {
  const h = await t.client(region).send(
    new HeadObjectCommand({
      Bucket: bucket,
      Key: key,
      ChecksumMode: 'ENABLED',
      PartNumber: part,
    }),
  );
  const out: Sums = {
    ChecksumCRC32: h.ChecksumCRC32,
    ChecksumCRC32C: h.ChecksumCRC32C,
    ChecksumSHA1: h.ChecksumSHA1,
    ChecksumSHA256: h.ChecksumSHA256,
    ChecksumCRC64NVME: h.ChecksumCRC64NVME,
    ChecksumType: h.ChecksumType,
  };
  return out;
}

/** The file holding the bytes of `bucket/key` (current version), found from the regions' data. */
function blobFile(bucket: string, key: string): string {
  const db = new Database(path.join(t.dataDir, 'meta.sqlite'), { readonly: true });
  try {
    const blob = db
      .prepare('SELECT blob FROM versions WHERE bucket = ? AND key = ? AND is_latest = 1')
      .pluck()
      .get(bucket, key) as string | null;
    assert.ok(blob, `no blob for ${bucket}/${key}`);
    return path.join(t.dataDir, 'blobs', blob.slice(0, 2), blob);
  } finally {
    db.close();
  }
}

/** Flips one byte of the file in place (same length). */
async function corrupt(file: string, at: number): Promise<void> {
  const bytes = await fs.readFile(file);
  bytes[at] = (bytes[at] ?? 0) ^ 0xff;
  await fs.writeFile(file, bytes);
}

test('a corrupted replica blob shows a different checksum on HEAD; untouched replicas match the source', async () => {
  const src = await replicationBucket(t, US);
  const dst = await replicationBucket(t, EU);
  await putReplication(t, US, src, [replicationRule(dst)]);
  const us = t.client(US);
  await us.send(
    new PutObjectCommand({
      Bucket: src,
      Key: 'crc32',
      Body: 'one body',
      ChecksumAlgorithm: 'CRC32',
    }),
  );
  await us.send(new PutObjectCommand({ Bucket: src, Key: 'default', Body: 'default body' }));
  await us.send(
    new PutObjectCommand({
      Bucket: src,
      Key: 'sha256',
      Body: 'sha body',
      ChecksumAlgorithm: 'SHA256',
    }),
  );
  const upload = await us.send(
    new CreateMultipartUploadCommand({
      Bucket: src,
      Key: 'multi',
      ChecksumAlgorithm: 'SHA256',
      ChecksumType: 'COMPOSITE',
    }),
  );
  const mp = { Bucket: src, Key: 'multi', UploadId: upload.UploadId };
  const parts = await uploadParts(us, mp, [Buffer.alloc(5 * 1024 * 1024, 1), 'tail'], {
    ChecksumAlgorithm: 'SHA256',
  });
  await completeUpload(
    us,
    mp,
    parts.map((p, i) => ({ PartNumber: i + 1, ETag: p.ETag, ChecksumSHA256: p.ChecksumSHA256 })),
  );
  const keys = ['crc32', 'default', 'sha256', 'multi'];
  for (const key of keys) await waitForReplicationStatus(us, src, key, 'COMPLETED');

  const before = new Map<string, Sums>();
  for (const key of keys) {
    const source = await sums(US, src, key);
    assert.deepEqual(await sums(EU, dst, key), source, `${key}: replica checksum = source's`);
    before.set(key, source);
  }
  assert.ok(before.get('crc32')?.ChecksumCRC32);
  assert.equal(before.get('default')?.ChecksumType, 'FULL_OBJECT');
  assert.match(before.get('multi')?.ChecksumSHA256 ?? '', /-2$/);

  await corrupt(blobFile(dst, 'crc32'), 0);
  await corrupt(blobFile(dst, 'multi'), 5 * 1024 * 1024 + 1); // in the second part

  const crc = await sums(EU, dst, 'crc32');
  assert.ok(crc.ChecksumCRC32, 'the corrupted replica still reports a CRC32');
  assert.notEqual(crc.ChecksumCRC32, before.get('crc32')?.ChecksumCRC32);
  const multi = await sums(EU, dst, 'multi');
  assert.match(multi.ChecksumSHA256 ?? '', /-2$/);
  assert.notEqual(multi.ChecksumSHA256, before.get('multi')?.ChecksumSHA256);
  // The part checksums follow the bytes too: part 1 is intact, part 2 is not.
  assert.equal(
    (await sums(EU, dst, 'multi', 1)).ChecksumSHA256,
    (await sums(US, src, 'multi', 1)).ChecksumSHA256,
  );
  assert.notEqual(
    (await sums(EU, dst, 'multi', 2)).ChecksumSHA256,
    (await sums(US, src, 'multi', 2)).ChecksumSHA256,
  );
  // The sources are untouched, and so are the other replicas.
  for (const key of keys) assert.deepEqual(await sums(US, src, key), before.get(key));
  assert.deepEqual(await sums(EU, dst, 'default'), before.get('default'));
  assert.deepEqual(await sums(EU, dst, 'sha256'), before.get('sha256'));

  // After a restart (nothing remembered) the damaged replica still shows its own checksum.
  await t.restart();
  assert.equal((await sums(EU, dst, 'crc32')).ChecksumCRC32, crc.ChecksumCRC32);
  assert.deepEqual(await sums(EU, dst, 'sha256'), before.get('sha256'));

  // Restoring the byte brings the checksum back.
  await corrupt(blobFile(dst, 'crc32'), 0);
  assert.deepEqual(await sums(EU, dst, 'crc32'), before.get('crc32'));
});
