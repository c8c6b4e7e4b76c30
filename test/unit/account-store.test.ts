import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { AccountStore, type StoredAccount } from '../../main/core/accounts/account-store.js';
import { tempDir } from '../helpers/temp-dir.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

const profile: StoredAccount = {
  id: 'acc-profile',
  kind: 'aws-profile',
  name: 'Work AWS',
  profile: 'work-sso',
};
const keys: StoredAccount = {
  id: 'acc-keys',
  kind: 'aws-keys',
  name: 'Backup keys',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretId: 'account-acc-keys-secret',
};
const custom: StoredAccount = {
  id: 'acc-custom',
  kind: 'custom',
  name: 'MinIO',
  endpoint: 'http://127.0.0.1:9000',
  forcePathStyle: true,
  accessKeyId: 'minioadmin',
  secretId: 'account-acc-custom-secret',
  signingRegion: 'us-east-1',
};

let dir: string;
let cleanup: () => void;
let file: string;

beforeEach(() => {
  ({ dir, cleanup } = tempDir('account-store-'));
  file = path.join(dir, 'data', 'accounts.json');
});
afterEach(() => cleanup());

test('no file means no accounts', () => {
  assert.deepEqual(new AccountStore(file).list(), []);
});

test('accounts of every stored kind round-trip through the file, in order', () => {
  const store = new AccountStore(file);
  store.put(profile);
  store.put(keys);
  store.put(custom);
  assert.deepEqual(new AccountStore(file).list(), [profile, keys, custom]);
  assert.deepEqual(store.get('acc-keys'), keys);

  const renamed = { ...profile, name: 'Work' };
  store.put(renamed);
  assert.deepEqual(
    store.list().map((a) => a.name),
    ['Work', 'Backup keys', 'MinIO'],
  );

  assert.equal(store.remove('acc-keys'), true);
  assert.equal(store.remove('acc-keys'), false);
  assert.deepEqual(new AccountStore(file).list(), [renamed, custom]);
});

test('the file has mode 0600, also under a permissive umask, and no temp file is left', () => {
  const old = process.umask(0o000);
  try {
    new AccountStore(file).put(keys);
  } finally {
    process.umask(old);
  }
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(fs.readdirSync(path.dirname(file)), ['accounts.json']);
});

test('no secret reaches the file, even on a record that carries one', () => {
  const store = new AccountStore(file);
  // A caller that wrongly passes the secret along: only the known fields are written.
  const leaky = { ...custom, secretAccessKey: SECRET, sessionToken: SECRET } as StoredAccount;
  store.put(leaky);
  store.put({ ...keys, secretAccessKey: SECRET } as StoredAccount);
  const text = fs.readFileSync(file, 'utf8');
  assert.doesNotMatch(text, /wJalrXUtnFEMI/);
  assert.doesNotMatch(text, /secretAccessKey|sessionToken/);
  assert.deepEqual(store.list(), [custom, keys]);
  const raw = JSON.parse(text) as { version: number; accounts: Record<string, unknown>[] };
  assert.equal(raw.version, 1);
  assert.deepEqual(Object.keys(raw.accounts[1] ?? {}).sort(), [
    'accessKeyId',
    'id',
    'kind',
    'name',
    'secretId',
  ]);
});

test('an invalid record is refused before anything is written', () => {
  const store = new AccountStore(file);
  assert.throws(
    () => store.put({ ...custom, endpoint: 'ftp://example.com' }),
    /not an http\(s\) URL/,
  );
  assert.equal(fs.existsSync(file), false);
});

test('a damaged file is reported with its path and the fix, and left as it is', () => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '{"accounts": [ {"kind": "aws-keys"');
  const store = new AccountStore(file);
  assert.throws(
    () => store.list(),
    (err: Error) => {
      assert.match(err.message, /accounts\.json is damaged/);
      assert.match(err.message, /fix it or remove it/);
      return true;
    },
  );
  assert.throws(() => store.put(profile), /damaged/);
  assert.equal(fs.readFileSync(file, 'utf8'), '{"accounts": [ {"kind": "aws-keys"');

  fs.writeFileSync(file, JSON.stringify({ version: 1, accounts: [{ kind: 'local', id: 'x' }] }));
  assert.throws(() => store.list(), /entry 1 has an unknown kind "local"/);
  fs.writeFileSync(file, JSON.stringify({ version: 1, accounts: [{ ...keys, accessKeyId: 42 }] }));
  assert.throws(() => store.list(), /entry 1 has no valid accessKeyId/);
  fs.writeFileSync(file, JSON.stringify({ version: 9, accounts: [] }));
  assert.throws(() => store.list(), /newer Replica Sync/);
});
