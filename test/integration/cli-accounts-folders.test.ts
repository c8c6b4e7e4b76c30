// `npm run cli -- accounts add / folders add / … list` against a real instance (`npm start`
// in browser mode): a custom account with a short Ceph-style key on a second local-regions
// server, a folder on it that then syncs, and the errors a script meets.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  CreateBucketCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
} from '@aws-sdk/client-s3';
import type { AccountSummary, FolderSummary } from '../../main/contract/index.js';
import { startApp } from '../helpers/app-process.js';
import { bucketName, startTestRegions, waitFor } from '../helpers/regions.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// Shorter than the old rule allowed (8 and 16 characters): what Ceph users get.
const ACCESS_KEY = 'rs';
const SECRET = 'Ceph5ecret';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a child process (the instance runs in another one); `input` goes to stdin. */
function cli(args: string[], input = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'cli', '--', ...args], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

function json<T>(run: Run): T {
  assert.equal(run.code, 0, `exit 0 expected:\n${run.stderr}\n${run.stdout}`);
  return JSON.parse(run.stdout) as T;
}

/** Every file under dir whose bytes contain text. */
function filesContaining(dir: string, text: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (fs.readFileSync(file).includes(text)) found.push(file);
  }
  return found;
}

test('accounts add and folders add go through the running instance; errors exit 1', async (t) => {
  const { dir, cleanup } = tempDir('rs-cli-acc-');
  t.after(cleanup);
  const dataDir = path.join(dir, 'data');
  const folder = path.join(dir, 'Ceph folder');

  // A second S3 service whose credentials are a short key pair, like a Ceph user's.
  const serviceDir = path.join(dir, 'service');
  fs.mkdirSync(serviceDir);
  fs.writeFileSync(
    path.join(serviceDir, 'credentials.json'),
    JSON.stringify({ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET, adminToken: 'test-admin' }),
  );
  const service = await startTestRegions({ regions: ['us-east-1'], dataDir: serviceDir });
  t.after(() => service.stop());
  assert.equal(service.handle.accessKeyId, ACCESS_KEY);
  const endpoint = service.endpoint('us-east-1');
  const bucket = bucketName('cli-ceph');
  const s3 = service.client('us-east-1');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(
    new PutBucketVersioningCommand({
      Bucket: bucket,
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );

  // Nothing runs yet: the CLI says so and how to start it.
  const down = await cli(['accounts', 'list', '--data-dir', dataDir]);
  assert.equal(down.code, 1);
  assert.equal(
    down.stderr.trim(),
    `Replica Sync is not running with data dir ${dataDir}: start it with npm start -- --data-dir ${dataDir}`,
  );
  const downJson = await cli(['folders', 'list', '--data-dir', dataDir, '--json']);
  assert.equal(downJson.code, 1);
  assert.equal(
    (JSON.parse(downJson.stdout) as { error: { code: string } }).error.code,
    'NotRunning',
  );

  const app = await startApp(['--data-dir', dataDir]);
  t.after(() => app.stop());

  // 1. The account, with the key pair the old rule refused.
  const addArgs = ['accounts', 'add', '--name', 'Ceph', '--endpoint', endpoint];
  const keyArgs = ['--access-key', ACCESS_KEY, '--secret-key', SECRET, '--data-dir', dataDir];
  const addRun = await cli([...addArgs, ...keyArgs, '--path-style', '--json']);
  const account = json<AccountSummary>(addRun);
  assert.equal(account.kind, 'custom');
  assert.equal(account.name, 'Ceph');
  assert.equal(account.label, `Ceph (${endpoint})`);
  assert.match(account.id, /^acc-/);

  // The same pair again: the window's own refusal, in words, exit 1.
  const twin = await cli([
    'accounts',
    'add',
    '--name',
    'Ceph again',
    '--endpoint',
    endpoint,
    ...keyArgs,
  ]);
  assert.equal(twin.code, 1);
  assert.match(twin.stderr, /Cannot add account "Ceph again"/);
  assert.match(twin.stderr, /--access-key: This access key is already added as "Ceph"/);

  // A secret from stdin, for scripts that keep it out of ps; text output.
  const minio = await cli(
    [
      'accounts',
      'add',
      '--name',
      'MinIO',
      '--endpoint',
      'http://127.0.0.1:9/',
      '--access-key',
      'minioadmin',
      '--secret-key',
      '-',
      '--data-dir',
      dataDir,
    ],
    'minioadmin\n',
  );
  assert.equal(minio.code, 0, minio.stderr);
  assert.equal(minio.stdout, 'Added account MinIO (http://127.0.0.1:9)\n');

  const listed = json<AccountSummary[]>(
    await cli(['accounts', 'list', '--data-dir', dataDir, '--json']),
  );
  assert.deepEqual(
    listed.filter((a) => a.kind === 'custom').map((a) => [a.name, a.label]),
    [
      ['Ceph', `Ceph (${endpoint})`],
      ['MinIO', 'MinIO (http://127.0.0.1:9)'],
    ],
  );
  const listText = await cli(['accounts', 'list', '--data-dir', dataDir]);
  assert.equal(listText.code, 0, listText.stderr);
  assert.ok(
    listText.stdout.includes(`Ceph (${endpoint})  [custom, id ${account.id}]`),
    listText.stdout,
  );

  // 2. The folder, naming the account by name; it syncs with the short key. It does not
  // exist yet: refused (nothing made) until --create says to make it.
  const missing = await cli([
    'folders',
    'add',
    folder,
    '--account',
    'ceph',
    '--bucket',
    bucket,
    '--data-dir',
    dataDir,
  ]);
  assert.equal(missing.code, 1);
  assert.ok(
    missing.stderr.includes(`${folder} does not exist: choose Create it, or pick an existing`),
    missing.stderr,
  );
  assert.match(missing.stderr, /run the command again with --create/);
  assert.equal(fs.existsSync(folder), false);
  const folderRun = await cli([
    'folders',
    'add',
    folder,
    '--create',
    '--account',
    'ceph',
    '--bucket',
    bucket,
    '--region',
    'us-east-1',
    '--prefix',
    'team',
    '--peers',
    'other-site=minio',
    '--data-dir',
    dataDir,
    '--json',
  ]);
  const added = json<FolderSummary>(folderRun);
  // The other endpoint of the same bucket, reached with the account named after '='.
  const minioId = listed.find((a) => a.name === 'MinIO')?.id;
  assert.deepEqual(added.peers, [
    { label: 'other-site', accountId: minioId, bucket, region: 'us-east-1' },
  ]);
  assert.equal(added.path, folder);
  assert.equal(added.accountId, account.id);
  assert.equal(added.bucket, bucket);
  assert.equal(added.region, 'us-east-1');
  assert.equal(added.prefix, 'team/');
  assert.equal(added.error, null);

  const folders = json<FolderSummary[]>(
    await cli(['folders', 'list', '--data-dir', dataDir, '--json']),
  );
  assert.deepEqual(
    folders.filter((f) => f.id === added.id).map((f) => [f.path, f.bucket, f.accountId]),
    [[folder, bucket, account.id]],
  );
  const foldersText = await cli(['folders', 'list', '--data-dir', dataDir]);
  assert.ok(
    foldersText.stdout.includes(
      `${folder} → s3://${bucket}/team/ (us-east-1) on account Ceph  [id ${added.id}`,
    ),
    foldersText.stdout,
  );

  fs.writeFileSync(path.join(folder, 'hello.txt'), 'through the CLI\n');
  await waitFor(
    async () => {
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'team/hello.txt' }));
      return head.VersionId !== undefined;
    },
    30_000,
    'the file uploaded to the short-key service',
  );

  // 3. Errors a script meets: an unknown account, a bad endpoint, a key with a tab.
  const other = path.join(dir, 'Other folder');
  const unknown = await cli([
    'folders',
    'add',
    other,
    '--account',
    'Nope',
    '--bucket',
    bucket,
    '--data-dir',
    dataDir,
  ]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /No account named or with id "Nope"/);
  assert.ok(unknown.stderr.includes(`Ceph (${endpoint})`), 'the known accounts are listed');
  const unknownJson = await cli([
    'folders',
    'add',
    other,
    '--account',
    'Nope',
    '--bucket',
    bucket,
    '--data-dir',
    dataDir,
    '--json',
  ]);
  assert.equal(unknownJson.code, 1);
  const unknownError = (
    JSON.parse(unknownJson.stdout) as { error: { code: string; message: string } }
  ).error;
  assert.equal(unknownError.code, 'NotFound');
  assert.match(unknownError.message, /"Nope"/);

  // Nothing answers at the MinIO account's endpoint: the message names it, and the folder
  // is not made although --create asked for it (every check runs first).
  const unreachable = await cli([
    'folders',
    'add',
    other,
    '--create',
    '--account',
    'MinIO',
    '--bucket',
    bucket,
    '--region',
    'us-east-1',
    '--data-dir',
    dataDir,
  ]);
  assert.equal(unreachable.code, 1);
  assert.ok(
    unreachable.stderr.includes(`Cannot add folder ${other} on account MinIO (http://127.0.0.1:9)`),
    unreachable.stderr,
  );
  assert.match(unreachable.stderr, /--bucket ".*": Cannot reach S3/);
  assert.equal(fs.existsSync(other), false, 'a refused add makes nothing');

  const badEndpoint = await cli([
    'accounts',
    'add',
    '--name',
    'Bad',
    '--endpoint',
    'ftp://s3.example.com',
    ...keyArgs,
  ]);
  assert.equal(badEndpoint.code, 1);
  assert.match(
    badEndpoint.stderr,
    /--endpoint "ftp:\/\/s3\.example\.com": use an http:\/\/ or https:\/\/ URL/,
  );

  const tabbed = await cli([
    ...addArgs.slice(0, 3),
    'Tabbed',
    '--endpoint',
    endpoint,
    '--access-key',
    'r\ts',
    '--secret-key',
    SECRET,
    '--data-dir',
    dataDir,
    '--json',
  ]);
  assert.equal(tabbed.code, 1);
  const tabError = (
    JSON.parse(tabbed.stdout) as {
      error: { code: string; issues: { path: string; message: string }[] };
    }
  ).error;
  assert.equal(tabError.code, 'InvalidArguments');
  assert.deepEqual(tabError.issues, [
    {
      path: 'accessKeyId',
      message:
        'The access key id has a control character (a tab or line break, for example): paste it again without it.',
    },
  ]);

  // The secret is in no output, no log line and (browser mode) no file of the data dir.
  const everything = [
    addRun,
    twin,
    minio,
    listText,
    folderRun,
    foldersText,
    unreachable,
    badEndpoint,
    tabbed,
  ]
    .map((r) => r.stdout + r.stderr)
    .join('\n');
  assert.equal(everything.includes(SECRET), false, 'no CLI output carries the secret');
  assert.equal(app.output().includes(SECRET), false, 'the instance logs no secret');
  assert.deepEqual(filesContaining(dataDir, SECRET), []);
});
