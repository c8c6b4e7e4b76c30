// Conditional writes (If-None-Match: *, If-Match: <etag>) on PutObject, CopyObject and
// CompleteMultipartUpload, the 409 ConditionalRequestConflict of two writes racing on a key,
// and two concurrent unconditional writers on one key (both versions kept, nothing torn).
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type PutObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createBucket,
  readText,
  s3Error,
  uploadParts,
  useTestRegions,
} from '../helpers/regions.js';

const US = 'us-east-1';
let c: S3Client;
let bucket: string;
const t = useTestRegions(async () => {
  c = t.client(US);
  bucket = await createBucket(t, US, { versioning: 'Enabled', prefix: 'cond' });
});

const read = (key: string): Promise<string> => readText(c, bucket, key);

test('If-None-Match: * creates a new key once; the second attempt is 412 PreconditionFailed', async () => {
  const first = await c.send(
    new PutObjectCommand({ Bucket: bucket, Key: 'new', Body: 'first', IfNoneMatch: '*' }),
  );
  assert.ok(first.ETag);
  const second = await s3Error(
    c.send(new PutObjectCommand({ Bucket: bucket, Key: 'new', Body: 'second', IfNoneMatch: '*' })),
  );
  assert.equal(second.name, 'PreconditionFailed');
  assert.equal(second.status, 412);
  assert.equal(await read('new'), 'first');
  // A key whose current version is a delete marker counts as absent.
  await c.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'new' }));
  await c.send(
    new PutObjectCommand({ Bucket: bucket, Key: 'new', Body: 'after delete', IfNoneMatch: '*' }),
  );
  assert.equal(await read('new'), 'after delete');
});

test('If-Match: the base ETag wins, a stale ETag is 412, a missing key is 404 NoSuchKey', async () => {
  const base = await c.send(new PutObjectCommand({ Bucket: bucket, Key: 'edit', Body: 'base' }));
  const edit = await c.send(
    new PutObjectCommand({ Bucket: bucket, Key: 'edit', Body: 'edit 1', IfMatch: base.ETag }),
  );
  assert.ok(edit.VersionId);
  const stale = await s3Error(
    c.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'edit', Body: 'edit 2', IfMatch: base.ETag }),
    ),
  );
  assert.equal(stale.name, 'PreconditionFailed');
  assert.equal(stale.status, 412);
  assert.equal(await read('edit'), 'edit 1');
  const missing = await s3Error(
    c.send(new PutObjectCommand({ Bucket: bucket, Key: 'absent', Body: 'x', IfMatch: base.ETag })),
  );
  assert.equal(missing.name, 'NoSuchKey');
  assert.equal(missing.status, 404);
  const copy = await s3Error(
    c.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'edit',
        CopySource: `${bucket}/new`,
        IfNoneMatch: '*',
      }),
    ),
  );
  assert.equal(copy.status, 412);
});

test('CompleteMultipartUpload honours If-None-Match and If-Match', async () => {
  let n = 0;
  const run = async (
    key: string,
    cond: { IfNoneMatch?: string; IfMatch?: string },
  ): Promise<unknown> => {
    n++;
    const up = await c.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const [part] = await uploadParts(c, { Bucket: bucket, Key: key, UploadId: up.UploadId }, [
      `mp ${key} ${n}`,
    ]);
    return c.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: up.UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part!.ETag }] },
        ...cond,
      }),
    );
  };
  await run('mp-new', { IfNoneMatch: '*' });
  const exists = await s3Error(run('mp-new', { IfNoneMatch: '*' }));
  assert.equal(exists.name, 'PreconditionFailed');
  assert.equal(exists.status, 412);
  const current = await c.send(new GetObjectCommand({ Bucket: bucket, Key: 'mp-new' }));
  await current.Body?.transformToString();
  await run('mp-new', { IfMatch: current.ETag });
  const stale = await s3Error(run('mp-new', { IfMatch: current.ETag }));
  assert.equal(stale.status, 412);
});

/** Starts a PutObject whose body we hold open until `finish` is called. */
function heldPut(key: string, body: Buffer, cond: { IfNoneMatch?: string; IfMatch?: string }) {
  const stream = new PassThrough();
  stream.write(body.subarray(0, 10));
  const result = c
    .send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: stream,
        ContentLength: body.length,
        ...cond,
      }),
    )
    .then(
      (ok: PutObjectCommandOutput) => ({ ok }),
      (err: unknown) => ({ err: err as Error & { $metadata?: { httpStatusCode?: number } } }),
    );
  return {
    result,
    finish: () => stream.end(body.subarray(10)),
  };
}

test('two conditional writes in flight on one key: the first to finish wins, the other gets 409', async () => {
  const a = heldPut('race', Buffer.from('writer A '.repeat(100)), { IfNoneMatch: '*' });
  const b = heldPut('race', Buffer.from('writer B '.repeat(100)), { IfNoneMatch: '*' });
  await sleep(200); // both requests are now at the server, their bodies incomplete
  a.finish();
  const ra = await a.result;
  assert.ok('ok' in ra, 'A finished first and succeeds');
  b.finish();
  const rb = await b.result;
  assert.ok('err' in rb);
  assert.equal(rb.err.name, 'ConditionalRequestConflict');
  assert.equal(rb.err.$metadata?.httpStatusCode, 409);
  assert.equal(await read('race'), 'writer A '.repeat(100));
  // An If-Match write overtaken by a plain write is a conflict too.
  const base = await c.send(new PutObjectCommand({ Bucket: bucket, Key: 'race2', Body: 'base' }));
  const slow = heldPut('race2', Buffer.from('conditional edit '.repeat(10)), {
    IfMatch: base.ETag,
  });
  await sleep(200);
  await c.send(new PutObjectCommand({ Bucket: bucket, Key: 'race2', Body: 'plain overwrite' }));
  slow.finish();
  const rs = await slow.result;
  assert.ok('err' in rs);
  assert.equal(rs.err.$metadata?.httpStatusCode, 409);
  assert.equal(await read('race2'), 'plain overwrite');
});

test('two concurrent writers on one key: every version is kept, whole and in order', async () => {
  const key = 'shared';
  const bodies = new Map<string, Buffer>();
  const writer = async (name: string): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const body = Buffer.concat([Buffer.from(`${name}-${i}:`), randomBytes(256 * 1024)]);
      const put = await c.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, Metadata: { writer: name } }),
      );
      bodies.set(put.VersionId!, body);
      ids.push(put.VersionId!);
    }
    return ids;
  };
  const [a, b] = await Promise.all([writer('a'), writer('b')]);
  const list = await c.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
  const versions = (list.Versions ?? []).filter((v) => v.Key === key);
  assert.equal(versions.length, 16);
  assert.deepEqual(new Set(versions.map((v) => v.VersionId)), new Set([...a, ...b]));
  assert.equal(versions.filter((v) => v.IsLatest).length, 1);
  const newest = [...a, ...b].sort().at(-1);
  assert.equal(versions[0]?.VersionId, newest, 'the latest write is current');
  for (const v of versions) {
    const got = await c.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: v.VersionId }),
    );
    const data = Buffer.from(await got.Body!.transformToByteArray());
    assert.ok(data.equals(bodies.get(v.VersionId!)!), `version ${v.VersionId} is intact`);
    assert.equal(got.ETag, `"${createHash('md5').update(data).digest('hex')}"`);
  }
});

test('DeleteObject with If-Match: a stale ETag is 412 and writes no delete marker', async () => {
  const v1 = await c.send(new PutObjectCommand({ Bucket: bucket, Key: 'del-cond', Body: 'one' }));
  const v2 = await c.send(new PutObjectCommand({ Bucket: bucket, Key: 'del-cond', Body: 'two' }));
  const stale = await s3Error(
    c.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'del-cond', IfMatch: v1.ETag })),
  );
  assert.equal(stale.status, 412);
  assert.equal(await read('del-cond'), 'two');
  const ok = await c.send(
    new DeleteObjectCommand({ Bucket: bucket, Key: 'del-cond', IfMatch: v2.ETag }),
  );
  assert.equal(ok.DeleteMarker, true);
  const versions = await c.send(
    new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'del-cond' }),
  );
  assert.equal(versions.DeleteMarkers?.length, 1);
  assert.equal(versions.Versions?.length, 2);
});
