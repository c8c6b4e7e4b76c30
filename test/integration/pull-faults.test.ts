// One bad object from another device is that key's problem only (issue "Nothing stops the
// app or a folder"): the real engine (watcher, loop, queue, pull) against the local regions
// over HTTP. For each bad object the folder keeps working (not 'error'), keys before and
// after it come down, a new local file still goes up, the bad key has an error row with a
// message that is logged once over several pulls, and when the object is removed in the
// bucket the row clears by itself (the periodic pull, no rescan asked for).
import {
  DeleteBucketCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { MemorySecretStore } from '../../main/core/accounts/secret-store.js';
import { EventHub } from '../../main/core/emitter.js';
import { SyncEngine } from '../../main/core/sync/engine.js';
import { ensureVersionedBucket, localRegionsAccount } from '../helpers/engine-setup.js';
import { bucketName, startTestRegions, waitFor, type TestRegions } from '../helpers/regions.js';
import { tempDir } from '../helpers/temp-dir.js';

const REGION = 'us-east-1';
const DEVICE = 'device-pull-faults-1';
const POLL_MS = 300;

let regions: TestRegions;
let s3: S3Client;
let work: string;
let cleanup: () => void;

before(async () => {
  regions = await startTestRegions();
  s3 = regions.client(REGION);
  ({ dir: work, cleanup } = tempDir('rs-pull-faults-'));
});

after(async () => {
  await regions.stop();
  cleanup();
});

const sha = (b: string): string => createHash('sha256').update(b).digest('hex');

interface World {
  engine: SyncEngine;
  folderId: string;
  folder: string;
  /** A sibling of the folder (for links that lead out). */
  outside: string;
  bucket: string;
  log: string[];
  put(key: string, body: string, meta?: Record<string, string>): Promise<string>;
  state(): string;
  dispose(): Promise<void>;
}

async function world(name: string, prepare?: (folder: string, outside: string) => void) {
  const dir = path.join(work, name);
  const folder = path.join(dir, 'folder');
  const outside = path.join(dir, 'outside');
  fs.mkdirSync(folder, { recursive: true });
  fs.mkdirSync(outside, { recursive: true });
  prepare?.(folder, outside);
  const bucket = bucketName('pf');
  await ensureVersionedBucket(s3, bucket);
  const log: string[] = [];
  const put = async (key: string, body: string, meta?: Record<string, string>) => {
    const out = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ...(meta ? { Metadata: meta } : {}),
      }),
    );
    return out.VersionId ?? '';
  };
  const secrets = new MemorySecretStore();
  const engine = new SyncEngine({
    indexFile: path.join(dir, 'data', 'index.sqlite'),
    device: DEVICE,
    concurrency: 4,
    secrets,
    events: new EventHub(),
    activity: (level, message) => log.push(`${level}: ${message}`),
    onStatus: () => undefined,
    tuning: { settleMs: 100, pollMs: POLL_MS, rescanMs: 600_000, retryMs: 300 },
  });
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  engine.addAccount(localRegionsAccount(regions.handle));
  await engine.start({ paused: false });
  const w: World = {
    engine,
    folderId: '',
    folder,
    outside,
    bucket,
    log,
    put,
    state: () => engine.listFolders()[0]?.state ?? 'none',
    dispose: async () => {
      await engine.dispose();
      await sleep(50);
    },
  };
  return w;
}

async function addFolder(w: World): Promise<void> {
  const f = await w.engine.addFolder({
    path: w.folder,
    create: true,
    accountId: localRegionsAccount(regions.handle).id,
    bucket: w.bucket,
    region: REGION,
  });
  w.folderId = f.id;
}

/** Several pulls (the poll runs every POLL_MS), then everything queued is done. */
async function pulls(w: World, n = 4): Promise<void> {
  await sleep(POLL_MS * n);
  await w.engine.settle();
}

const countOf = (log: string[], needle: string): number =>
  log.filter((l) => l.includes(needle)).length;

async function remoteHas(bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}

interface BadObject {
  name: string;
  /** Puts the bad object (and whatever it needs); returns the bad key and how to remove it. */
  make(w: World): Promise<{ key: string; relPath: string; remove: () => Promise<void> }>;
  message: RegExp;
}

const BAD: BadObject[] = [
  {
    name: "a key 'x' next to 'x/y'",
    async make(w) {
      await w.put('m/x', 'the file x');
      await w.put('m/x/y', 'y inside a folder x');
      return {
        key: 'm/x/y',
        relPath: 'm/x/y',
        // A delete marker: the latest version is gone, the key stays listed.
        remove: async () => {
          await s3.send(new DeleteObjectCommand({ Bucket: w.bucket, Key: 'm/x/y' }));
        },
      };
    },
    message: /Cannot download 'm\/x\/y'.*'m\/x' is in the way.*Rename the object/,
  },
  {
    name: 'a 1,004-byte file name',
    async make(w) {
      const key = `m/${'n'.repeat(1000)}.txt`;
      await w.put(key, 'long name');
      return {
        key,
        relPath: key,
        remove: async () => {
          await s3.send(new DeleteObjectCommand({ Bucket: w.bucket, Key: key }));
        },
      };
    },
    message: /Cannot download 'm\/n+\.txt'.*1004 bytes long.*at most 255.*Rename the object/,
  },
  {
    name: 'a version whose rs-sha256 does not match its bytes',
    async make(w) {
      const key = 'm/lying.txt';
      const versionId = await w.put(key, 'actual bytes', {
        'rs-device': 'other-device-99',
        'rs-base': 'none',
        'rs-sha256': sha('claimed bytes'),
      });
      return {
        key,
        relPath: key,
        // The version itself is deleted: the key is no longer in the bucket at all.
        remove: async () => {
          await s3.send(
            new DeleteObjectCommand({ Bucket: w.bucket, Key: key, VersionId: versionId }),
          );
        },
      };
    },
    message: /Cannot download 'm\/lying\.txt'.*does not match its rs-sha256.*Upload the file again/,
  },
];

for (const bad of BAD) {
  test(`${bad.name}: only that key is stopped, once said, and clears by itself`, async (t) => {
    const w = await world(bad.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 30));
    t.after(() => w.dispose());
    await w.put('a-before.txt', 'before');
    const b = await bad.make(w);
    await w.put('z-after.txt', 'after');
    await addFolder(w);
    await pulls(w);

    assert.notEqual(w.state(), 'error', `folder state; log:\n${w.log.join('\n')}`);
    assert.equal(fs.readFileSync(path.join(w.folder, 'a-before.txt'), 'utf8'), 'before');
    assert.equal(fs.readFileSync(path.join(w.folder, 'z-after.txt'), 'utf8'), 'after');
    const row = w.engine.files.get(w.folderId, b.relPath);
    assert.equal(row?.state, 'error', JSON.stringify(row));
    assert.match(row.error ?? '', bad.message);
    assert.ok(row.error?.includes(b.key), 'the message names the key');

    // A new local file still goes up.
    fs.writeFileSync(path.join(w.folder, 'new-local.txt'), 'made here');
    // The watcher may be out of inotify watches on a busy machine: the scan is the safety net.
    await w.engine.rescan(w.folderId);
    await waitFor(
      () => w.engine.files.get(w.folderId, 'new-local.txt')?.state === 'synced' || undefined,
      15_000,
    ).catch((err: unknown) => {
      const row = JSON.stringify(w.engine.files.get(w.folderId, 'new-local.txt'));
      throw new Error(`new-local.txt did not upload (${row}; ${w.state()}):\n${w.log.join('\n')}`, {
        cause: err,
      });
    });
    assert.equal(await remoteHas(w.bucket, 'new-local.txt'), true);

    // Several more pulls: the problem was said once, the row is still there.
    await pulls(w, 5);
    assert.equal(countOf(w.log, `Cannot download '${b.key}'`), 1, w.log.join('\n'));
    assert.equal(w.engine.files.get(w.folderId, b.relPath)?.state, 'error');
    assert.notEqual(w.state(), 'error');
    // The bad object was never uploaded back or deleted by this device.
    assert.equal(
      w.log.some((l) => /Deleted \d+ file/.test(l)),
      false,
      w.log.join('\n'),
    );

    // Removed in the bucket: the row goes by itself with the next polls.
    await b.remove();
    await waitFor(
      () => w.engine.files.get(w.folderId, b.relPath) === undefined || undefined,
      10_000,
    );
    assert.notEqual(w.state(), 'error');
  });
}

test('a damaged new version of a synced file: the file stays as it was, nothing goes up, the row recovers', async (t) => {
  const w = await world('damaged-update');
  t.after(() => w.dispose());
  await w.put('doc.txt', 'version one');
  await addFolder(w);
  await pulls(w);
  const synced = w.engine.files.get(w.folderId, 'doc.txt');
  assert.equal(synced?.state, 'synced');
  const bad = await w.put('doc.txt', 'version two', {
    'rs-device': 'other-device-99',
    'rs-base': synced.versionId ?? 'none',
    'rs-sha256': sha('something else'),
  });
  await pulls(w);
  await w.engine.rescan(w.folderId);
  await pulls(w, 3);
  const row = w.engine.files.get(w.folderId, 'doc.txt');
  assert.equal(row?.state, 'error', JSON.stringify(row));
  assert.match(row.error ?? '', /Cannot download 'doc\.txt'.*does not match its rs-sha256/);
  assert.equal(row.versionId, synced.versionId, 'the synced version is kept');
  assert.equal(fs.readFileSync(path.join(w.folder, 'doc.txt'), 'utf8'), 'version one');
  assert.notEqual(w.state(), 'error');
  assert.equal(countOf(w.log, "Cannot download 'doc.txt'"), 1, w.log.join('\n'));
  // Nothing was written over the damaged version, and no conflict was made of it.
  const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: w.bucket }));
  assert.equal(versions.Versions?.length, 2);
  assert.equal(countOf(w.log, 'Conflict'), 0, w.log.join('\n'));

  // The damaged version is deleted: version one is current again, the row is synced again.
  await s3.send(new DeleteObjectCommand({ Bucket: w.bucket, Key: 'doc.txt', VersionId: bad }));
  await waitFor(
    () => w.engine.files.get(w.folderId, 'doc.txt')?.state === 'synced' || undefined,
    10_000,
  );
  assert.equal(w.engine.files.get(w.folderId, 'doc.txt')?.error, null);
  assert.equal(fs.readFileSync(path.join(w.folder, 'doc.txt'), 'utf8'), 'version one');
});

test('a symlinked parent: nothing is created outside, and the key is named', async (t) => {
  const w = await world('link-parent', (folder) => {
    fs.symlinkSync('../outside', path.join(folder, 'link'));
  });
  t.after(() => w.dispose());
  await w.put('a.txt', 'a');
  await w.put('link/sub/deep/evil2.txt', 'evil');
  await w.put('z.txt', 'z');
  await addFolder(w);
  await pulls(w);

  assert.deepEqual(fs.readdirSync(w.outside), [], 'nothing was created under outside/');
  assert.equal(fs.lstatSync(path.join(w.folder, 'link')).isSymbolicLink(), true);
  assert.equal(fs.readFileSync(path.join(w.folder, 'z.txt'), 'utf8'), 'z');
  assert.notEqual(w.state(), 'error');
  const row = w.engine.files.get(w.folderId, 'link/sub/deep/evil2.txt');
  assert.equal(row?.state, 'error');
  assert.match(row.error ?? '', /its folder 'link' is a symbolic link/);
  await pulls(w, 3);
  assert.equal(
    countOf(w.log, "Cannot download 'link/sub/deep/evil2.txt': its folder 'link' is a symbolic"),
    1,
    w.log.join('\n'),
  );
  assert.deepEqual(fs.readdirSync(w.outside), []);
});

test('a dangling symlink in the folder is not replaced by a download', async (t) => {
  const w = await world('link-dangling', (folder) => {
    fs.symlinkSync('nowhere', path.join(folder, 'dangling'));
  });
  t.after(() => w.dispose());
  await w.put('dangling', 'would replace the link');
  await w.put('other.txt', 'other');
  await addFolder(w);
  await pulls(w);

  const target = path.join(w.folder, 'dangling');
  assert.equal(fs.lstatSync(target).isSymbolicLink(), true, 'still a symlink');
  assert.equal(fs.readlinkSync(target), 'nowhere');
  assert.equal(fs.readFileSync(path.join(w.folder, 'other.txt'), 'utf8'), 'other');
  assert.notEqual(w.state(), 'error');
  assert.match(
    w.engine.files.get(w.folderId, 'dangling')?.error ?? '',
    /'dangling' is a symbolic link in the folder, which is left as it is/,
  );
  await pulls(w, 3);
  assert.equal(countOf(w.log, "Cannot download 'dangling'"), 1, w.log.join('\n'));
  assert.equal(fs.lstatSync(target).isSymbolicLink(), true);
});

test("a folder marker ('photos/') becomes a directory, not an error", async (t) => {
  const w = await world('folder-marker');
  t.after(() => w.dispose());
  await w.put('photos/', '');
  await w.put('photos/inside/', '');
  await w.put('b.txt', 'b');
  await addFolder(w);
  await pulls(w);

  assert.equal(fs.statSync(path.join(w.folder, 'photos')).isDirectory(), true);
  assert.equal(fs.statSync(path.join(w.folder, 'photos', 'inside')).isDirectory(), true);
  assert.equal(fs.readFileSync(path.join(w.folder, 'b.txt'), 'utf8'), 'b');
  assert.notEqual(w.state(), 'error');
  assert.equal(w.engine.files.get(w.folderId, 'photos'), undefined);
  assert.equal(
    w.engine.files.list(w.folderId, { state: 'error', limit: 100 }).length,
    0,
    'no error rows',
  );
  // (A busy machine's watcher may warn about the new directories: only the pull's word counts.)
  assert.equal(countOf(w.log, 'Cannot download'), 0, w.log.join('\n'));
  assert.equal(w.log.filter((l) => l.startsWith('error:')).length, 0, w.log.join('\n'));
});

test('a folder marker under a symlinked folder is refused like a file', async (t) => {
  const w = await world('marker-link', (folder) => {
    fs.symlinkSync('../outside', path.join(folder, 'link'));
  });
  t.after(() => w.dispose());
  await w.put('link/made/', '');
  await addFolder(w);
  await pulls(w);
  assert.deepEqual(fs.readdirSync(w.outside), []);
  assert.equal(countOf(w.log, "Cannot download 'link/made/'"), 1, w.log.join('\n'));
  assert.notEqual(w.state(), 'error');
});

test('a lineage that cannot be read is said once per version; the version still comes down', async (t) => {
  const w = await world('bad-lineage');
  t.after(() => w.dispose());
  const body = 'written by something';
  const v1 = await w.put('short-device.txt', body, {
    'rs-device': 'abc',
    'rs-base': 'none',
    'rs-sha256': sha(body),
  });
  await addFolder(w);
  await pulls(w);
  assert.equal(fs.readFileSync(path.join(w.folder, 'short-device.txt'), 'utf8'), body);
  const row = w.engine.files.get(w.folderId, 'short-device.txt');
  assert.equal(row?.state, 'synced');
  assert.equal(row.versionId, v1);
  await pulls(w, 3);
  const said = w.log.filter((l) => l.includes("'short-device.txt'") && l.includes('lineage'));
  assert.equal(said.length, 1, w.log.join('\n'));
  assert.match(said[0] ?? '', /version .*rs-device 'abc' is not a device id.*another tool/);
  assert.notEqual(w.state(), 'error');

  // A new version with the same fault is said again (once), and comes down too.
  const body2 = 'written again';
  await w.put('short-device.txt', body2, {
    'rs-device': 'abc',
    'rs-base': v1,
    'rs-sha256': sha(body2),
  });
  await waitFor(
    () => fs.readFileSync(path.join(w.folder, 'short-device.txt'), 'utf8') === body2 || undefined,
    10_000,
  );
  await pulls(w, 3);
  assert.equal(
    w.log.filter((l) => l.includes("'short-device.txt'") && l.includes('lineage')).length,
    2,
    w.log.join('\n'),
  );
});

test('the bucket gone stops the folder (said once); it goes on by itself when the bucket is back', async (t) => {
  const w = await world('bucket-gone');
  t.after(() => w.dispose());
  await w.put('one.txt', 'one');
  await addFolder(w);
  await pulls(w);
  assert.equal(fs.readFileSync(path.join(w.folder, 'one.txt'), 'utf8'), 'one');

  const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: w.bucket }));
  for (const v of [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])])
    await s3.send(
      new DeleteObjectCommand({ Bucket: w.bucket, Key: v.Key, VersionId: v.VersionId }),
    );
  await s3.send(new DeleteBucketCommand({ Bucket: w.bucket }));
  await waitFor(() => w.state() === 'error' || undefined, 10_000);
  const summary = w.engine.listFolders()[0];
  assert.match(summary?.error ?? '', new RegExp(`${w.bucket}.*does not exist`));
  await pulls(w, 5);
  assert.equal(
    countOf(w.log, `Bucket '${w.bucket}' in us-east-1 does not exist`),
    1,
    w.log.join('\n'),
  );

  await ensureVersionedBucket(s3, w.bucket);
  await w.put('two.txt', 'two');
  await waitFor(() => fs.existsSync(path.join(w.folder, 'two.txt')) || undefined, 20_000);
  await waitFor(() => w.state() !== 'error' || undefined, 10_000);
  assert.equal(fs.readFileSync(path.join(w.folder, 'two.txt'), 'utf8'), 'two');
});
