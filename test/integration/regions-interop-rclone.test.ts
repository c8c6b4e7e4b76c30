// The local regions against a real peer: Debian's rclone, configured only through a temporary
// config file and arguments (no user config; AWS_CA_BUNDLE unset, which rclone needs).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  cleanEnv,
  pseudoRandomBytes,
  requireBinary,
  run,
  treeHashes,
  treeSizes,
  writeTree,
  type RegionsProcess,
} from '../helpers/regions-process.js';
import { startInterop } from '../helpers/interop.js';

const RCLONE = 'rclone';
const US = 'us-east-1';
const EU = 'eu-west-1';
// Every local file gets this mtime; rclone keeps it in X-Amz-Meta-Mtime and lsl shows it.
const MTIME = new Date('2021-03-04T05:06:07.250Z');

let server: RegionsProcess;
let work: string;
let config: string;
let env: NodeJS.ProcessEnv;
let cleanup: () => void;

before(async () => {
  requireBinary(RCLONE, ['version'], 'apt-get install -y rclone');
  const t = await startInterop('rs-interop-rclone-');
  ({ server, work, cleanup } = t);
  config = path.join(t.dir, 'rclone.conf');
  const remote = (name: string, region: string) =>
    [
      `[${name}]`,
      'type = s3',
      'provider = Other',
      `endpoint = ${server.endpoint(region)}`,
      `access_key_id = ${server.accessKeyId}`,
      `secret_access_key = ${server.secretAccessKey}`,
      `region = ${region}`,
      'force_path_style = true',
      '',
    ].join('\n');
  fs.writeFileSync(config, remote('us', US) + remote('eu', EU), { mode: 0o600 });
  // cleanEnv drops every AWS_* (AWS_CA_BUNDLE included) and RCLONE_* variable.
  env = cleanEnv({ RCLONE_CONFIG: config, TZ: 'UTC', HOME: t.dir });
});

after(async () => {
  await server?.stop();
  cleanup?.();
});

/** Runs rclone (one try, no low-level retries hiding errors); fails with its stderr. */
async function rcloneRun(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const r = await run(
    RCLONE,
    ['--config', config, '--retries', '1', '--low-level-retries', '1', ...args],
    env,
    45000,
  );
  assert.equal(
    r.code,
    0,
    `rclone ${args.join(' ')} exited ${r.code}\n${r.stderr}\n--- server ---\n${server.output().slice(-2000)}`,
  );
  return r;
}

async function rclone(...args: string[]): Promise<string> {
  return (await rcloneRun(args)).stdout;
}

function local(...parts: string[]): string {
  return path.join(work, ...parts);
}

function makeTree(dir: string, files: Record<string, Buffer | string>): void {
  writeTree(dir, files);
  for (const rel of Object.keys(files)) fs.utimesSync(path.join(dir, rel), MTIME, MTIME);
}

/** Parses `rclone lsl` ("   SIZE YYYY-MM-DD HH:MM:SS.nnnnnnnnn path") into path -> size/mtime. */
function parseLsl(out: string): Record<string, { size: number; mtime: string }> {
  const res: Record<string, { size: number; mtime: string }> = {};
  for (const line of out.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^\s*(\d+) (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) (.+)$/.exec(line);
    assert.ok(m, `unexpected lsl line: ${line}`);
    res[m[3] as string] = { size: Number(m[1]), mtime: m[2] as string };
  }
  return res;
}

const TREE: Record<string, Buffer | string> = {
  'readme.txt': 'rclone was here\n',
  'empty.dat': '',
  'a/one.txt': 'one\n',
  'a/b/two.bin': pseudoRandomBytes(123457, 'rclone-two'),
  'a/b/c/three with space.txt': 'three\n',
  'docs/notes+draft (1).md': '# notes\n',
  'docs/ünïcödé.txt': 'unicode name\n',
  // Above --s3-upload-cutoff, so rclone uploads it in 5 MiB parts.
  'big/multipart.bin': pseudoRandomBytes(12 * 1024 * 1024 + 777, 'rclone-big'),
};
const MULTIPART = ['--s3-upload-cutoff', '5M', '--s3-chunk-size', '5M'];

test('rclone copy up and back down keeps every byte, including a multipart upload', async () => {
  await rclone('mkdir', 'us:interop-rclone');
  const src = local('copy-src');
  makeTree(src, TREE);
  const up = await rcloneRun(['copy', '-vv', ...MULTIPART, src, 'us:interop-rclone/copy']);
  assert.match(up.stderr, /big\/multipart\.bin: multipart upload starting chunk 3 /);
  assert.doesNotMatch(up.stderr, /ERROR/);

  const dst = local('copy-dst');
  const down = await rcloneRun(['copy', '-vv', 'us:interop-rclone/copy', dst]);
  // rclone compares the MD5 of what it downloaded with the ETag / md5chksum metadata.
  assert.match(down.stderr, /a\/b\/two\.bin: md5 = [0-9a-f]{32} OK/);
  assert.match(down.stderr, /big\/multipart\.bin: md5 = [0-9a-f]{32} OK/);
  assert.deepEqual(treeHashes(dst), treeHashes(src));
  // rclone sets the mtime it stored in the object metadata on the downloaded files.
  assert.equal(fs.statSync(path.join(dst, 'a', 'one.txt')).mtime.getTime(), MTIME.getTime());

  // `check` compares sizes and MD5s (ETags, and the md5chksum metadata of the multipart one).
  await rclone('check', src, 'us:interop-rclone/copy');
});

test('rclone lsl lists the same names and sizes as the local tree', async () => {
  const src = local('copy-src');
  const listed = parseLsl(await rclone('lsl', 'us:interop-rclone/copy'));
  const sizes = Object.fromEntries(Object.entries(listed).map(([k, v]) => [k, v.size]));
  assert.deepEqual(sizes, treeSizes(src));
  for (const [name, { mtime }] of Object.entries(listed)) {
    assert.equal(mtime, '2021-03-04 05:06:07.250000000', `mtime of ${name}`);
  }
});

test('rclone sync propagates additions, changes and a deletion', async () => {
  const src = local('sync-src');
  makeTree(src, {
    'keep.txt': 'keep me\n',
    'change.txt': 'before\n',
    'gone/deleted.txt': 'delete me\n',
    'nested/deep/file.bin': pseudoRandomBytes(50000, 'rclone-sync'),
  });
  await rclone('mkdir', 'eu:interop-rclone-sync');
  await rclone('sync', src, 'eu:interop-rclone-sync/mirror');
  assert.deepEqual(
    Object.keys(parseLsl(await rclone('lsl', 'eu:interop-rclone-sync/mirror'))).sort(),
    ['change.txt', 'gone/deleted.txt', 'keep.txt', 'nested/deep/file.bin'],
  );

  fs.rmSync(path.join(src, 'gone'), { recursive: true });
  fs.writeFileSync(path.join(src, 'change.txt'), 'after, and longer\n');
  fs.writeFileSync(path.join(src, 'added.txt'), 'new\n');
  await rclone('sync', src, 'eu:interop-rclone-sync/mirror');

  const listed = parseLsl(await rclone('lsl', 'eu:interop-rclone-sync/mirror'));
  assert.deepEqual(
    Object.fromEntries(Object.entries(listed).map(([k, v]) => [k, v.size])),
    treeSizes(src),
  );
  assert.equal(listed['gone/deleted.txt'], undefined);
  assert.equal(
    await rclone('cat', 'eu:interop-rclone-sync/mirror/change.txt'),
    'after, and longer\n',
  );

  // Syncing down into an empty folder gives back exactly the source tree.
  const down = local('sync-down');
  await rclone('sync', 'eu:interop-rclone-sync/mirror', down);
  assert.deepEqual(treeHashes(down), treeHashes(src));

  // As in S3, ListBuckets answers every bucket of the account whichever region is asked.
  for (const remote of ['us:', 'eu:']) {
    const names = (await rclone('lsd', remote))
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/).pop());
    assert.deepEqual(names.sort(), ['interop-rclone', 'interop-rclone-sync'], remote);
  }
});
