import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const quiet = './scripts/quiet-warnings.mjs';
const env = { ...process.env };
delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
const node = (args: string[]) =>
  spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
const makeClient =
  "import { S3Client } from '@aws-sdk/client-s3'; new S3Client({ region: 'us-east-1' });";
const nodeMajor = Number(process.versions.node.split('.')[0]);

test('npm run cli: a wrong data dir is one line, no stack trace, no SDK warning', () => {
  const r = node([
    '--import',
    'tsx',
    '--import',
    quiet,
    'main/server/cli/main.ts',
    'status',
    '--data-dir',
    '/nonexistent',
  ]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /no Replica Sync data in \/nonexistent/);
  assert.doesNotMatch(r.stderr, /^\s+at /m);
  assert.doesNotMatch(r.stderr, /NodeVersionSupportWarning/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test("the AWS SDK's Node version warning is off where the app starts", () => {
  const loud = node(['--input-type=module', '-e', makeClient]);
  assert.equal(loud.status, 0, loud.stderr);
  // The control: without the switch, Node 20 gets the warning (Node 22 and later never do).
  if (nodeMajor < 22) assert.match(loud.stderr, /NodeVersionSupportWarning/);
  const r = node(['--import', quiet, '--input-type=module', '-e', makeClient]);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /NodeVersionSupportWarning/);
  assert.equal(r.stderr, '');
});

test('a user who set the SDK switch keeps the value', () => {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      quiet,
      '-e',
      'process.stdout.write(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED)',
    ],
    {
      cwd: root,
      env: { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' },
      encoding: 'utf8',
    },
  );
  assert.equal(r.stdout, 'false');
});
