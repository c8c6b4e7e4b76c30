// The uploader over real HTTP against the local regions: lineage, checksums, conditional
// writes, multipart with resume, a file changing while it is sent, cancel, retries, deletes.
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parseLineage } from '../../main/core/transfer/lineage.js';
import { S3OperationError } from '../../main/core/transfer/s3-errors.js';
import {
  choosePartSize,
  deleteKey,
  uploadFile,
  type DonePart,
  type MultipartStarted,
  type UploadRequest,
} from '../../main/core/transfer/uploader.js';
import { bucketName, startTestRegions, type TestRegions } from '../helpers/regions.js';
import { tempDir } from '../helpers/temp-dir.js';

const REGION = 'us-east-1';
const DEVICE = 'device-test-0001';
const MiB = 1024 * 1024;

let regions: TestRegions;
let s3: S3Client;
let bucket: string;
let dir: string;
let cleanup: () => void;

before(async () => {
  regions = await startTestRegions();
  s3 = regions.client(REGION);
  bucket = bucketName('up');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(
    new PutBucketVersioningCommand({
      Bucket: bucket,
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );
  ({ dir, cleanup } = tempDir('rs-uploader-'));
});

after(async () => {
  await regions.stop();
  cleanup();
});

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function writeFile(name: string, content: Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}

function request(key: string, filePath: string, extra: Partial<UploadRequest> = {}): UploadRequest {
  return {
    client: s3,
    bucket,
    key,
    filePath,
    device: DEVICE,
    bases: [],
    condition: { kind: 'new' },
    region: REGION,
    ...extra,
  };
}

async function download(key: string, versionId?: string): Promise<Buffer> {
  const out = await s3.send(
    new GetObjectCommand({
      Bucket: bucket,
      Key: key,
      ...(versionId ? { VersionId: versionId } : {}),
    }),
  );
  return Buffer.from(
    await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
  );
}

/** Every stored version's content must hash to the rs-sha256 it claims. */
async function assertNoWrongHash(key: string): Promise<number> {
  const list = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
  const versions = (list.Versions ?? []).filter((v) => v.Key === key);
  for (const v of versions) {
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: v.VersionId }),
    );
    const lineage = parseLineage(head.Metadata);
    assert.ok(lineage, `version ${v.VersionId} has lineage`);
    assert.equal(sha(await download(key, v.VersionId)), lineage.sha256);
  }
  return versions.length;
}

async function openUploads(key: string): Promise<number> {
  const out = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }));
  return (out.Uploads ?? []).filter((u) => u.Key === key).length;
}

test('a small file is one PUT with lineage metadata and a CRC64NVME checksum', async () => {
  const content = randomBytes(200_000);
  const progress: number[] = [];
  const r = await uploadFile(
    request('small/a.bin', writeFile('a.bin', content), { onProgress: (s) => progress.push(s) }),
  );
  assert.equal(r.kind, 'uploaded');
  if (r.kind !== 'uploaded') return;
  assert.equal(r.sha256, sha(content));
  assert.equal(r.size, content.length);
  assert.equal(progress.at(-1), content.length);
  const head = await s3.send(
    new HeadObjectCommand({ Bucket: bucket, Key: 'small/a.bin', ChecksumMode: 'ENABLED' }),
  );
  assert.equal(head.VersionId, r.versionId);
  assert.equal(head.ETag, r.etag);
  assert.deepEqual(parseLineage(head.Metadata), {
    device: DEVICE,
    bases: [],
    sha256: sha(content),
  });
  assert.equal(head.Metadata?.['rs-base'], 'none');
  assert.match(head.ChecksumCRC64NVME ?? '', /^[A-Za-z0-9+/]{11}=$/);
  assert.equal(head.ChecksumType, 'FULL_OBJECT');
  assert.deepEqual(await download('small/a.bin'), content);
});

test('a new key is written with If-None-Match: another device writing it first is a conflict', async () => {
  const file = writeFile('b.bin', randomBytes(1000));
  const first = await uploadFile(request('new/b.bin', file, { device: 'other-device-01' }));
  assert.equal(first.kind, 'uploaded');
  const second = await uploadFile(request('new/b.bin', file));
  assert.equal(second.kind, 'conflict');
  if (second.kind === 'conflict')
    assert.match(second.reason, /new\/b\.bin.*nothing was overwritten/);
  assert.equal(await assertNoWrongHash('new/b.bin'), 1);
});

test('our own earlier write of the same content (a crash before the index write) is adopted, not duplicated', async () => {
  const file = writeFile('b2.bin', randomBytes(1000));
  const first = await uploadFile(request('new/b2.bin', file));
  assert.equal(first.kind, 'uploaded');
  const again = await uploadFile(request('new/b2.bin', file));
  assert.equal(again.kind, 'uploaded');
  if (first.kind === 'uploaded' && again.kind === 'uploaded')
    assert.equal(again.versionId, first.versionId);
  assert.equal(await assertNoWrongHash('new/b2.bin'), 1);
});

test('an edit is written with If-Match of its base; after someone else wrote it is a conflict', async () => {
  const file = writeFile('c.txt', Buffer.from('v1'));
  const v1 = await uploadFile(request('edit/c.txt', file));
  assert.equal(v1.kind, 'uploaded');
  if (v1.kind !== 'uploaded') return;

  fs.writeFileSync(file, 'v2 from this device');
  const v2 = await uploadFile(
    request('edit/c.txt', file, {
      bases: [v1.versionId],
      condition: { kind: 'edit', etag: v1.etag },
    }),
  );
  assert.equal(v2.kind, 'uploaded');
  if (v2.kind !== 'uploaded') return;
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'edit/c.txt' }));
  assert.deepEqual(parseLineage(head.Metadata)?.bases, [v1.versionId]);

  // Someone else writes; our next edit still names v2 as its base.
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'edit/c.txt', Body: 'theirs' }));
  fs.writeFileSync(file, 'v3 from this device');
  const v3 = await uploadFile(
    request('edit/c.txt', file, {
      bases: [v2.versionId],
      condition: { kind: 'edit', etag: v2.etag },
    }),
  );
  assert.equal(v3.kind, 'conflict');
  assert.equal((await download('edit/c.txt')).toString(), 'theirs');
});

test('an edit of a key deleted remotely is a conflict too', async () => {
  const file = writeFile('d.txt', Buffer.from('one'));
  const v1 = await uploadFile(request('edit/d.txt', file));
  assert.equal(v1.kind, 'uploaded');
  if (v1.kind !== 'uploaded') return;
  const del = await deleteKey(s3, bucket, 'edit/d.txt', { base: v1.versionId });
  assert.equal(del.kind, 'deleted');
  fs.writeFileSync(file, 'two');
  const r = await uploadFile(
    request('edit/d.txt', file, {
      bases: [v1.versionId],
      condition: { kind: 'edit', etag: v1.etag },
    }),
  );
  assert.equal(r.kind, 'conflict');
});

test('~40 MiB goes multipart; an upload aborted mid-way resumes and reuses the done parts', async () => {
  const content = randomBytes(40 * MiB + 12345);
  const file = writeFile('big.bin', content);
  const key = 'big/big.bin';
  let started: MultipartStarted | undefined;
  const persisted: DonePart[] = [];
  const stop = new AbortController();
  await assert.rejects(
    uploadFile(
      request(key, file, {
        partConcurrency: 2,
        signal: stop.signal,
        onMultipartStarted: (s) => {
          started = s;
        },
        onPartDone: (p) => {
          persisted.push(p);
          if (persisted.length === 2) stop.abort();
        },
      }),
    ),
    (err) => err instanceof S3OperationError && err.kind === 'cancelled',
  );
  assert.ok(started, 'the upload id was handed over for persisting');
  assert.equal(persisted.length, 2);
  assert.equal(await openUploads(key), 1, 'a cancelled multipart upload stays resumable');

  const sentAgain: number[] = [];
  const progress: number[] = [];
  const r = await uploadFile(
    request(key, file, {
      resume: { ...started, parts: persisted },
      onPartDone: (p) => void sentAgain.push(p.partNumber),
      onMultipartStarted: () => assert.fail('a matching resume must not start a new upload'),
      onProgress: (s) => progress.push(s),
    }),
  );
  assert.equal(r.kind, 'uploaded');
  // 40 MiB + a bit at 8 MiB per part = 6 parts; the two persisted ones are not sent again.
  assert.equal(sentAgain.length, 4);
  for (const p of persisted) assert.equal(sentAgain.includes(p.partNumber), false);
  assert.ok((progress[0] ?? 0) >= 16 * MiB, 'progress starts at the bytes already uploaded');
  assert.equal(progress.at(-1), content.length);

  const head = await s3.send(
    new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }),
  );
  assert.match(head.ETag ?? '', /-6"$/);
  assert.equal(head.ChecksumType, 'FULL_OBJECT');
  assert.ok(head.ChecksumCRC64NVME);
  assert.equal(parseLineage(head.Metadata)?.sha256, sha(content));
  assert.equal(sha(await download(key)), sha(content));
  assert.equal(await openUploads(key), 0);
});

test('a resume for other content starts a new upload and aborts the stale one', async () => {
  const file = writeFile('mp2.bin', randomBytes(17 * MiB));
  const key = 'big/mp2.bin';
  const stop = new AbortController();
  let started: MultipartStarted | undefined;
  await assert.rejects(
    uploadFile(
      request(key, file, {
        signal: stop.signal,
        onMultipartStarted: (s) => {
          started = s;
          stop.abort();
        },
      }),
    ),
  );
  assert.ok(started);
  fs.writeFileSync(file, randomBytes(17 * MiB));
  let restarted = false;
  const r = await uploadFile(
    request(key, file, {
      resume: { ...started, parts: [] },
      onMultipartStarted: () => {
        restarted = true;
      },
    }),
  );
  assert.equal(r.kind, 'uploaded');
  assert.equal(restarted, true);
  assert.equal(await openUploads(key), 0);
  assert.equal(await assertNoWrongHash(key), 1);
});

test('a file changed while its single PUT is sent is reported, never recorded with a wrong hash', async () => {
  const file = writeFile('moving.bin', randomBytes(6 * MiB));
  let touched = false;
  const r = await uploadFile(
    request('moving/one.bin', file, {
      onProgress: (sent) => {
        if (!touched && sent > 0) {
          touched = true;
          const fd = fs.openSync(file, 'r+');
          fs.writeSync(fd, randomBytes(1024), 0, 1024, 5 * MiB);
          fs.closeSync(fd);
        }
      },
    }),
  );
  assert.equal(r.kind, 'changed-during-upload');
  await assertNoWrongHash('moving/one.bin');
});

test('a file changed during a multipart upload aborts it and writes no version', async () => {
  const file = writeFile('moving-mp.bin', randomBytes(24 * MiB));
  let touched = false;
  const r = await uploadFile(
    request('moving/mp.bin', file, {
      partConcurrency: 1,
      onPartDone: () => {
        if (!touched) {
          touched = true;
          fs.appendFileSync(file, 'more');
        }
      },
    }),
  );
  assert.equal(r.kind, 'changed-during-upload');
  assert.equal(await openUploads('moving/mp.bin'), 0);
  assert.equal(await assertNoWrongHash('moving/mp.bin'), 0);
});

test('a file changed after it was fully sent is reported with the version S3 stored', async () => {
  const content = randomBytes(3 * MiB);
  const file = writeFile('late.bin', content);
  let touched = false;
  const r = await uploadFile(
    request('moving/late.bin', file, {
      onProgress: (sent, total) => {
        if (!touched && sent === total) {
          touched = true;
          fs.writeFileSync(file, 'replaced');
        }
      },
    }),
  );
  assert.equal(r.kind, 'changed-during-upload');
  if (r.kind !== 'changed-during-upload') return;
  assert.ok(r.written, 'the version S3 stored is reported for use as the next base');
  assert.equal(r.written.sha256, sha(content));
  assert.equal(await assertNoWrongHash('moving/late.bin'), 1);
});

test('cancel aborts the in-flight request and writes nothing', async (t) => {
  regions.handle.setFaults(REGION, { latencyMs: 3000 });
  t.after(() => regions.handle.setFaults(REGION, { latencyMs: 0 }));
  const stop = new AbortController();
  const started = Date.now();
  setTimeout(() => stop.abort(), 200);
  await assert.rejects(
    uploadFile(
      request('cancel/x.bin', writeFile('x.bin', randomBytes(50_000)), { signal: stop.signal }),
    ),
    (err) =>
      err instanceof S3OperationError &&
      err.kind === 'cancelled' &&
      /cancel\/x\.bin/.test(err.message),
  );
  assert.ok(Date.now() - started < 2500, 'the request was aborted, not awaited');
  regions.handle.setFaults(REGION, { latencyMs: 0 });
  const list = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'cancel/' }));
  assert.equal(list.Versions?.length ?? 0, 0);
});

test('a streamed PUT is retried with a fresh stream after server errors', async (t) => {
  regions.handle.setFaults(REGION, { errorRate: 1, errorCode: 'SlowDown' });
  t.after(() => regions.handle.setFaults(REGION, { errorRate: 0 }));
  setTimeout(() => regions.handle.setFaults(REGION, { errorRate: 0 }), 150);
  const content = randomBytes(300_000);
  const r = await uploadFile(
    request('retry/r.bin', writeFile('r.bin', content), { maxAttempts: 8 }),
  );
  assert.equal(r.kind, 'uploaded');
  assert.deepEqual(await download('retry/r.bin'), content);
});

test('persistent server errors end in a transient, retryable error', async (t) => {
  regions.handle.setFaults(REGION, { errorRate: 1, errorCode: 'InternalError' });
  t.after(() => regions.handle.setFaults(REGION, { errorRate: 0 }));
  await assert.rejects(
    uploadFile(
      request('retry/fail.bin', writeFile('f.bin', randomBytes(1000)), { maxAttempts: 2 }),
    ),
    (err) => err instanceof S3OperationError && err.kind === 'transient' && err.retryable,
  );
});

test('deleteKey writes a delete marker, never a version delete', async () => {
  const file = writeFile('del.txt', Buffer.from('keep me recoverable'));
  const v1 = await uploadFile(request('del/e.txt', file));
  assert.equal(v1.kind, 'uploaded');
  if (v1.kind !== 'uploaded') return;
  const r = await deleteKey(s3, bucket, 'del/e.txt', { base: v1.versionId, etag: v1.etag });
  assert.equal(r.kind, 'deleted');
  if (r.kind !== 'deleted') return;
  const list = await s3.send(
    new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'del/e.txt' }),
  );
  assert.deepEqual(
    list.DeleteMarkers?.map((m) => [m.VersionId, m.IsLatest]),
    [[r.versionId, true]],
  );
  assert.deepEqual(
    list.Versions?.map((v) => v.VersionId),
    [v1.versionId],
  );
  assert.equal((await download('del/e.txt', v1.versionId)).toString(), 'keep me recoverable');
  assert.deepEqual(await deleteKey(s3, bucket, 'del/e.txt', { base: v1.versionId }), {
    kind: 'already-deleted',
  });
});

test('deleteKey refuses when someone wrote a newer version than the deleted copy', async () => {
  const file = writeFile('del2.txt', Buffer.from('mine'));
  const v1 = await uploadFile(request('del/f.txt', file));
  assert.equal(v1.kind, 'uploaded');
  if (v1.kind !== 'uploaded') return;
  const theirs = await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: 'del/f.txt', Body: 'theirs' }),
  );
  const r = await deleteKey(s3, bucket, 'del/f.txt', { base: v1.versionId });
  assert.equal(r.kind, 'conflict');
  if (r.kind === 'conflict') assert.equal(r.currentVersionId, theirs.VersionId);
  assert.equal((await download('del/f.txt')).toString(), 'theirs');
});

test('an unreadable file is a clear local error', async () => {
  await assert.rejects(
    uploadFile(request('missing/x', path.join(dir, 'does-not-exist.bin'))),
    /Cannot read '.*does-not-exist\.bin': it no longer exists/,
  );
});

test('part sizes adapt to the file: at least 8 MiB, whole MiB, at most 10,000 parts', () => {
  assert.equal(choosePartSize(40 * MiB), 8 * MiB);
  for (const size of [80 * 1024 * MiB, 1024 * 1024 * MiB, 5 * 1024 * 1024 * MiB]) {
    const part = choosePartSize(size);
    assert.equal(part % MiB, 0);
    assert.ok(part >= 8 * MiB);
    assert.ok(Math.ceil(size / part) <= 10_000, `${size} in ${Math.ceil(size / part)} parts`);
  }
  assert.equal(choosePartSize(100 * 1024 * MiB), 11 * MiB);
});
