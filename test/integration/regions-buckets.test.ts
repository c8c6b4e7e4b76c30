// Bucket operations over real HTTP with the official SDK at default settings, plus the
// cross-region rules (one namespace, a bucket lives in one region), auth failures,
// virtual-host style and presigned URLs.
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketTaggingCommand,
  DeleteObjectCommand,
  GetBucketLocationCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  ListObjectVersionsCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import {
  bucketName,
  createBucket,
  readText,
  s3Error,
  setVersioning,
  signingTarget,
  useTestRegions,
} from '../helpers/regions.js';
import { fetchUrl, presignedUrl, signedRequest } from '../helpers/signed-http.js';

const US = 'us-east-1';
const EU = 'eu-west-1';
const t = useTestRegions();

test('CreateBucket with and without LocationConstraint; GetBucketLocation, HeadBucket, ListBuckets', async () => {
  const us = bucketName('us');
  const eu = bucketName('eu');
  await t.client(US).send(new CreateBucketCommand({ Bucket: us }));
  const created = await t.client(EU).send(
    new CreateBucketCommand({
      Bucket: eu,
      CreateBucketConfiguration: { LocationConstraint: EU },
    }),
  );
  assert.equal(created.Location, `/${eu}`);
  const usLoc = await t.client(US).send(new GetBucketLocationCommand({ Bucket: us }));
  assert.equal(
    usLoc.LocationConstraint,
    undefined,
    'us-east-1 is reported as an empty LocationConstraint',
  );
  const euLoc = await t.client(EU).send(new GetBucketLocationCommand({ Bucket: eu }));
  assert.equal(euLoc.LocationConstraint, EU);
  // GetBucketLocation answers from any region: it is how a client finds the bucket's region.
  const fromUs = await t.client(US).send(new GetBucketLocationCommand({ Bucket: eu }));
  assert.equal(fromUs.LocationConstraint, EU);
  const head = await t.client(EU).send(new HeadBucketCommand({ Bucket: eu }));
  assert.equal(head.BucketRegion, EU);
  // ListBuckets answers every bucket of every region, from any region.
  const listed = await t.client(EU).send(new ListBucketsCommand({}));
  const names = (listed.Buckets ?? []).map((b) => b.Name);
  assert.ok(names.includes(us) && names.includes(eu));
  assert.equal(listed.Buckets?.find((b) => b.Name === us)?.BucketRegion, US);
  assert.ok(listed.Owner?.ID);
  const filtered = await t
    .client(US)
    .send(new ListBucketsCommand({ BucketRegion: EU, Prefix: 'eu-' }));
  assert.deepEqual(
    filtered.Buckets?.map((b) => b.Name),
    [eu],
  );
});

test('bucket names are global: BucketAlreadyOwnedByYou in the same region, BucketAlreadyExists in another', async () => {
  const name = bucketName('dup');
  await t.client(US).send(new CreateBucketCommand({ Bucket: name }));
  const same = await s3Error(t.client(US).send(new CreateBucketCommand({ Bucket: name })));
  assert.equal(same.name, 'BucketAlreadyOwnedByYou');
  assert.equal(same.status, 409);
  const other = await s3Error(
    t.client(EU).send(
      new CreateBucketCommand({
        Bucket: name,
        CreateBucketConfiguration: { LocationConstraint: EU },
      }),
    ),
  );
  assert.equal(other.name, 'BucketAlreadyExists');
  assert.equal(other.status, 409);
});

test('invalid names and location constraints are refused as S3 does', async () => {
  const bad = await s3Error(t.client(US).send(new CreateBucketCommand({ Bucket: 'Bad_Name' })));
  assert.equal(bad.name, 'InvalidBucketName');
  assert.equal(bad.status, 400);
  const mismatch = await s3Error(
    t.client(US).send(
      new CreateBucketCommand({
        Bucket: bucketName('lc'),
        CreateBucketConfiguration: { LocationConstraint: EU },
      }),
    ),
  );
  assert.equal(mismatch.name, 'IllegalLocationConstraintException');
  const unknown = await s3Error(
    t.client(US).send(
      new CreateBucketCommand({
        Bucket: bucketName('lc'),
        CreateBucketConfiguration: { LocationConstraint: 'ap-south-1' },
      }),
    ),
  );
  assert.equal(unknown.name, 'InvalidLocationConstraint');
});

test("a bucket addressed at another region's port answers 301 PermanentRedirect with its region", async () => {
  const eu = await createBucket(t, EU, { prefix: 'redir' });
  const err = await s3Error(
    t.client(US).send(new PutObjectCommand({ Bucket: eu, Key: 'k', Body: 'x' })),
  );
  assert.equal(err.status, 301);
  assert.equal(err.name, 'PermanentRedirect');
  const raw = await signedRequest({
    ...signingTarget(t, US),
    method: 'GET',
    path: `/${eu}`,
    query: { 'list-type': '2' },
  });
  assert.equal(raw.status, 301);
  assert.equal(raw.headers['x-amz-bucket-region'], EU);
  assert.match(
    raw.text,
    new RegExp(`<Endpoint>${t.endpoint(EU).replace('http://', '')}</Endpoint>`),
  );
  const head = await s3Error(t.client(US).send(new HeadBucketCommand({ Bucket: eu })));
  assert.equal(head.status, 301);
});

test('a request signed for the wrong region gets AuthorizationHeaderMalformed naming the right one', async () => {
  const wrong = new S3Client({
    endpoint: t.endpoint(EU),
    region: US,
    credentials: { accessKeyId: t.handle.accessKeyId, secretAccessKey: t.handle.secretAccessKey },
  });
  try {
    const err = await s3Error(wrong.send(new ListBucketsCommand({})));
    assert.equal(err.name, 'AuthorizationHeaderMalformed');
    assert.equal(err.status, 400);
    assert.match(err.message, /eu-west-1/);
  } finally {
    wrong.destroy();
  }
});

test('wrong credentials: InvalidAccessKeyId and SignatureDoesNotMatch', async () => {
  const clients = [
    new S3Client({
      endpoint: t.endpoint(US),
      region: US,
      credentials: {
        accessKeyId: 'AKIAWRONGWRONGWRONG1',
        secretAccessKey: t.handle.secretAccessKey,
      },
    }),
    new S3Client({
      endpoint: t.endpoint(US),
      region: US,
      credentials: { accessKeyId: t.handle.accessKeyId, secretAccessKey: 'not-the-secret' },
    }),
  ];
  try {
    const a = await s3Error(clients[0]!.send(new ListBucketsCommand({})));
    assert.equal(a.name, 'InvalidAccessKeyId');
    assert.equal(a.status, 403);
    const b = await s3Error(clients[1]!.send(new ListBucketsCommand({})));
    assert.equal(b.name, 'SignatureDoesNotMatch');
    assert.equal(b.status, 403);
  } finally {
    for (const c of clients) c.destroy();
  }
  const unsigned = await fetchUrl('GET', `${t.endpoint(US)}/`);
  assert.equal(unsigned.status, 403);
  assert.match(unsigned.text, /<Code>AccessDenied<\/Code>/);
});

test('DeleteBucket: NoSuchBucket, BucketNotEmpty (also when only old versions remain), then 204', async () => {
  const c = t.client(US);
  const missing = await s3Error(c.send(new DeleteBucketCommand({ Bucket: bucketName('none') })));
  assert.equal(missing.name, 'NoSuchBucket');
  assert.equal(missing.status, 404);
  const name = await createBucket(t, US, { versioning: 'Enabled', prefix: 'del' });
  const put = await c.send(new PutObjectCommand({ Bucket: name, Key: 'k', Body: 'x' }));
  await c.send(new DeleteObjectCommand({ Bucket: name, Key: 'k' })); // only a delete marker is current now
  const notEmpty = await s3Error(c.send(new DeleteBucketCommand({ Bucket: name })));
  assert.equal(notEmpty.name, 'BucketNotEmpty');
  assert.equal(notEmpty.status, 409);
  const versions = await c.send(new ListObjectVersionsCommand({ Bucket: name }));
  for (const v of [...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])]) {
    await c.send(new DeleteObjectCommand({ Bucket: name, Key: v.Key, VersionId: v.VersionId }));
  }
  assert.ok(put.VersionId);
  const done = await c.send(new DeleteBucketCommand({ Bucket: name }));
  assert.equal(done.$metadata.httpStatusCode, 204);
  const gone = await s3Error(c.send(new HeadBucketCommand({ Bucket: name })));
  assert.equal(gone.status, 404);
});

test('versioning configuration: unset, Enabled, Suspended; bad status is MalformedXML', async () => {
  const c = t.client(US);
  const name = await createBucket(t, US, { prefix: 'ver' });
  assert.equal((await c.send(new GetBucketVersioningCommand({ Bucket: name }))).Status, undefined);
  await setVersioning(c, name, 'Enabled');
  assert.equal((await c.send(new GetBucketVersioningCommand({ Bucket: name }))).Status, 'Enabled');
  await setVersioning(c, name, 'Suspended');
  assert.equal(
    (await c.send(new GetBucketVersioningCommand({ Bucket: name }))).Status,
    'Suspended',
  );
  const body = '<VersioningConfiguration><Status>Sometimes</Status></VersioningConfiguration>';
  const raw = await signedRequest({
    ...signingTarget(t, US),
    method: 'PUT',
    path: `/${name}`,
    query: { versioning: '' },
    body,
  });
  assert.equal(raw.status, 400);
  assert.match(raw.text, /<Code>MalformedXML<\/Code>/);
});

test('bucket tagging: Put, Get, Delete, and NoSuchTagSet', async () => {
  const c = t.client(EU);
  const name = await createBucket(t, EU, { prefix: 'tags' });
  const none = await s3Error(c.send(new GetBucketTaggingCommand({ Bucket: name })));
  assert.equal(none.name, 'NoSuchTagSet');
  assert.equal(none.status, 404);
  await c.send(
    new PutBucketTaggingCommand({
      Bucket: name,
      Tagging: {
        TagSet: [
          { Key: 'team', Value: 'sync' },
          { Key: 'env', Value: 'local' },
        ],
      },
    }),
  );
  const got = await c.send(new GetBucketTaggingCommand({ Bucket: name }));
  assert.deepEqual(got.TagSet, [
    { Key: 'team', Value: 'sync' },
    { Key: 'env', Value: 'local' },
  ]);
  const dup = await s3Error(
    c.send(
      new PutBucketTaggingCommand({
        Bucket: name,
        Tagging: {
          TagSet: [
            { Key: 'a', Value: '1' },
            { Key: 'a', Value: '2' },
          ],
        },
      }),
    ),
  );
  assert.equal(dup.name, 'InvalidTag');
  await c.send(new DeleteBucketTaggingCommand({ Bucket: name }));
  assert.equal(
    (await s3Error(c.send(new GetBucketTaggingCommand({ Bucket: name })))).name,
    'NoSuchTagSet',
  );
});

test('virtual-host style: Host bucket.localhost:PORT signed with @smithy/signature-v4', async () => {
  const name = await createBucket(t, US, { prefix: 'vhost' });
  const port = new URL(t.endpoint(US)).port;
  const host = `${name}.localhost:${port}`;
  const base = { ...signingTarget(t, US), host };
  const put = await signedRequest({
    ...base,
    method: 'PUT',
    path: '/dir/hello%20world.txt',
    body: 'virtual host body',
    headers: { 'content-type': 'text/plain' },
  });
  assert.equal(put.status, 200, put.text);
  assert.equal(
    put.headers.etag,
    `"${createHash('md5').update('virtual host body').digest('hex')}"`,
  );
  const get = await signedRequest({ ...base, method: 'GET', path: '/dir/hello%20world.txt' });
  assert.equal(get.status, 200);
  assert.equal(get.text, 'virtual host body');
  assert.equal(get.headers['content-type'], 'text/plain');
  const list = await signedRequest({
    ...base,
    method: 'GET',
    path: '/',
    query: { 'list-type': '2' },
  });
  assert.equal(list.status, 200);
  assert.match(list.text, /<Key>dir\/hello world\.txt<\/Key>/);
  // The same object through path style with the SDK.
  assert.equal(await readText(t.client(US), name, 'dir/hello world.txt'), 'virtual host body');
});

test('presigned URLs: GET and PUT work, a tampered signature is refused', async () => {
  const name = await createBucket(t, US, { prefix: 'presign' });
  const base = { ...signingTarget(t, US) };
  const putUrl = await presignedUrl({ ...base, method: 'PUT', path: `/${name}/p.txt` });
  const put = await fetchUrl('PUT', putUrl, Buffer.from('presigned body'));
  assert.equal(put.status, 200, put.text);
  const getUrl = await presignedUrl({ ...base, method: 'GET', path: `/${name}/p.txt` });
  const get = await fetchUrl('GET', getUrl);
  assert.equal(get.text, 'presigned body');
  const tampered = await fetchUrl(
    'GET',
    getUrl.replace(
      /X-Amz-Signature=([0-9a-f])/,
      (_m, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`,
    ),
  );
  assert.equal(tampered.status, 403);
  assert.match(tampered.text, /SignatureDoesNotMatch/);
});
