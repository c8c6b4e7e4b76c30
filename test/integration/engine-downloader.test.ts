// The downloader over real HTTP against the local regions: atomic replace, verification,
// keys that would escape the folder, delete markers into the trash.
import {
  CreateBucketCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  applyDeleteMarker,
  ChecksumMismatchError,
  downloadVersion,
  localPathForKey,
  UnsafeKeyError,
  type DownloadRequest,
} from '../../main/core/transfer/downloader.js';
import { deleteKey, uploadFile } from '../../main/core/transfer/uploader.js';
import { bucketName, startTestRegions, type TestRegions } from '../helpers/regions.js';
import { tempDir } from '../helpers/temp-dir.js';

const REGION = 'us-east-1';
const DEVICE = 'device-test-0002';

let regions: TestRegions;
let s3: S3Client;
let bucket: string;
let work: string;
let cleanup: () => void;

before(async () => {
  regions = await startTestRegions();
  s3 = regions.client(REGION);
  bucket = bucketName('down');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(
    new PutBucketVersioningCommand({
      Bucket: bucket,
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );
  ({ dir: work, cleanup } = tempDir('rs-downloader-'));
});

after(async () => {
  await regions.stop();
  cleanup();
});

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

function freshFolder(name: string): string {
  const d = path.join(work, name);
  fs.mkdirSync(d, { recursive: true });
  return d;
}

/** Every file under dir, relative, POSIX separators. */
function listAll(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

async function putWithUploader(
  key: string,
  content: Buffer,
): Promise<{ versionId: string; etag: string }> {
  const src = path.join(work, `src-${randomBytes(4).toString('hex')}`);
  fs.writeFileSync(src, content);
  const r = await uploadFile({
    client: s3,
    bucket,
    key,
    filePath: src,
    device: DEVICE,
    bases: [],
    condition: { kind: 'new' },
  });
  assert.equal(r.kind, 'uploaded');
  if (r.kind !== 'uploaded') throw new Error('unreachable');
  return r;
}

function req(
  folder: string,
  key: string,
  versionId: string,
  extra: Partial<DownloadRequest> = {},
): DownloadRequest {
  return { client: s3, bucket, key, versionId, folder, prefix: 'f/', region: REGION, ...extra };
}

test('a version is written atomically: temp file beside the target, verified, then renamed', async () => {
  const folder = freshFolder('atomic');
  const content = randomBytes(3 * 1024 * 1024);
  const v = await putWithUploader('f/docs/sub/a.bin', content);
  const target = path.join(folder, 'docs', 'sub', 'a.bin');
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, 'old local content');

  const seenMidway: string[] = [];
  const r = await downloadVersion(
    req(folder, 'f/docs/sub/a.bin', v.versionId, {
      onProgress: () => {
        if (seenMidway.length > 0) return;
        seenMidway.push(fs.readFileSync(target, 'utf8'));
        seenMidway.push(...fs.readdirSync(path.dirname(target)));
      },
    }),
  );
  assert.equal(r.kind, 'downloaded');
  if (r.kind !== 'downloaded') return;
  // While bytes were arriving the target still held the old content, the temp file beside it.
  assert.equal(seenMidway[0], 'old local content');
  assert.ok(
    seenMidway.some((n) => /^\.rs-tmp-[0-9a-f]+$/.test(n)),
    seenMidway.join(','),
  );

  assert.deepEqual(fs.readFileSync(target), content);
  assert.equal(r.path, target);
  assert.equal(r.relPath, 'docs/sub/a.bin');
  assert.equal(r.sha256, sha(content));
  assert.equal(r.verifiedBy, 'rs-sha256');
  assert.equal(r.lineage?.device, DEVICE);
  assert.equal(
    Math.floor(fs.statSync(target).mtimeMs / 1000),
    Math.floor(r.lastModified.getTime() / 1000),
  );
  assert.deepEqual(listAll(folder), ['docs/sub/a.bin']);
});

test('a version without lineage is verified by its S3 checksum', async () => {
  const folder = freshFolder('foreign');
  const put = await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: 'f/other-tool.txt', Body: 'hello' }),
  );
  const r = await downloadVersion(req(folder, 'f/other-tool.txt', put.VersionId ?? ''));
  assert.equal(r.kind, 'downloaded');
  if (r.kind !== 'downloaded') return;
  assert.match(r.verifiedBy, /^checksum-(CRC32|CRC32C|CRC64NVME|SHA1|SHA256)$/);
  assert.equal(r.lineage, undefined);
  assert.equal(fs.readFileSync(path.join(folder, 'other-tool.txt'), 'utf8'), 'hello');
});

test('content that does not match its rs-sha256 is refused and nothing is replaced', async () => {
  const folder = freshFolder('mismatch');
  const put = await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: 'f/lying.txt',
      Body: 'actual content',
      Metadata: {
        'rs-device': 'someone-else-1',
        'rs-base': 'none',
        'rs-sha256': sha('claimed content'),
      },
    }),
  );
  fs.writeFileSync(path.join(folder, 'lying.txt'), 'local');
  await assert.rejects(
    downloadVersion(req(folder, 'f/lying.txt', put.VersionId ?? '')),
    (err) =>
      err instanceof ChecksumMismatchError &&
      /lying\.txt.*rs-sha256 does not match.*left unchanged/.test(err.message),
  );
  assert.equal(fs.readFileSync(path.join(folder, 'lying.txt'), 'utf8'), 'local');
  assert.deepEqual(listAll(folder), ['lying.txt'], 'the temp file was removed');
});

test('keys that would land outside the folder are refused with the key named', async () => {
  const folder = freshFolder('escape');
  const bad: [string, RegExp][] = [
    ['f/../evil.txt', /'\.\.' segment/],
    ['f/a/../../evil.txt', /'\.\.' segment/],
    ['f//etc/passwd', /empty path segment|absolute path/],
    ['f/C:/Windows/evil.txt', /drive letter/],
    ['f/C:evil.txt', /drive letter/],
    ['f/a\\..\\evil.txt', /backslash/],
    ['f/a\0b', /NUL/],
    ['f/a//b', /empty path segment/],
    ['f/dir/', /empty path segment/],
    ['f/./x', /'\.' segment/],
    ['f/', /folder itself/],
    ['g/other-prefix.txt', /outside the prefix 'f\/'/],
    ['f/.replica-sync-trash/x', /trash/],
    ['f/.rs-tmp-1234', /reserved/],
  ];
  for (const [key, why] of bad) {
    assert.throws(
      () => localPathForKey(folder, key, 'f/'),
      (err) => err instanceof UnsafeKeyError && err.key === key && why.test(err.message),
      key,
    );
  }
  assert.equal(localPathForKey(folder, 'f/a/b c/ü.txt', 'f/').relPath, 'a/b c/ü.txt');

  // Over HTTP: a real object whose key climbs out is never written anywhere.
  const put = await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: 'f/../evil.txt', Body: 'x' }),
  );
  await assert.rejects(
    downloadVersion(req(folder, 'f/../evil.txt', put.VersionId ?? '')),
    (err) =>
      err instanceof UnsafeKeyError && /Key 'f\/\.\.\/evil\.txt' cannot be saved/.test(err.message),
  );
  assert.equal(fs.existsSync(path.join(work, 'evil.txt')), false);
  assert.deepEqual(listAll(folder), []);
});

test('a folder link that leads outside the folder is refused', async () => {
  const folder = freshFolder('links');
  const outside = freshFolder('outside');
  fs.symlinkSync(outside, path.join(folder, 'link'));
  const v = await putWithUploader('f/link/x.txt', Buffer.from('x'));
  await assert.rejects(
    downloadVersion(req(folder, 'f/link/x.txt', v.versionId)),
    (err) => err instanceof UnsafeKeyError && /link that leads outside/.test(err.message),
  );
  assert.deepEqual(fs.readdirSync(outside), []);
});

test('a delete marker moves the local file into the dated trash, never erases it', async () => {
  const folder = freshFolder('trash');
  const now = new Date(2026, 2, 5, 10, 0, 0);
  for (const round of [1, 2]) {
    const content = Buffer.from(`round ${round}`);
    // Round 2 writes with If-None-Match again: a delete marker makes the key new.
    const v = await putWithUploader('f/notes/n.txt', content);
    const down = await downloadVersion(req(folder, 'f/notes/n.txt', v.versionId));
    assert.equal(down.kind, 'downloaded');
    const del = await deleteKey(s3, bucket, 'f/notes/n.txt', { base: v.versionId });
    assert.equal(del.kind, 'deleted');
    if (del.kind !== 'deleted') return;
    const r = await downloadVersion(req(folder, 'f/notes/n.txt', del.versionId, { now }));
    assert.equal(r.kind, 'trashed');
  }
  assert.deepEqual(listAll(folder), [
    '.replica-sync-trash/2026-03-05/notes/n (2).txt',
    '.replica-sync-trash/2026-03-05/notes/n.txt',
  ]);
  assert.equal(
    fs.readFileSync(path.join(folder, '.replica-sync-trash/2026-03-05/notes/n.txt'), 'utf8'),
    'round 1',
  );
  // A marker for a file that is not here leaves nothing behind.
  const again = await downloadVersion(
    req(folder, 'f/notes/n.txt', (await deleteKeyMarker('f/notes/n.txt')) ?? ''),
  );
  assert.equal(again.kind, 'absent');
});

async function deleteKeyMarker(key: string): Promise<string | undefined> {
  const v = await putWithUploader(key, Buffer.from('again'));
  const del = await deleteKey(s3, bucket, key, { base: v.versionId });
  return del.kind === 'deleted' ? del.versionId : undefined;
}

test('a local edit made after the download was decided is not overwritten', async () => {
  const folder = freshFolder('race');
  const v = await putWithUploader('f/r.txt', Buffer.from('remote'));
  const local = path.join(folder, 'r.txt');
  fs.writeFileSync(local, 'local v1');
  const st = fs.statSync(local);
  fs.writeFileSync(local, 'local v2, edited meanwhile');
  const r = await downloadVersion(
    req(folder, 'f/r.txt', v.versionId, { expectLocal: { size: st.size, mtimeMs: st.mtimeMs } }),
  );
  assert.equal(r.kind, 'local-changed');
  assert.equal(fs.readFileSync(local, 'utf8'), 'local v2, edited meanwhile');
  assert.deepEqual(listAll(folder), ['r.txt']);
  const fresh = await downloadVersion(
    req(folder, 'f/r.txt', v.versionId, { expectLocal: 'absent' }),
  );
  assert.equal(fresh.kind, 'local-changed');
});

test('nothing is created through a link: deep keys under a linked folder make no folders outside', async () => {
  const folder = freshFolder('links-deep');
  const outside = freshFolder('outside-deep');
  fs.symlinkSync(path.relative(folder, outside), path.join(folder, 'link'));
  const v = await putWithUploader('f/link/sub/deep/evil2.txt', Buffer.from('x'));
  await assert.rejects(
    downloadVersion(req(folder, 'f/link/sub/deep/evil2.txt', v.versionId)),
    (err) =>
      err instanceof UnsafeKeyError && /its folder 'link' is a symbolic link/.test(err.message),
  );
  assert.deepEqual(fs.readdirSync(outside), []);
});

test('a link in the folder is never replaced, by a download or a delete marker', async () => {
  const folder = freshFolder('links-target');
  fs.symlinkSync('nowhere', path.join(folder, 'dangling'));
  const v = await putWithUploader('f/dangling', Buffer.from('would replace it'));
  await assert.rejects(
    downloadVersion(req(folder, 'f/dangling', v.versionId)),
    (err) => err instanceof UnsafeKeyError && /'dangling' is a symbolic link/.test(err.message),
  );
  assert.equal(fs.readlinkSync(path.join(folder, 'dangling')), 'nowhere');
  await assert.rejects(
    applyDeleteMarker(folder, 'f/dangling', { prefix: 'f/' }),
    (err) => err instanceof UnsafeKeyError,
  );
  assert.equal(fs.lstatSync(path.join(folder, 'dangling')).isSymbolicLink(), true);
  assert.equal(fs.existsSync(path.join(folder, '.replica-sync-trash')), false);
});

test('a name longer than file systems take is refused before anything is downloaded', async () => {
  const folder = freshFolder('long-name');
  const key = `f/${'n'.repeat(300)}`;
  const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' }));
  await assert.rejects(
    downloadVersion(req(folder, key, put.VersionId ?? '')),
    (err) => err instanceof UnsafeKeyError && /300 bytes long.*at most 255/.test(err.message),
  );
  assert.deepEqual(fs.readdirSync(folder), []);
});
