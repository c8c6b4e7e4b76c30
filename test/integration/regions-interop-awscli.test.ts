// The local regions against a real peer: Debian's AWS CLI v2 (/usr/bin/aws), configured only
// through the environment, arguments and temporary config files (the user's ~/.aws is never read).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  cleanEnv,
  pseudoRandomBytes,
  requireBinary,
  run,
  sha256File,
  treeHashes,
  waitFor,
  writeTree,
  type RegionsProcess,
} from '../helpers/regions-process.js';
import { startInterop } from '../helpers/interop.js';

const AWS = '/usr/bin/aws';
const US = 'us-east-1';
const EU = 'eu-west-1';

let server: RegionsProcess;
let work: string;
let env: NodeJS.ProcessEnv;
let cleanup: () => void;

before(async () => {
  requireBinary(AWS, ['--version'], 'apt-get install -y awscli');
  const t = await startInterop('rs-interop-aws-');
  ({ server, work, cleanup } = t);
  const config = path.join(t.dir, 'aws-config');
  const credentials = path.join(t.dir, 'aws-credentials');
  fs.writeFileSync(config, `[default]\nregion = ${US}\noutput = json\n`, { mode: 0o600 });
  fs.writeFileSync(credentials, '', { mode: 0o600 });
  env = cleanEnv({
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: credentials,
    AWS_ACCESS_KEY_ID: server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    AWS_DEFAULT_REGION: US,
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
});

after(async () => {
  await server?.stop();
  cleanup?.();
});

/** Runs the AWS CLI against one region's endpoint; fails with the CLI's stderr. */
async function aws(args: string[], region = US): Promise<string> {
  const r = await run(
    AWS,
    [...args, '--endpoint-url', server.endpoint(region), '--region', region],
    env,
    45000,
  );
  assert.equal(
    r.code,
    0,
    `aws ${args.join(' ')} (region ${region}) exited ${r.code}\n${r.stderr}\n--- server ---\n${server.output().slice(-2000)}`,
  );
  return r.stdout;
}

async function awsJson<T>(args: string[], region = US): Promise<T> {
  return JSON.parse(await aws(args, region)) as T;
}

function local(...parts: string[]): string {
  return path.join(work, ...parts);
}

function md5(buf: Buffer): string {
  return createHash('md5').update(buf).digest('hex');
}

test('the CLI prints every endpoint and the credentials, and writes them to a 0600 regions.json', () => {
  assert.deepEqual(
    server.regions.map((r) => r.name),
    [US, EU],
  );
  for (const r of server.regions) {
    assert.match(r.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(server.banner.includes(`region ${r.name} ${r.endpoint}`), server.banner.join('\n'));
  }
  assert.ok(server.banner.includes(`accessKeyId ${server.accessKeyId}`));
  assert.ok(server.banner.includes(`secretAccessKey ${server.secretAccessKey}`));
  assert.equal(server.regionsJsonMode, 0o600);
});

test('s3 cp up and down: a small file and a 20 MiB multipart file keep their bytes', async () => {
  await aws(['s3', 'mb', 's3://interop-cp']);
  const small = local('small.txt');
  fs.writeFileSync(small, 'hello from the AWS CLI\nsecond line\n');
  const big = local('big.bin');
  const bigBytes = pseudoRandomBytes(20 * 1024 * 1024 + 12345, 'aws-cp-big');
  fs.writeFileSync(big, bigBytes);

  await aws(['s3', 'cp', small, 's3://interop-cp/in/small.txt']);
  await aws(['s3', 'cp', big, 's3://interop-cp/in/big.bin']);

  // The CLI splits anything above 8 MiB into 8 MiB parts: three parts here.
  const head = await awsJson<{ ContentLength: number; ETag: string }>([
    's3api',
    'head-object',
    '--bucket',
    'interop-cp',
    '--key',
    'in/big.bin',
  ]);
  assert.equal(head.ContentLength, bigBytes.length);
  assert.match(head.ETag, /^"[0-9a-f]{32}-3"$/, 'a multipart ETag with 3 parts');
  const smallHead = await awsJson<{ ETag: string }>([
    's3api',
    'head-object',
    '--bucket',
    'interop-cp',
    '--key',
    'in/small.txt',
  ]);
  assert.equal(smallHead.ETag, `"${md5(fs.readFileSync(small))}"`);

  await aws(['s3', 'cp', 's3://interop-cp/in/small.txt', local('small.down.txt')]);
  await aws(['s3', 'cp', 's3://interop-cp/in/big.bin', local('big.down.bin')]);
  assert.equal(sha256File(local('small.down.txt')), sha256File(small));
  assert.equal(fs.statSync(local('big.down.bin')).size, bigBytes.length);
  assert.equal(sha256File(local('big.down.bin')), sha256File(big));

  const listing = await aws(['s3', 'ls', 's3://interop-cp/in/']);
  assert.match(listing, new RegExp(`\\s${bigBytes.length} big\\.bin\\n`));
  assert.match(listing, new RegExp(`\\s${fs.statSync(small).size} small\\.txt\\n`));
});

test('s3 sync uploads a nested folder and syncs it back down into another folder', async () => {
  await aws(['s3', 'mb', 's3://interop-sync']);
  const src = local('sync-src');
  writeTree(src, {
    'top.txt': 'top level\n',
    'empty.txt': '',
    'a/one.txt': 'one\n',
    'a/b/two.bin': pseudoRandomBytes(70000, 'two'),
    'a/b/c/three with space.txt': 'three\n',
    'docs/notes+draft (1).md': '# notes\n',
    'docs/ünïcödé.txt': 'unicode name\n',
  });
  await aws(['s3', 'sync', src, 's3://interop-sync/tree']);

  const listed = await aws(['s3', 'ls', '--recursive', 's3://interop-sync/tree/']);
  const keys = listed
    .trim()
    .split('\n')
    .map((l) => /^\S+ \S+\s+\d+ (.+)$/.exec(l)?.[1])
    .sort();
  assert.deepEqual(
    keys,
    Object.keys(treeHashes(src))
      .map((k) => `tree/${k}`)
      .sort(),
  );

  const dst = local('sync-dst');
  await aws(['s3', 'sync', 's3://interop-sync/tree', dst]);
  assert.deepEqual(treeHashes(dst), treeHashes(src));

  // A second sync has nothing to do in either direction.
  const again = await aws(['s3', 'sync', src, 's3://interop-sync/tree']);
  assert.equal(again.trim(), '');
});

test('s3api list-object-versions shows both writes of a key, the second one latest', async () => {
  await aws(['s3api', 'create-bucket', '--bucket', 'interop-versions']);
  await aws([
    's3api',
    'put-bucket-versioning',
    '--bucket',
    'interop-versions',
    '--versioning-configuration',
    'Status=Enabled',
  ]);
  const status = await awsJson<{ Status?: string }>([
    's3api',
    'get-bucket-versioning',
    '--bucket',
    'interop-versions',
  ]);
  assert.equal(status.Status, 'Enabled');

  const first = Buffer.from('first version\n');
  const second = Buffer.from('second, longer version\n');
  fs.writeFileSync(local('v1.txt'), first);
  fs.writeFileSync(local('v2.txt'), second);
  await aws(['s3', 'cp', local('v1.txt'), 's3://interop-versions/doc.txt']);
  await aws(['s3', 'cp', local('v2.txt'), 's3://interop-versions/doc.txt']);

  interface Version {
    Key: string;
    VersionId: string;
    IsLatest: boolean;
    Size: number;
    ETag: string;
  }
  const out = await awsJson<{ Versions?: Version[]; DeleteMarkers?: unknown[] }>([
    's3api',
    'list-object-versions',
    '--bucket',
    'interop-versions',
    '--prefix',
    'doc.txt',
  ]);
  const versions = out.Versions ?? [];
  assert.equal(versions.length, 2, JSON.stringify(out));
  assert.equal(out.DeleteMarkers, undefined);
  const [latest, older] = versions as [Version, Version];
  assert.equal(latest.Key, 'doc.txt');
  assert.equal(latest.IsLatest, true);
  assert.equal(latest.Size, second.length);
  assert.equal(latest.ETag, `"${md5(second)}"`);
  assert.equal(older.IsLatest, false);
  assert.equal(older.Size, first.length);
  assert.equal(older.ETag, `"${md5(first)}"`);
  assert.notEqual(latest.VersionId, older.VersionId);

  await aws([
    's3api',
    'get-object',
    '--bucket',
    'interop-versions',
    '--key',
    'doc.txt',
    '--version-id',
    older.VersionId,
    local('v1.down.txt'),
  ]);
  assert.deepEqual(fs.readFileSync(local('v1.down.txt')), first);
  await aws(['s3', 'cp', 's3://interop-versions/doc.txt', local('v2.down.txt')]);
  assert.deepEqual(fs.readFileSync(local('v2.down.txt')), second);
});

test('put/get-bucket-replication across two regions, and the object shows up in the other region', async () => {
  const src = 'interop-repl-src';
  const dst = 'interop-repl-dst';
  await aws(['s3api', 'create-bucket', '--bucket', src]);
  await aws(
    [
      's3api',
      'create-bucket',
      '--bucket',
      dst,
      '--create-bucket-configuration',
      `LocationConstraint=${EU}`,
    ],
    EU,
  );
  const location = await awsJson<{ LocationConstraint: string | null }>(
    ['s3api', 'get-bucket-location', '--bucket', dst],
    EU,
  );
  assert.equal(location.LocationConstraint, EU);
  for (const [bucket, region] of [
    [src, US],
    [dst, EU],
  ] as const) {
    await aws(
      [
        's3api',
        'put-bucket-versioning',
        '--bucket',
        bucket,
        '--versioning-configuration',
        'Status=Enabled',
      ],
      region,
    );
  }

  const config = {
    Role: 'arn:aws:iam::123456789012:role/replica-sync-replication',
    Rules: [
      {
        ID: 'to-eu',
        Priority: 1,
        Status: 'Enabled',
        Filter: { Prefix: 'docs/' },
        DeleteMarkerReplication: { Status: 'Disabled' },
        Destination: { Bucket: `arn:aws:s3:::${dst}` },
      },
    ],
  };
  fs.writeFileSync(local('replication.json'), JSON.stringify(config));
  await aws([
    's3api',
    'put-bucket-replication',
    '--bucket',
    src,
    '--replication-configuration',
    `file://${local('replication.json')}`,
  ]);
  const got = await awsJson<{ ReplicationConfiguration: typeof config }>([
    's3api',
    'get-bucket-replication',
    '--bucket',
    src,
  ]);
  assert.deepEqual(got.ReplicationConfiguration, config);

  // Written first, outside the rule's prefix: never replicated (checked once the later write
  // under docs/ has arrived).
  fs.writeFileSync(local('other.txt'), 'not replicated\n');
  await aws(['s3', 'cp', local('other.txt'), `s3://${src}/other/other.txt`]);
  const otherHead = await awsJson<{ ReplicationStatus?: string }>([
    's3api',
    'head-object',
    '--bucket',
    src,
    '--key',
    'other/other.txt',
  ]);
  assert.equal(otherHead.ReplicationStatus, undefined);

  const body = pseudoRandomBytes(300000, 'replicated');
  fs.writeFileSync(local('report.bin'), body);
  const put = await awsJson<{ VersionId: string; ETag: string }>([
    's3api',
    'put-object',
    '--bucket',
    src,
    '--key',
    'docs/report.bin',
    '--body',
    local('report.bin'),
  ]);
  assert.equal(put.ETag, `"${md5(body)}"`);

  interface Head {
    ReplicationStatus?: string;
    VersionId?: string;
    ContentLength?: number;
  }
  const head = async (bucket: string, region: string): Promise<Head | undefined> => {
    const r = await run(
      AWS,
      [
        's3api',
        'head-object',
        '--bucket',
        bucket,
        '--key',
        'docs/report.bin',
        '--endpoint-url',
        server.endpoint(region),
        '--region',
        region,
      ],
      env,
    );
    return r.code === 0 ? (JSON.parse(r.stdout) as Head) : undefined;
  };
  const replica = await waitFor('the replica in eu-west-1', () => head(dst, EU));
  assert.equal(replica.ReplicationStatus, 'REPLICA');
  assert.equal(replica.VersionId, put.VersionId, 'a replica keeps the version id of its source');
  assert.equal(replica.ContentLength, body.length);
  const source = await waitFor('the source to be COMPLETED', async () => {
    const h = await head(src, US);
    return h?.ReplicationStatus === 'COMPLETED' ? h : undefined;
  });
  assert.equal(source.VersionId, put.VersionId);

  await aws(['s3', 'cp', `s3://${dst}/docs/report.bin`, local('report.down.bin')], EU);
  assert.deepEqual(fs.readFileSync(local('report.down.bin')), body);

  const listing = await awsJson<{ Contents?: { Key: string }[] }>(
    ['s3api', 'list-objects-v2', '--bucket', dst],
    EU,
  );
  assert.deepEqual(
    (listing.Contents ?? []).map((c) => c.Key),
    ['docs/report.bin'],
  );
});
