// A second opinion from another S3 implementation: moto_server, with signatures checked,
// behind an access-key account with a custom endpoint. The local regions' own quirks
// cannot make this pass. Without moto the test fails and says how to install it.
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MemorySecretStore } from '../../main/core/accounts/secret-store.js';
import { startTestApp, type TestApp } from '../helpers/accounts-app.js';
import { startMoto, type Moto } from '../helpers/moto.js';
import { startTestRegions, type TestRegions } from '../helpers/regions.js';
import { tempDir } from '../helpers/temp-dir.js';

let moto: Moto | undefined;
let regions: TestRegions;
let app: TestApp;
let cleanup: () => void;

before(async () => {
  regions = await startTestRegions();
  const data = tempDir('accounts-moto-');
  cleanup = data.cleanup;
  app = await startTestApp({ dataDir: data.dir, regions, secrets: new MemorySecretStore() });
});

after(async () => {
  await moto?.stop();
  await app.stop();
  await regions.stop();
  cleanup();
});

test('access keys with a custom endpoint work against moto_server, and a wrong secret fails', async () => {
  moto = await startMoto();
  const account = await app.call('accounts.addKeys', {
    name: 'moto',
    accessKeyId: moto.credentials.accessKeyId,
    secretAccessKey: moto.credentials.secretAccessKey,
    endpoint: moto.endpoint,
    forcePathStyle: true,
  });
  assert.equal(account.kind, 'custom');

  const listed = await app.call('accounts.test', { id: account.id, region: 'us-east-1' });
  assert.equal(listed.ok, true, listed.message);
  assert.deepEqual(listed.buckets, []);

  // The account's own client (path style, its signature) creates a bucket in moto.
  await app.engine
    .clientForAccount(account.id, 'us-east-1')
    .send(new CreateBucketCommand({ Bucket: 'replica-moto' }));
  const reached = await app.call('accounts.test', {
    id: account.id,
    region: 'us-east-1',
    bucket: 'replica-moto',
  });
  assert.equal(reached.ok, true, reached.message);
  const again = await app.call('accounts.test', { id: account.id, region: 'us-east-1' });
  assert.deepEqual(again.buckets, ['replica-moto']);

  const missing = await app.call('accounts.test', {
    id: account.id,
    region: 'us-east-1',
    bucket: 'not-in-moto',
  });
  assert.equal(missing.ok, false);
  assert.equal(missing.code, 'NoSuchBucket');

  const wrong = await app.call('accounts.addKeys', {
    name: 'moto, wrong secret',
    accessKeyId: moto.credentials.accessKeyId,
    secretAccessKey: `${moto.credentials.secretAccessKey.slice(0, -4)}XXXX`,
    endpoint: `${moto.endpoint.replace('127.0.0.1', 'localhost')}`,
  });
  const refused = await app.call('accounts.test', { id: wrong.id, region: 'us-east-1' });
  assert.equal(refused.ok, false);
  assert.equal(refused.code, 'SignatureDoesNotMatch');
  assert.match(refused.message, /rejected the secret access key/);

  const unknown = await app.call('accounts.addKeys', {
    name: 'moto, unknown key',
    accessKeyId: 'AKIAUNKNOWNMOTO00000',
    secretAccessKey: moto.credentials.secretAccessKey,
    endpoint: moto.endpoint,
  });
  const u = await app.call('accounts.test', { id: unknown.id, region: 'us-east-1' });
  assert.equal(u.code, 'InvalidAccessKeyId');
  assert.match(u.message, /does not know this access key id/);
});
