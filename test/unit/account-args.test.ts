// The accounts.* argument schemas, the AWS config profile reader, and the Accounts
// section's pure form logic.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { commandArgs, parse, SchemaError } from '../../main/contract/index.js';
import {
  awsConfigFiles,
  iniSectionNames,
  listAwsProfiles,
} from '../../main/core/accounts/aws-profiles.js';
import {
  KEYS_FIELDS,
  addKeysArgs,
  addProfileArgs,
  emptyKeysDraft,
  fieldErrorsFromIssues,
  testAccountArgs,
} from '../../renderer/src/account-form.js';
import { tempDir } from '../helpers/temp-dir.js';

function issues(command: keyof typeof commandArgs, args: unknown): Record<string, string> {
  try {
    parse(commandArgs[command], args);
    return {};
  } catch (err) {
    assert.ok(err instanceof SchemaError);
    return Object.fromEntries(err.issues.map((i) => [i.path, i.message]));
  }
}

const goodKeys = {
  name: 'Backup',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

test('accounts.addKeys arguments: lengths and patterns, with messages that say what to enter', () => {
  assert.deepEqual(issues('accounts.addKeys', goodKeys), {});
  assert.deepEqual(
    issues('accounts.addKeys', {
      ...goodKeys,
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      signingRegion: 'us-east-1',
    }),
    {},
  );
  const bad = issues('accounts.addKeys', {
    name: '   ',
    accessKeyId: 'AKIA\tNOT-VALID',
    secretAccessKey: 'has a line break\nin it, which no key has',
    endpoint: 'ftp://example.com',
    signingRegion: 'US East',
  });
  assert.match(bad.name ?? '', /give the account a name/);
  assert.match(bad.accessKeyId ?? '', /access key id has a control character/);
  assert.match(bad.secretAccessKey ?? '', /secret access key has a control character/);
  assert.match(bad.endpoint ?? '', /http:\/\/ or https:\/\/ URL/);
  assert.match(bad.signingRegion ?? '', /region name such as us-east-1/);
  // A message never repeats the value it refuses (a secret above all).
  assert.doesNotMatch(JSON.stringify(bad), /has a line break/);
  // Keys of any length a service issues are taken (test/unit/account-keys.test.ts).
  assert.deepEqual(issues('accounts.addKeys', { ...goodKeys, secretAccessKey: 'short' }), {});
  assert.equal(issues('accounts.addKeys', { ...goodKeys, extra: 1 }).extra, 'is not allowed');
});

test('accounts.addProfile, remove, test and listProfiles arguments', () => {
  assert.deepEqual(issues('accounts.addProfile', { name: 'Work', profile: 'work-sso' }), {});
  assert.match(
    issues('accounts.addProfile', { name: 'Work', profile: 'has space' }).profile ?? '',
    /profile of the AWS config/,
  );
  assert.match(issues('accounts.addProfile', { name: 'Work' }).profile ?? '', /expected a string/);
  assert.deepEqual(issues('accounts.remove', { id: 'acc-AbC_9' }), {});
  assert.match(issues('accounts.remove', { id: '../x' }).id ?? '', /letters, digits/);
  assert.deepEqual(issues('accounts.test', { id: 'local', region: 'eu-west-1' }), {});
  assert.deepEqual(
    issues('accounts.test', { id: 'local', region: 'us-east-1', bucket: 'b-1' }),
    {},
  );
  assert.match(issues('accounts.test', { id: 'local' }).region ?? '', /expected a string/);
  assert.match(
    issues('accounts.test', { id: 'x', region: 'us-east-1', bucket: 'ab' }).bucket ?? '',
    /at least 3/,
  );
  assert.deepEqual(issues('accounts.listProfiles', {}), {});
});

test('INI section names: only sections with settings, comments ignored', () => {
  const text = [
    '# a comment',
    '[default]',
    'region = us-east-1',
    '[profile empty]',
    '; nothing here',
    '[profile dev] # trailing comment',
    'sso_session = corp',
    '[sso-session corp]',
    'sso_start_url = https://example.awsapps.com/start',
  ].join('\n');
  assert.deepEqual(iniSectionNames(text), ['default', 'profile dev', 'sso-session corp']);
});

test('profiles come from AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, default first', async () => {
  const { dir, cleanup } = tempDir('aws-profiles-');
  try {
    const config = path.join(dir, 'config');
    const credentials = path.join(dir, 'credentials');
    fs.writeFileSync(
      config,
      [
        '[profile zeta]',
        'region = eu-west-1',
        '[profile sso-dev]',
        'sso_session = corp',
        'sso_account_id = 111122223333',
        '[sso-session corp]',
        'sso_region = us-east-1',
        '[services local]',
        's3 =',
        '  endpoint_url = http://127.0.0.1:9000',
        '[default]',
        'region = us-east-1',
      ].join('\n'),
    );
    fs.writeFileSync(
      credentials,
      '[alpha]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n[zeta]\naws_access_key_id = A\n',
    );
    const env = { HOME: dir, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials };
    const list = await listAwsProfiles(env);
    assert.deepEqual(list.profiles, ['default', 'alpha', 'sso-dev', 'zeta']);
    assert.equal(list.configFile, config);
    assert.equal(list.credentialsFile, credentials);

    // Without the variables: ~/.aws/config and ~/.aws/credentials; missing files mean none.
    assert.deepEqual(awsConfigFiles({ HOME: dir }), {
      configFile: path.join(dir, '.aws', 'config'),
      credentialsFile: path.join(dir, '.aws', 'credentials'),
    });
    assert.deepEqual((await listAwsProfiles({ HOME: dir })).profiles, []);
    assert.equal(
      awsConfigFiles({ HOME: dir, AWS_CONFIG_FILE: '~/cfg' }).configFile,
      path.join(dir, 'cfg'),
    );
  } finally {
    cleanup();
  }
});

test('the Accounts forms send trimmed arguments and map issues onto fields', () => {
  assert.deepEqual(addProfileArgs({ name: ' Work ', profile: ' dev ' }), {
    args: { name: 'Work', profile: 'dev' },
    errors: {},
  });
  assert.deepEqual(Object.keys(addProfileArgs({ name: '', profile: '' }).errors), [
    'name',
    'profile',
  ]);

  const aws = addKeysArgs({
    ...emptyKeysDraft(),
    name: 'Keys',
    accessKeyId: ' AKIAIOSFODNN7EXAMPLE ',
    secretAccessKey: 'secret-key-0123456789\n',
    signingRegion: 'eu-west-1',
  });
  // No endpoint: AWS keys; the endpoint options are not sent.
  assert.deepEqual(aws, {
    args: {
      name: 'Keys',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'secret-key-0123456789',
    },
    errors: {},
  });
  const custom = addKeysArgs({
    ...emptyKeysDraft(),
    name: 'MinIO',
    accessKeyId: 'minio123',
    secretAccessKey: 'secret-key-0123456789',
    endpoint: 'http://127.0.0.1:9000',
    forcePathStyle: false,
  });
  assert.equal(custom.args.endpoint, 'http://127.0.0.1:9000');
  assert.equal(custom.args.forcePathStyle, false);
  assert.equal('signingRegion' in custom.args, false);
  assert.deepEqual(Object.keys(addKeysArgs(emptyKeysDraft()).errors), [
    'name',
    'accessKeyId',
    'secretAccessKey',
  ]);

  assert.deepEqual(testAccountArgs('acc-1', ' us-east-1 ', ''), {
    args: { id: 'acc-1', region: 'us-east-1' },
    errors: {},
  });
  assert.equal(testAccountArgs('acc-1', '', 'b').errors.region, 'Enter a region, e.g. us-east-1.');

  const mapped = fieldErrorsFromIssues(
    [
      { path: 'accessKeyId', message: 'a' },
      { path: 'accessKeyId', message: 'b' },
      { path: 'endpoint', message: 'c' },
      { path: '', message: 'd' },
    ],
    KEYS_FIELDS,
  );
  assert.deepEqual(mapped.fields, { accessKeyId: 'a b', endpoint: 'c' });
  assert.deepEqual(mapped.other, [{ path: '', message: 'd' }]);
});
