// Versioning exactly as S3: version ids, delete markers, NoSuchKey vs MethodNotAllowed,
// permanent deletes, the `null` version of unversioned and suspended buckets, restoring an
// older version by copying it, and ListObjectVersions paging.
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type ListObjectVersionsCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createBucket,
  readText,
  s3Error,
  setVersioning,
  signingTarget,
  useTestRegions,
  type VersioningSetting,
} from '../helpers/regions.js';
import { signedRequest } from '../helpers/signed-http.js';

const US = 'us-east-1';
let c: S3Client;
const t = useTestRegions(async () => {
  c = t.client(US);
});

const versionedBucket = (versioning: VersioningSetting = 'Enabled'): Promise<string> =>
  createBucket(t, US, { versioning, prefix: 'ver' });

const text = (b: string, key: string, versionId?: string): Promise<string> =>
  readText(c, b, key, { VersionId: versionId });

test('Enabled: every write gets a new time-ordered version id; old versions stay readable', async () => {
  const b = await versionedBucket();
  const v1 = await c.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'one' }));
  const v2 = await c.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'two' }));
  assert.ok(v1.VersionId && v2.VersionId && v1.VersionId !== v2.VersionId);
  assert.ok(v2.VersionId > v1.VersionId, 'version ids sort by creation time');
  assert.equal(await text(b, 'k'), 'two');
  assert.equal(await text(b, 'k', v1.VersionId), 'one');
  const head = await c.send(
    new HeadObjectCommand({ Bucket: b, Key: 'k', VersionId: v1.VersionId }),
  );
  assert.equal(head.VersionId, v1.VersionId);
  const got = await c.send(new GetObjectCommand({ Bucket: b, Key: 'k' }));
  assert.equal(got.VersionId, v2.VersionId);
  const list = await c.send(new ListObjectVersionsCommand({ Bucket: b }));
  assert.deepEqual(
    list.Versions?.map((v) => [v.VersionId, v.IsLatest]),
    [
      [v2.VersionId, true],
      [v1.VersionId, false],
    ],
  );
  const noVersion = await s3Error(
    c.send(new GetObjectCommand({ Bucket: b, Key: 'k', VersionId: 'f'.repeat(32) })),
  );
  assert.equal(noVersion.name, 'NoSuchVersion');
  assert.equal(noVersion.status, 404);
  const badVersion = await s3Error(
    c.send(new GetObjectCommand({ Bucket: b, Key: 'k', VersionId: 'not a version' })),
  );
  assert.equal(badVersion.name, 'InvalidArgument');
  assert.equal(badVersion.status, 400);
});

test('delete markers: NoSuchKey for the key, MethodNotAllowed by version id, both flagged x-amz-delete-marker', async () => {
  const b = await versionedBucket();
  const v1 = await c.send(new PutObjectCommand({ Bucket: b, Key: 'd', Body: 'alive' }));
  const del = await c.send(new DeleteObjectCommand({ Bucket: b, Key: 'd' }));
  assert.equal(del.DeleteMarker, true);
  assert.ok(del.VersionId && del.VersionId !== v1.VersionId);
  const base = { ...signingTarget(t, US) };
  const current = await signedRequest({ ...base, method: 'GET', path: `/${b}/d` });
  assert.equal(current.status, 404);
  assert.match(current.text, /<Code>NoSuchKey<\/Code>/);
  assert.equal(current.headers['x-amz-delete-marker'], 'true');
  assert.equal(current.headers['x-amz-version-id'], del.VersionId);
  const byId = await signedRequest({
    ...base,
    method: 'GET',
    path: `/${b}/d`,
    query: { versionId: del.VersionId! },
  });
  assert.equal(byId.status, 405);
  assert.match(byId.text, /<Code>MethodNotAllowed<\/Code>/);
  assert.equal(byId.headers['x-amz-delete-marker'], 'true');
  const headById = await s3Error(
    c.send(new HeadObjectCommand({ Bucket: b, Key: 'd', VersionId: del.VersionId })),
  );
  assert.equal(headById.status, 405);
  assert.equal(await text(b, 'd', v1.VersionId), 'alive', 'the old version is still there');
  const list = await c.send(new ListObjectVersionsCommand({ Bucket: b, Prefix: 'd' }));
  assert.deepEqual(
    list.DeleteMarkers?.map((m) => [m.VersionId, m.IsLatest]),
    [[del.VersionId, true]],
  );
  assert.equal(list.Versions?.[0]?.IsLatest, false);
  // Removing the delete marker (by version id) brings the object back.
  const undelete = await c.send(
    new DeleteObjectCommand({ Bucket: b, Key: 'd', VersionId: del.VersionId }),
  );
  assert.equal(undelete.DeleteMarker, true);
  assert.equal(undelete.VersionId, del.VersionId);
  assert.equal(await text(b, 'd'), 'alive');
});

test('DeleteObject with a version id removes that version permanently', async () => {
  const b = await versionedBucket();
  const v1 = await c.send(new PutObjectCommand({ Bucket: b, Key: 'p', Body: '1' }));
  const v2 = await c.send(new PutObjectCommand({ Bucket: b, Key: 'p', Body: '2' }));
  const del = await c.send(
    new DeleteObjectCommand({ Bucket: b, Key: 'p', VersionId: v2.VersionId }),
  );
  assert.equal(del.VersionId, v2.VersionId);
  assert.equal(del.DeleteMarker, undefined);
  assert.equal(await text(b, 'p'), '1', 'the previous version becomes current');
  const gone = await s3Error(
    c.send(new GetObjectCommand({ Bucket: b, Key: 'p', VersionId: v2.VersionId })),
  );
  assert.equal(gone.name, 'NoSuchVersion');
  const list = await c.send(new ListObjectVersionsCommand({ Bucket: b }));
  assert.deepEqual(
    list.Versions?.map((v) => [v.VersionId, v.IsLatest]),
    [[v1.VersionId, true]],
  );
});

test('unversioned buckets use the null version; Suspended writes replace the null version only', async () => {
  const plain = await versionedBucket('none');
  await c.send(new PutObjectCommand({ Bucket: plain, Key: 'n', Body: 'a' }));
  await c.send(new PutObjectCommand({ Bucket: plain, Key: 'n', Body: 'b' }));
  const plainList = await c.send(new ListObjectVersionsCommand({ Bucket: plain }));
  assert.deepEqual(
    plainList.Versions?.map((v) => [v.VersionId, v.IsLatest]),
    [['null', true]],
  );
  // Turn versioning on: the null version stays, new writes get ids.
  await setVersioning(c, plain, 'Enabled');
  const v1 = await c.send(new PutObjectCommand({ Bucket: plain, Key: 'n', Body: 'c' }));
  assert.equal(await text(plain, 'n', 'null'), 'b');
  // Suspend: writes create/replace the null version, and leave v1 alone.
  await setVersioning(c, plain, 'Suspended');
  const s1 = await c.send(new PutObjectCommand({ Bucket: plain, Key: 'n', Body: 'd' }));
  assert.equal(s1.VersionId, 'null');
  const s2 = await c.send(new PutObjectCommand({ Bucket: plain, Key: 'n', Body: 'e' }));
  assert.equal(s2.VersionId, 'null');
  const list = await c.send(new ListObjectVersionsCommand({ Bucket: plain }));
  assert.deepEqual(
    list.Versions?.map((v) => [v.VersionId, v.IsLatest]),
    [
      ['null', true],
      [v1.VersionId, false],
    ],
  );
  assert.equal(await text(plain, 'n'), 'e');
  // A delete while suspended writes a null delete marker, which replaces the null version.
  const del = await c.send(new DeleteObjectCommand({ Bucket: plain, Key: 'n' }));
  assert.equal(del.DeleteMarker, true);
  assert.equal(del.VersionId, 'null');
  const after = await c.send(new ListObjectVersionsCommand({ Bucket: plain }));
  assert.deepEqual(
    after.Versions?.map((v) => v.VersionId),
    [v1.VersionId],
  );
  assert.deepEqual(
    after.DeleteMarkers?.map((m) => [m.VersionId, m.IsLatest]),
    [['null', true]],
  );
});

test('copying an older version onto the same key makes it current again (restore)', async () => {
  const b = await versionedBucket();
  const v1 = await c.send(
    new PutObjectCommand({ Bucket: b, Key: 'r', Body: 'original', Metadata: { rev: '1' } }),
  );
  await c.send(
    new PutObjectCommand({ Bucket: b, Key: 'r', Body: 'edited', Metadata: { rev: '2' } }),
  );
  const copy = await c.send(
    new CopyObjectCommand({ Bucket: b, Key: 'r', CopySource: `${b}/r?versionId=${v1.VersionId}` }),
  );
  assert.equal(copy.CopySourceVersionId, v1.VersionId);
  const got = await c.send(new GetObjectCommand({ Bucket: b, Key: 'r' }));
  assert.equal(await got.Body?.transformToString(), 'original');
  assert.deepEqual(got.Metadata, { rev: '1' });
  assert.equal(got.VersionId, copy.VersionId);
  const list = await c.send(new ListObjectVersionsCommand({ Bucket: b }));
  assert.equal(list.Versions?.length, 3);
  // A delete marker cannot be a copy source by version id.
  const dm = await c.send(new DeleteObjectCommand({ Bucket: b, Key: 'r' }));
  const err = await s3Error(
    c.send(
      new CopyObjectCommand({
        Bucket: b,
        Key: 'r2',
        CopySource: `${b}/r?versionId=${dm.VersionId}`,
      }),
    ),
  );
  assert.equal(err.name, 'InvalidRequest');
  const current = await s3Error(
    c.send(new CopyObjectCommand({ Bucket: b, Key: 'r2', CopySource: `${b}/r` })),
  );
  assert.equal(current.name, 'NoSuchKey');
});

test('DeleteObjects with version ids and without: permanent deletes and delete markers', async () => {
  const b = await versionedBucket();
  const a1 = await c.send(new PutObjectCommand({ Bucket: b, Key: 'a', Body: '1' }));
  const a2 = await c.send(new PutObjectCommand({ Bucket: b, Key: 'a', Body: '2' }));
  await c.send(new PutObjectCommand({ Bucket: b, Key: 'b', Body: '1' }));
  const res = await c.send(
    new DeleteObjectsCommand({
      Bucket: b,
      Delete: {
        Objects: [
          { Key: 'a', VersionId: a1.VersionId },
          { Key: 'b' },
          { Key: 'a', VersionId: 'bogus' },
        ],
      },
    }),
  );
  const byKey = new Map(res.Deleted?.map((d) => [`${d.Key}/${d.VersionId ?? ''}`, d]));
  assert.equal(byKey.get(`a/${a1.VersionId}`)?.DeleteMarker, undefined);
  const bDel = byKey.get('b/');
  assert.equal(bDel?.DeleteMarker, true);
  assert.ok(bDel?.DeleteMarkerVersionId);
  assert.deepEqual(
    res.Errors?.map((e) => [e.Key, e.Code]),
    [['a', 'NoSuchVersion']],
  );
  const list = await c.send(new ListObjectVersionsCommand({ Bucket: b }));
  assert.deepEqual(
    list.Versions?.map((v) => [v.Key, v.VersionId]),
    [
      ['a', a2.VersionId],
      ['b', list.Versions?.[1]?.VersionId],
    ],
  );
  assert.deepEqual(
    list.DeleteMarkers?.map((m) => [m.Key, m.VersionId]),
    [['b', bDel?.DeleteMarkerVersionId]],
  );
});

test('ListObjectVersions pages with key-marker/version-id-marker, prefix and delimiter', async () => {
  const b = await versionedBucket();
  const expected: string[] = [];
  for (const key of ['x/1', 'x/2', 'y']) {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(
        (await c.send(new PutObjectCommand({ Bucket: b, Key: key, Body: `${i}` }))).VersionId!,
      );
    expected.push(...ids.reverse().map((id) => `${key}@${id}`));
  }
  const seen: string[] = [];
  let keyMarker: string | undefined;
  let vidMarker: string | undefined;
  for (let page = 0; page < 20; page++) {
    const res: ListObjectVersionsCommandOutput = await c.send(
      new ListObjectVersionsCommand({
        Bucket: b,
        MaxKeys: 2,
        KeyMarker: keyMarker,
        VersionIdMarker: vidMarker,
      }),
    );
    seen.push(...(res.Versions ?? []).map((v) => `${v.Key}@${v.VersionId}`));
    if (!res.IsTruncated) break;
    keyMarker = res.NextKeyMarker;
    vidMarker = res.NextVersionIdMarker;
  }
  assert.deepEqual(seen, expected);
  const grouped = await c.send(new ListObjectVersionsCommand({ Bucket: b, Delimiter: '/' }));
  assert.deepEqual(
    grouped.CommonPrefixes?.map((p) => p.Prefix),
    ['x/'],
  );
  assert.deepEqual(
    grouped.Versions?.map((v) => v.Key),
    ['y', 'y', 'y'],
  );
  const prefixed = await c.send(new ListObjectVersionsCommand({ Bucket: b, Prefix: 'x/2' }));
  assert.equal(prefixed.Versions?.length, 3);
  const noKeyMarker = await s3Error(
    c.send(new ListObjectVersionsCommand({ Bucket: b, VersionIdMarker: seen[0]!.split('@')[1] })),
  );
  assert.equal(noKeyMarker.name, 'InvalidArgument');
});
