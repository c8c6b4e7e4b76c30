// The one rule for access key ids and secret access keys: any key a service issues is
// taken (MinIO's defaults, Ceph's short keys, AWS's), only what cannot be sent is refused,
// and the contract schemas, the account records and the CLI all say it the same way.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commandArgs, parse, SchemaError } from '../../main/contract/index.js';
import { credentialProblem } from '../../main/contract/credentials.js';
import { accountProblems, type CustomAccount } from '../../main/core/accounts/account.js';
import { addKeysArgs, emptyKeysDraft, setSecretArgs } from '../../renderer/src/account-form.js';

function issues(command: keyof typeof commandArgs, args: unknown): Record<string, string> {
  try {
    parse(commandArgs[command], args);
    return {};
  } catch (err) {
    assert.ok(err instanceof SchemaError);
    return Object.fromEntries(err.issues.map((i) => [i.path, i.message]));
  }
}

const custom = (accessKeyId: string): CustomAccount => ({
  id: 'acc-1',
  kind: 'custom',
  name: 'Ceph',
  endpoint: 'http://127.0.0.1:7480',
  forcePathStyle: true,
  accessKeyId,
  secretId: 'account-acc-1-secret',
});

const accepted: [string, string][] = [
  ['minioadmin', 'minioadmin'],
  ['rs', 'short'],
  ['a', 'b'],
  ['AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
  ['GOOG1EXAMPLE_key-with.symbols', 'secret with inner spaces'],
  ['ceph/user:key', 'sécret-ünïcode'],
];

test('MinIO defaults, short Ceph keys and AWS-style keys are accepted everywhere', () => {
  for (const [accessKeyId, secretAccessKey] of accepted) {
    const label = `${accessKeyId} / ${secretAccessKey}`;
    assert.equal(credentialProblem('accessKeyId', accessKeyId), undefined, label);
    assert.equal(credentialProblem('secretAccessKey', secretAccessKey), undefined, label);
    const args = { name: 'S3', accessKeyId, secretAccessKey, endpoint: 'http://127.0.0.1:9000' };
    assert.deepEqual(issues('accounts.addKeys', args), {}, label);
    assert.deepEqual(issues('accounts.setSecret', { id: 'acc-1', secretAccessKey }), {}, label);
    assert.deepEqual(accountProblems(custom(accessKeyId)), [], label);
    assert.deepEqual(accountProblems({ ...custom(accessKeyId), kind: 'aws-keys' }), [], label);
  }
});

const refused: { value: string; says: RegExp }[] = [
  { value: '', says: /^Enter the access key id\.$/ },
  { value: '   ', says: /only white space: enter the key itself/ },
  { value: ' minioadmin', says: /starts with white space.*paste it again without it/ },
  { value: 'minioadmin ', says: /ends with white space.*paste it again without it/ },
  { value: 'minioadmin\n', says: /ends with white space/ },
  { value: 'minio\tadmin', says: /has a control character.*paste it again without it/ },
  { value: 'minio\nadmin', says: /has a control character/ },
  { value: 'minio\u0000admin', says: /has a control character/ },
  { value: 'minio\u007fadmin', says: /has a control character/ },
];

test('empty, white space only, white space at an end and control characters are refused', () => {
  for (const { value, says } of refused) {
    const label = JSON.stringify(value);
    const problem = credentialProblem('accessKeyId', value);
    assert.match(problem ?? '', says, label);
    assert.match(problem ?? '', /access key id/, `${label} names the field`);
    assert.match(
      credentialProblem('secretAccessKey', value) ?? '',
      /secret access key/,
      `${label} is refused as a secret too, naming the field`,
    );
    // The schema gives the same sentence on the field; the record check refuses it too.
    const bad = issues('accounts.addKeys', {
      name: 'S3',
      accessKeyId: value,
      secretAccessKey: value,
    });
    assert.equal(bad.accessKeyId, problem, label);
    assert.match(bad.secretAccessKey ?? '', /secret access key/, label);
    assert.deepEqual(accountProblems(custom(value)), [problem], label);
  }
});

test('the access key id travels in the Authorization header: non-ASCII and commas are refused', () => {
  assert.match(credentialProblem('accessKeyId', 'clé') ?? '', /outside plain ASCII/);
  assert.match(credentialProblem('accessKeyId', 'key\u00a0id') ?? '', /outside plain ASCII/);
  assert.match(credentialProblem('accessKeyId', 'a,b') ?? '', /comma/);
  // The secret is only a signing key: it may hold what a header could not.
  assert.equal(credentialProblem('secretAccessKey', 'clé,secrète'), undefined);
  assert.match(credentialProblem('accessKeyId', 'A'.repeat(257)) ?? '', /longer than 256/);
  assert.equal(credentialProblem('accessKeyId', 'A'.repeat(256)), undefined);
});

test('a refusal never repeats the key it refuses', () => {
  const secret = 'wJalrXUtnFEMI\tK7MDENG';
  const bad = issues('accounts.setSecret', { id: 'acc-1', secretAccessKey: secret });
  assert.match(bad.secretAccessKey ?? '', /control character/);
  assert.doesNotMatch(JSON.stringify(bad), /wJalrXUtnFEMI/);
  assert.match(
    issues('accounts.addKeys', { name: 'S3', accessKeyId: 42 }).accessKeyId ?? '',
    /expected a string/,
  );
});

test('the forms drop a pasted space or newline at the ends and leave the rest to the rule', () => {
  const draft = {
    ...emptyKeysDraft(),
    name: 'MinIO',
    accessKeyId: ' minioadmin\n',
    secretAccessKey: 'minioadmin\n',
    endpoint: 'http://127.0.0.1:9000',
  };
  const { args, errors } = addKeysArgs(draft);
  assert.deepEqual(errors, {});
  assert.equal(args.accessKeyId, 'minioadmin');
  assert.equal(args.secretAccessKey, 'minioadmin');
  assert.deepEqual(issues('accounts.addKeys', args), {});
  // A tab inside is sent as typed, and the contract's sentence comes back on the field.
  const tabbed = addKeysArgs({ ...draft, accessKeyId: 'minio\tadmin' }).args;
  assert.match(issues('accounts.addKeys', tabbed).accessKeyId ?? '', /control character/);

  assert.deepEqual(setSecretArgs('acc-1', ' short\n'), {
    args: { id: 'acc-1', secretAccessKey: 'short' },
  });
  assert.equal(setSecretArgs('acc-1', '  ').error, 'Enter the secret access key.');
});
