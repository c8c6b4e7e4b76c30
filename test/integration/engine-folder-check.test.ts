// Folder checks and the S3 client factory over real HTTP: the local regions for what they
// can produce, and a tiny S3-shaped HTTP server for answers they never give (AccessDenied).
import {
  CreateBucketCommand,
  GetBucketVersioningCommand,
  PutBucketVersioningCommand,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Account, LocalAccount } from '../../main/core/accounts/account.js';
import {
  checkFolderBucket,
  enableVersioning,
  type FolderCheckResult,
} from '../../main/core/accounts/folder-check.js';
import { S3ClientFactory } from '../../main/core/accounts/s3-client-factory.js';
import { MemorySecretStore } from '../../main/core/accounts/secret-store.js';
import { bucketName, startTestRegions, type TestRegions } from '../helpers/regions.js';
import { tempDir } from '../helpers/temp-dir.js';

let regions: TestRegions;
let secrets: MemorySecretStore;
let factory: S3ClientFactory;
let local: LocalAccount;
const logged: string[] = [];

before(async () => {
  regions = await startTestRegions();
  secrets = new MemorySecretStore();
  factory = new S3ClientFactory({ secrets, maxAttempts: 1, log: (l) => logged.push(l) });
  local = {
    kind: 'local',
    id: 'local',
    name: 'Local regions',
    endpoints: Object.fromEntries(regions.handle.regions.map((r) => [r.name, r.endpoint])),
    credentials: {
      accessKeyId: regions.handle.accessKeyId,
      secretAccessKey: regions.handle.secretAccessKey,
    },
  };
});

after(async () => {
  factory.dispose();
  await regions.stop();
});

async function newBucket(versioning?: 'Enabled' | 'Suspended'): Promise<string> {
  const s3 = factory.clientFor(local, 'us-east-1');
  const b = bucketName('fc');
  await s3.send(new CreateBucketCommand({ Bucket: b }));
  if (versioning) {
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: b,
        VersioningConfiguration: { Status: versioning },
      }),
    );
  }
  return b;
}

function problemOf(r: FolderCheckResult): string {
  return r.ok ? 'ok' : r.problem;
}

test('a versioned bucket passes', async () => {
  const bucket = await newBucket('Enabled');
  const r = await checkFolderBucket(factory.clientFor(local, 'us-east-1'), {
    bucket,
    region: 'us-east-1',
  });
  assert.deepEqual(r, { ok: true, bucket, region: 'us-east-1' });
});

test('a missing bucket is named with its region and the fix', async () => {
  const r = await checkFolderBucket(factory.clientFor(local, 'us-east-1'), {
    bucket: 'no-such-bucket-here',
    region: 'us-east-1',
  });
  assert.equal(problemOf(r), 'bucket-missing');
  if (r.ok) return;
  assert.equal(
    r.message,
    "Bucket 'no-such-bucket-here' in us-east-1 does not exist: create it or pick another bucket for this folder.",
  );
  assert.deepEqual(r.fix, { kind: 'create-bucket' });
  assert.equal(r.retryable, false);
});

test('versioning off: the check offers the fix, the fix enables it, the check passes', async () => {
  const s3 = factory.clientFor(local, 'us-east-1');
  const bucket = await newBucket();
  const ref = { bucket, region: 'us-east-1' };
  const r = await checkFolderBucket(s3, ref);
  assert.equal(problemOf(r), 'versioning-off');
  if (r.ok) return;
  assert.match(r.message, new RegExp(`Versioning is off on bucket '${bucket}' in us-east-1`));
  assert.deepEqual(r.fix, { kind: 'enable-versioning' });
  assert.deepEqual(await enableVersioning(s3, ref), { ok: true });
  const v = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
  assert.equal(v.Status, 'Enabled');
  assert.equal((await checkFolderBucket(s3, ref)).ok, true);
});

test('suspended versioning is reported and fixed the same way', async () => {
  const s3 = factory.clientFor(local, 'us-east-1');
  const ref = { bucket: await newBucket('Suspended'), region: 'us-east-1' };
  assert.equal(problemOf(await checkFolderBucket(s3, ref)), 'versioning-suspended');
  assert.deepEqual(await enableVersioning(s3, ref), { ok: true });
  assert.equal((await checkFolderBucket(s3, ref)).ok, true);
});

test('bad credentials: unknown key id and wrong secret', async () => {
  const bucket = await newBucket('Enabled');
  const wrongSecret: LocalAccount = {
    ...local,
    id: 'wrong-secret',
    credentials: { ...local.credentials, secretAccessKey: 'not-the-secret' },
  };
  const unknownKey: LocalAccount = {
    ...local,
    id: 'unknown-key',
    credentials: { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x' },
  };
  const a = await checkFolderBucket(factory.clientFor(wrongSecret, 'us-east-1'), {
    bucket,
    region: 'us-east-1',
  });
  assert.equal(problemOf(a), 'bad-credentials');
  if (!a.ok) {
    assert.match(a.message, /secret access key/);
    assert.deepEqual(a.fix, { kind: 'edit-account' });
  }
  const b = await checkFolderBucket(factory.clientFor(unknownKey, 'us-east-1'), {
    bucket,
    region: 'us-east-1',
  });
  assert.equal(problemOf(b), 'bad-credentials');
  if (!b.ok) assert.match(b.message, /access key id/);
});

test('a bucket checked in the wrong region names the right one', async () => {
  const bucket = await newBucket('Enabled');
  const r = await checkFolderBucket(factory.clientFor(local, 'eu-west-1'), {
    bucket,
    region: 'eu-west-1',
  });
  assert.equal(problemOf(r), 'wrong-region');
  if (r.ok) return;
  assert.match(r.message, /it is in us-east-1\. Choose region us-east-1/);
  assert.deepEqual(r.fix, { kind: 'use-region', region: 'us-east-1' });
});

test('an endpoint nobody answers on is unreachable and retryable', async () => {
  const srv = http.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  const dead: LocalAccount = {
    ...local,
    id: 'dead',
    endpoints: { 'us-east-1': `http://127.0.0.1:${port}` },
  };
  const r = await checkFolderBucket(factory.clientFor(dead, 'us-east-1'), {
    bucket: 'any-bucket',
    region: 'us-east-1',
  });
  assert.equal(problemOf(r), 'unreachable');
  if (!r.ok) {
    assert.equal(r.retryable, true);
    assert.match(r.message, /ECONNREFUSED/);
  }
});

test('an invalid bucket name is refused before any request', async () => {
  const r = await checkFolderBucket(factory.clientFor(local, 'us-east-1'), {
    bucket: 'My_Bucket',
    region: 'us-east-1',
  });
  assert.equal(problemOf(r), 'invalid-bucket-name');
  if (!r.ok) assert.match(r.message, /'My_Bucket' is not a valid bucket name: use 3-63 lower-case/);
  assert.throws(() => factory.clientFor(local, 'ap-south-1'), /no region 'ap-south-1'.*us-east-1/);
});

test('access keys from the secret store reach a custom endpoint; a missing secret is named', async () => {
  const bucket = await newBucket('Enabled');
  const account: Account = {
    kind: 'custom',
    id: 'custom',
    name: 'My S3',
    endpoint: regions.endpoint('us-east-1'),
    forcePathStyle: true,
    accessKeyId: regions.handle.accessKeyId,
    secretId: 'custom-secret',
  };
  const before = await checkFolderBucket(factory.clientFor(account, 'us-east-1'), {
    bucket,
    region: 'us-east-1',
  });
  assert.equal(problemOf(before), 'no-credentials');
  if (!before.ok) assert.match(before.message, /secret access key of account 'My S3'/);

  await secrets.set('custom-secret', regions.handle.secretAccessKey);
  factory.invalidate('custom');
  const after = await checkFolderBucket(factory.clientFor(account, 'us-east-1'), {
    bucket,
    region: 'us-east-1',
  });
  assert.equal(after.ok, true);
  assert.equal(secrets.persistent, false);
  assert.match(secrets.describe(), /memory only/);
});

test('an AWS profile is resolved through the SDK credential chain', async (t) => {
  const bucket = await newBucket('Enabled');
  const { dir, cleanup } = tempDir('rs-aws-config-');
  t.after(cleanup);
  const config = path.join(dir, 'config');
  const credentials = path.join(dir, 'credentials');
  fs.writeFileSync(config, `[profile rs-test]\nregion = us-east-1\n`);
  fs.writeFileSync(
    credentials,
    `[rs-test]\naws_access_key_id = ${regions.handle.accessKeyId}\naws_secret_access_key = ${regions.handle.secretAccessKey}\n`,
  );
  // The SDK reads endpoint_url only from the AWS_PROFILE profile, so the endpoint comes from env.
  const env = {
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: credentials,
    AWS_ENDPOINT_URL_S3: regions.endpoint('us-east-1'),
  };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  t.after(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  const account: Account = { kind: 'aws-profile', id: 'profile', name: 'Work', profile: 'rs-test' };
  const r = await checkFolderBucket(factory.clientFor(account, 'us-east-1'), {
    bucket,
    region: 'us-east-1',
  });
  assert.deepEqual(r, { ok: true, bucket, region: 'us-east-1' });

  const missing: Account = {
    kind: 'aws-profile',
    id: 'missing',
    name: 'Gone',
    profile: 'no-such-profile',
  };
  const m = await checkFolderBucket(factory.clientFor(missing, 'us-east-1'), {
    bucket,
    region: 'us-east-1',
  });
  assert.equal(problemOf(m), 'no-credentials');
});

/** An S3-shaped endpoint that denies everything, as IAM does for a user without rights. */
async function denyingEndpoint(): Promise<{ url: string; close: () => Promise<void> }> {
  const srv = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const isVersioning = (req.url ?? '').includes('versioning');
      res.writeHead(
        req.method === 'HEAD' ? 403 : isVersioning && req.method === 'GET' ? 200 : 403,
        {
          'content-type': 'application/xml',
        },
      );
      if (req.method === 'HEAD') return res.end();
      if (isVersioning && req.method === 'GET') {
        return res.end(
          '<?xml version="1.0" encoding="UTF-8"?><VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>',
        );
      }
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
      );
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => srv.close(() => resolve())),
  };
}

test('credentials that may not change versioning are told so', async (t) => {
  const deny = await denyingEndpoint();
  t.after(deny.close);
  const account: LocalAccount = { ...local, id: 'denied', endpoints: { 'us-east-1': deny.url } };
  const s3 = factory.clientFor(account, 'us-east-1');
  const ref = { bucket: 'their-bucket', region: 'us-east-1' };
  // HEAD is denied without a body; reading versioning works and says it is off.
  const check = await checkFolderBucket(s3, ref);
  assert.equal(problemOf(check), 'versioning-off');
  const r = await enableVersioning(s3, ref);
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.problem, 'access-denied');
  assert.match(
    r.message,
    /may not change versioning of bucket 'their-bucket' in us-east-1 \(s3:PutBucketVersioning is denied\): ask the bucket owner/,
  );
});
