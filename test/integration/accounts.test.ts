// Accounts through the Dispatcher and a real SyncEngine over HTTP: access keys with a
// custom endpoint (the local regions), an AWS profile from a temporary AWS config,
// tests that name what failed, removal guarded by folders, persistence across restarts,
// and no secret access key in any file, result, event or log line.
import { CreateBucketCommand, PutBucketVersioningCommand, type S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { AccountSummary } from '../../main/contract/index.js';
import { MemorySecretStore } from '../../main/core/accounts/secret-store.js';
import { instancePaths } from '../../main/core/paths.js';
import { startTestApp, type TestApp } from '../helpers/accounts-app.js';
import { bucketName, startTestRegions, type TestRegions } from '../helpers/regions.js';
import { tempDir } from '../helpers/temp-dir.js';

let regions: TestRegions;
let dataDir: string;
let awsDir: string;
let secrets: MemorySecretStore;
let app: TestApp;
const cleanups: (() => void)[] = [];
const savedEnv = { ...process.env };
/** A secret that must never be written anywhere: the wrong key of a test. */
const wrongSecret = `WrongSecret${randomBytes(12).toString('hex')}`;
let bucket: string;

function localSecret(): string {
  return regions.handle.secretAccessKey;
}

async function versionedBucket(client: S3Client): Promise<string> {
  const b = bucketName('acc');
  await client.send(new CreateBucketCommand({ Bucket: b }));
  await client.send(
    new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Enabled' } }),
  );
  return b;
}

/** Every file under dir, recursively. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : [p];
  });
}

function assertNoSecretOnDisk(): void {
  const files = filesUnder(dataDir);
  assert.ok(files.some((f) => f.endsWith('accounts.json')));
  assert.ok(files.some((f) => f.endsWith('settings.json')));
  for (const file of files) {
    const content = fs.readFileSync(file);
    for (const secret of [localSecret(), wrongSecret])
      assert.equal(content.includes(secret), false, `a secret key is in ${file}`);
  }
}

function assertNoSecretSeen(): void {
  for (const line of app.seen) {
    assert.equal(line.includes(localSecret()), false, `a secret key went out: ${line}`);
    assert.equal(line.includes(wrongSecret), false, `a secret key went out: ${line}`);
  }
}

before(async () => {
  regions = await startTestRegions();
  const data = tempDir('accounts-data-');
  const aws = tempDir('accounts-aws-');
  cleanups.push(data.cleanup, aws.cleanup);
  dataDir = path.join(data.dir, 'data');
  awsDir = aws.dir;
  // A temporary AWS config: one profile with the local regions' static keys.
  fs.writeFileSync(
    path.join(awsDir, 'config'),
    '[profile rs-local]\nregion = us-east-1\n\n[sso-session corp]\nsso_region = us-east-1\n',
  );
  fs.writeFileSync(
    path.join(awsDir, 'credentials'),
    `[rs-local]\naws_access_key_id = ${regions.handle.accessKeyId}\naws_secret_access_key = ${localSecret()}\n`,
  );
  process.env.AWS_CONFIG_FILE = path.join(awsDir, 'config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(awsDir, 'credentials');
  for (const name of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'])
    delete process.env[name];
  secrets = new MemorySecretStore();
  app = await startTestApp({ dataDir, regions, secrets });
  bucket = await versionedBucket(regions.client('us-east-1'));
});

after(async () => {
  await app.stop();
  await regions.stop();
  for (const c of cleanups) c();
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
  Object.assign(process.env, savedEnv);
});

function byName(list: AccountSummary[], label: RegExp): AccountSummary {
  const a = list.find((x) => label.test(x.label));
  assert.ok(a, `no account matching ${String(label)} in ${JSON.stringify(list)}`);
  return a;
}

test('at start only the local regions are listed, and they test fine', async () => {
  const list = await app.call('accounts.list', {});
  assert.deepEqual(
    list.map((a) => a.kind),
    ['local'],
  );
  const r = await app.call('accounts.test', { id: 'local', region: 'eu-west-1' });
  assert.equal(r.ok, true, r.message);
  const wrong = await app.refused('accounts.test', { id: 'local', region: 'ap-south-9' });
  assert.equal(wrong.code, 'InvalidArguments');
  assert.equal(wrong.issues?.[0]?.path, 'region');
  assert.match(wrong.message, /no region 'ap-south-9'/);
});

test('access keys with a custom endpoint (the local regions) work', async () => {
  const account = await app.call('accounts.addKeys', {
    name: 'Local via keys',
    accessKeyId: regions.handle.accessKeyId,
    secretAccessKey: localSecret(),
    endpoint: regions.endpoint('us-east-1'),
  });
  assert.equal(account.kind, 'custom');
  assert.match(account.label, /Local via keys/);
  assert.match(account.secretStorage, /memory only/);
  assert.doesNotMatch(JSON.stringify(account), new RegExp(localSecret().slice(0, 12)));

  const listed = await app.call('accounts.test', { id: account.id, region: 'us-east-1' });
  assert.equal(listed.ok, true, listed.message);
  assert.ok(listed.buckets?.includes(bucket));
  assert.match(listed.message, /These credentials work/);

  const reached = await app.call('accounts.test', { id: account.id, region: 'us-east-1', bucket });
  assert.deepEqual(reached, {
    ok: true,
    message: `These credentials work: they reach bucket '${bucket}' in us-east-1.`,
  });

  const missing = await app.call('accounts.test', {
    id: account.id,
    region: 'us-east-1',
    bucket: 'no-such-bucket-here',
  });
  assert.equal(missing.ok, false);
  assert.equal(missing.code, 'NoSuchBucket');
  assert.match(missing.message, /'no-such-bucket-here' in us-east-1 does not exist/);
});

test('a wrong secret or an unknown key id fails with a clear message', async () => {
  const wrong = await app.call('accounts.addKeys', {
    name: 'Wrong secret',
    accessKeyId: regions.handle.accessKeyId,
    secretAccessKey: wrongSecret,
    // The same service through its other region's port: a different endpoint.
    endpoint: regions.endpoint('eu-west-1'),
  });
  const listing = await app.call('accounts.test', { id: wrong.id, region: 'eu-west-1' });
  assert.equal(listing.ok, false);
  assert.equal(listing.code, 'SignatureDoesNotMatch');
  assert.match(listing.message, /rejected the secret access key.*re-enter the secret key/);
  assert.ok(listing.message.startsWith(regions.endpoint('eu-west-1')));

  // HEAD has no error body: the test asks again to tell a wrong key from a missing permission.
  const head = await app.call('accounts.test', { id: wrong.id, region: 'us-east-1', bucket });
  assert.equal(head.ok, false);
  assert.equal(head.code, 'SignatureDoesNotMatch');

  const unknown = await app.call('accounts.addKeys', {
    name: 'Unknown key',
    accessKeyId: 'AKIAUNKNOWN000000000',
    secretAccessKey: wrongSecret,
    endpoint: regions.endpoint('us-east-1'),
  });
  const u = await app.call('accounts.test', { id: unknown.id, region: 'us-east-1' });
  assert.equal(u.ok, false);
  assert.equal(u.code, 'InvalidAccessKeyId');
  assert.match(u.message, /does not know this access key id/);

  const nobody = await app.call('accounts.addKeys', {
    name: 'Nothing listens',
    accessKeyId: regions.handle.accessKeyId,
    secretAccessKey: wrongSecret,
    endpoint: 'http://127.0.0.1:9',
  });
  const n = await app.call('accounts.test', { id: nobody.id, region: 'us-east-1' });
  assert.equal(n.ok, false);
  assert.equal(n.code, 'ECONNREFUSED');
  assert.match(n.message, /^Cannot reach http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\)/);
  assert.doesNotMatch(n.message, /retry/i);

  for (const a of [wrong, unknown, nobody]) await app.call('accounts.remove', { id: a.id });
});

test('bad arguments are refused per field, duplicates too', async () => {
  const bad = await app.refused('accounts.addKeys', {
    name: 'x',
    accessKeyId: 'AKIA\tBAD',
    secretAccessKey: 'with a line break\ninside it',
    endpoint: 'ftp://host',
  });
  assert.equal(bad.code, 'InvalidArguments');
  assert.deepEqual(bad.issues?.map((i) => i.path).sort(), [
    'accessKeyId',
    'endpoint',
    'secretAccessKey',
  ]);
  assert.doesNotMatch(bad.message, /with a line break/);

  const sameName = await app.refused('accounts.addKeys', {
    name: 'local via KEYS',
    accessKeyId: 'AKIAANOTHERKEY000000',
    secretAccessKey: wrongSecret,
  });
  assert.equal(sameName.issues?.[0]?.path, 'name');
  assert.match(sameName.message, /named "Local via keys" exists already/);

  const sameKey = await app.refused('accounts.addKeys', {
    name: 'Again',
    accessKeyId: regions.handle.accessKeyId,
    secretAccessKey: localSecret(),
    endpoint: `${regions.endpoint('us-east-1')}/`,
  });
  assert.equal(sameKey.issues?.[0]?.path, 'accessKeyId');
  assert.match(sameKey.message, /already added as "Local via keys"/);

  const pathStyleWithoutEndpoint = await app.refused('accounts.addKeys', {
    name: 'AWS keys',
    accessKeyId: 'AKIAANOTHERKEY000000',
    secretAccessKey: wrongSecret,
    forcePathStyle: true,
  });
  assert.equal(pathStyleWithoutEndpoint.issues?.[0]?.path, 'forcePathStyle');

  const badBucket = await app.refused('accounts.test', {
    id: 'local',
    region: 'us-east-1',
    bucket: 'Not_A_Bucket',
  });
  assert.equal(badBucket.issues?.[0]?.path, 'bucket');
  assert.equal(
    (await app.refused('accounts.test', { id: 'nope', region: 'us-east-1' })).code,
    'NotFound',
  );
});

test('access keys without an endpoint make an AWS keys account', async () => {
  const a = await app.call('accounts.addKeys', {
    name: 'AWS keys',
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: wrongSecret,
  });
  assert.equal(a.kind, 'aws-keys');
  assert.match(a.label, /AWS access key AKIA…MPLE/);
  await app.call('accounts.remove', { id: a.id });
});

test('profiles of the AWS config files are listed and work through the credential chain', async () => {
  const list = await app.call('accounts.listProfiles', {});
  assert.deepEqual(list, {
    profiles: ['rs-local'],
    configFile: path.join(awsDir, 'config'),
    credentialsFile: path.join(awsDir, 'credentials'),
  });

  const missing = await app.refused('accounts.addProfile', { name: 'Nope', profile: 'nope' });
  assert.equal(missing.issues?.[0]?.path, 'profile');
  assert.match(missing.message, /no profile 'nope' in .*config or .*credentials/);

  const account = await app.call('accounts.addProfile', { name: 'Profile', profile: 'rs-local' });
  assert.equal(account.kind, 'aws-profile');
  assert.match(account.label, /AWS profile 'rs-local'/);
  assert.match(account.secretStorage, /AWS config files/);

  const twice = await app.refused('accounts.addProfile', { name: 'Again', profile: 'rs-local' });
  assert.match(twice.message, /already added as "Profile"/);

  // The SDK resolves the profile's keys from the temporary credentials file; the endpoint
  // comes from the standard AWS_ENDPOINT_URL_S3 variable, so the request reaches the
  // local regions instead of AWS.
  process.env.AWS_ENDPOINT_URL_S3 = regions.endpoint('us-east-1');
  try {
    const r = await app.call('accounts.test', { id: account.id, region: 'us-east-1', bucket });
    assert.equal(r.ok, true, r.message);
    const listed = await app.call('accounts.test', { id: account.id, region: 'us-east-1' });
    assert.ok(listed.buckets?.includes(bucket), listed.message);
  } finally {
    delete process.env.AWS_ENDPOINT_URL_S3;
  }
});

test('an account a folder uses cannot be removed; the local one never', async () => {
  const keys = byName(await app.call('accounts.list', {}), /Local via keys/);
  const folder = await app.call('folders.add', {
    // Beside the data dir: folders.add refuses anything inside it.
    path: path.join(path.dirname(dataDir), 'synced-folder'),
    create: true,
    accountId: keys.id,
    bucket,
    region: 'us-east-1',
  });
  const refused = await app.refused('accounts.remove', { id: keys.id });
  assert.equal(refused.code, 'Forbidden');
  assert.match(refused.message, /is used by .*synced-folder: remove that folder in Folders first/);
  assert.ok((await app.call('accounts.list', {})).some((a) => a.id === keys.id));

  const local = await app.refused('accounts.remove', { id: 'local' });
  assert.equal(local.code, 'Forbidden');
  assert.match(local.message, /built into the app/);

  await app.call('folders.remove', { id: folder.id });
  // Still needed by the restart test below: added again after this check.
  const store = JSON.parse(fs.readFileSync(instancePaths(dataDir).accounts, 'utf8')) as {
    accounts: { id: string; secretId?: string }[];
  };
  const secretId = store.accounts.find((a) => a.id === keys.id)?.secretId;
  assert.ok(secretId);
  assert.equal(await secrets.get(secretId), localSecret());
  assert.deepEqual(await app.call('accounts.remove', { id: keys.id }), { removed: true });
  assert.equal(await secrets.get(secretId), undefined);
  assert.equal(
    (await app.call('accounts.list', {})).some((a) => a.id === keys.id),
    false,
  );
  assert.doesNotMatch(
    fs.readFileSync(instancePaths(dataDir).accounts, 'utf8'),
    new RegExp(keys.id),
  );
  assert.equal((await app.refused('accounts.remove', { id: keys.id })).code, 'NotFound');
  const activity = await app.call('activity.list', {});
  assert.ok(activity.some((e) => /^Removed account Local via keys/.test(e.message)));
});

test('accounts persist across restarts; in-memory secrets do not; no secret on disk or on the wire', async () => {
  await app.call('accounts.addKeys', {
    name: 'Kept keys',
    accessKeyId: regions.handle.accessKeyId,
    secretAccessKey: localSecret(),
    endpoint: regions.endpoint('us-east-1'),
    forcePathStyle: true,
    signingRegion: 'us-east-1',
  });
  const accountsFile = instancePaths(dataDir).accounts;
  assert.equal(fs.statSync(accountsFile).mode & 0o777, 0o600);
  assertNoSecretOnDisk();
  assertNoSecretSeen();
  const before = await app.call('accounts.list', {});
  await app.stop();

  // Browser mode after a restart: a new memory store, so the secret is gone and says so.
  app = await startTestApp({ dataDir, regions, secrets: new MemorySecretStore() });
  const after = await app.call('accounts.list', {});
  assert.deepEqual(after, before);
  const kept = byName(after, /Kept keys/);
  const gone = await app.call('accounts.test', { id: kept.id, region: 'us-east-1' });
  assert.equal(gone.ok, false);
  assert.match(
    gone.message,
    /secret access key of account 'Kept keys' is not stored on this computer/,
  );
  // The user enters it again, and the account works without being removed and re-added.
  await assert.rejects(
    app.call('accounts.setSecret', { id: kept.id, secretAccessKey: ' pasted with a space' }),
    /secretAccessKey: The secret access key starts with white space/,
  );
  await app.call('accounts.setSecret', { id: kept.id, secretAccessKey: localSecret() });
  const again = await app.call('accounts.test', { id: kept.id, region: 'us-east-1', bucket });
  assert.equal(again.ok, true, again.message);
  assertNoSecretSeen();
  await app.stop();

  // Desktop after a restart: the secret store kept it.
  app = await startTestApp({ dataDir, regions, secrets });
  const works = await app.call('accounts.test', { id: kept.id, region: 'us-east-1', bucket });
  assert.equal(works.ok, true, works.message);
  const profile = byName(await app.call('accounts.list', {}), /AWS profile 'rs-local'/);
  assert.equal(profile.kind, 'aws-profile');
  assertNoSecretOnDisk();
  assertNoSecretSeen();
  const settingsText = fs.readFileSync(instancePaths(dataDir).settings, 'utf8');
  assert.equal(settingsText.includes(localSecret()), false);
  assert.equal(fs.readFileSync(accountsFile, 'utf8').includes(localSecret()), false);
});
