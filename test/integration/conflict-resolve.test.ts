// Resolving conflicts against the local regions with two-way replication (us-east-1 ↔
// eu-west-1): a fork made by hand (two versions with the same rs-base written in the two
// regions), resolved by keeping one side, a remote version, or both; a resolution racing a
// new write; restoring an old version. Every content written stays reachable.
import {
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { conflictTimestamp } from '../../main/core/conflicts/conflict-copy.js';
import {
  ConflictChangedError,
  resolveKeep,
  resolveKeepBoth,
  restoreVersion,
  type ConflictHead,
  type ResolveRequest,
} from '../../main/core/conflicts/resolve.js';
import { parseLineage } from '../../main/core/transfer/lineage.js';
import { uploadFile } from '../../main/core/transfer/uploader.js';
import {
  putReplication,
  readBytes,
  readText,
  replicationBucket,
  replicationRule,
  useTestRegions,
  waitFor,
} from '../helpers/regions.js';
import { tempDir } from '../helpers/temp-dir.js';

const US = 'us-east-1';
const EU = 'eu-west-1';
const HERE = 'device-us-0001'; // this installation, in us-east-1
const THERE = 'device-eu-0002'; // the other device, in eu-west-1
const PREFIX = 'team/';

let src = ''; // the folder's source bucket (us-east-1)
let dst = ''; // its two-way partner (eu-west-1)
const t = useTestRegions(async () => {
  src = await replicationBucket(t, US);
  dst = await replicationBucket(t, EU);
  await putReplication(t, US, src, [replicationRule(dst)]);
  await putReplication(t, EU, dst, [replicationRule(src)]);
});
const { dir: work, cleanup } = tempDir('rs-conflict-resolve-');
after(cleanup);

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
const bucketIn = (region: string): string => (region === US ? src : dst);
let n = 0;

/** A fresh local folder with a fresh key under the prefix. */
function freshCase(): { folder: string; key: string; rel: string; abs: string } {
  n++;
  const folder = path.join(work, `folder-${n}`);
  fs.mkdirSync(folder, { recursive: true });
  const rel = `notes/plan-${n}.txt`;
  return { folder, key: PREFIX + rel, rel, abs: path.join(folder, 'notes', `plan-${n}.txt`) };
}

interface Written {
  versionId: string;
  etag: string;
}

/** Writes a version as a device does (uploadFile: lineage, checksum, condition). */
async function write(
  region: string,
  key: string,
  content: string | Buffer,
  device: string,
  base?: Written,
  contentType?: string,
): Promise<Written> {
  const file = path.join(work, `src-${randomBytes(6).toString('hex')}`);
  fs.writeFileSync(file, content);
  const r = await uploadFile({
    client: t.client(region),
    bucket: bucketIn(region),
    key,
    filePath: file,
    device,
    bases: base ? [base.versionId] : [],
    condition: base ? { kind: 'edit', etag: base.etag } : { kind: 'new' },
    ...(contentType !== undefined ? { contentType } : {}),
  });
  fs.rmSync(file);
  assert.equal(r.kind, 'uploaded', `write of ${key} in ${region}`);
  if (r.kind !== 'uploaded') throw new Error('unreachable');
  return { versionId: r.versionId, etag: r.etag };
}

/** Waits until `versionId` of `key` is in the bucket of `region`; returns its HEAD. */
function replicated(region: string, key: string, versionId: string) {
  return waitFor(
    () =>
      t
        .client(region)
        .send(new HeadObjectCommand({ Bucket: bucketIn(region), Key: key, VersionId: versionId })),
    15_000,
    `${key} ${versionId} in ${region}`,
  );
}

function current(region: string, key: string) {
  return t.client(region).send(new HeadObjectCommand({ Bucket: bucketIn(region), Key: key }));
}

function slowReplication(ms: number): void {
  for (const region of [US, EU]) t.handle.setFaults(region, { replicationDelayMs: ms });
}

interface Fork {
  v0: Written;
  here: Written;
  there: Written;
  heads: ConflictHead[];
  currentEtag: string;
}

/**
 * v0 everywhere, then an edit of v0 in each region before either has replicated: a fork
 * (two versions with the same rs-base). Waits until both sides are in both buckets.
 */
async function makeFork(key: string, base: string, ours: string, theirs: string): Promise<Fork> {
  const v0 = await write(US, key, base, HERE);
  const v0There = await replicated(EU, key, v0.versionId);
  // Both edits are made before either side's replica arrives: that is how forks happen.
  slowReplication(400);
  let here: Written;
  let there: Written;
  try {
    here = await write(US, key, ours, HERE, v0);
    there = await write(EU, key, theirs, THERE, { versionId: v0.versionId, etag: v0There.ETag! });
  } finally {
    slowReplication(0);
  }
  await replicated(US, key, there.versionId);
  await replicated(EU, key, here.versionId);
  for (const v of [here, there]) {
    const l = parseLineage((await replicated(US, key, v.versionId)).Metadata);
    assert.deepEqual(l?.bases, [v0.versionId], 'both sides are edits of v0: a fork');
  }
  assert.deepEqual(
    await graphHeads(US, key),
    [here.versionId, there.versionId].sort(),
    'two heads: a conflict',
  );
  const cur = await current(US, key);
  return {
    v0,
    here,
    there,
    heads: [here, there].map((v) => ({ versionId: v.versionId, etag: v.etag })),
    currentEtag: cur.ETag!,
  };
}

async function versionIds(region: string, key: string): Promise<string[]> {
  const out = await t
    .client(region)
    .send(new ListObjectVersionsCommand({ Bucket: bucketIn(region), Prefix: key }));
  assert.equal(out.DeleteMarkers?.filter((d) => d.Key === key).length ?? 0, 0, 'no delete');
  return (out.Versions ?? [])
    .filter((v) => v.Key === key)
    .map((v) => v.VersionId!)
    .sort();
}

/** Every file under dir (relative, POSIX), with its content. */
function filesIn(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const abs = path.join(e.parentPath, e.name);
    out.set(path.relative(dir, abs).split(path.sep).join('/'), fs.readFileSync(abs, 'utf8'));
  }
  return out;
}

/** Each content is a version of the key (in both regions) or a file in the folder. */
async function assertNothingLost(key: string, folder: string, contents: string[]): Promise<void> {
  const local = [...filesIn(folder).values()];
  for (const region of [US, EU]) {
    const remote = await Promise.all(
      (await versionIds(region, key)).map((id) =>
        readText(t.client(region), bucketIn(region), key, { VersionId: id }),
      ),
    );
    for (const c of contents) {
      assert.ok(remote.includes(c) || local.includes(c), `'${c}' is still reachable (${region})`);
    }
  }
}

/** The versions of `key` that no other version names as a base (the graph's heads). */
async function graphHeads(region: string, key: string): Promise<string[]> {
  const ids = await versionIds(region, key);
  const named = new Set<string>();
  for (const id of ids) {
    const head = await t
      .client(region)
      .send(new HeadObjectCommand({ Bucket: bucketIn(region), Key: key, VersionId: id }));
    for (const b of parseLineage(head.Metadata)?.bases ?? []) named.add(b);
  }
  return ids.filter((id) => !named.has(id));
}

/**
 * Checks the resolution merges `heads`, has replicated to the other region, is current in
 * both and is the only head of the version graph there.
 */
async function assertResolution(
  key: string,
  versionId: string,
  content: string,
  heads: ConflictHead[],
): Promise<void> {
  for (const region of [US, EU]) {
    const head = await replicated(region, key, versionId);
    const l = parseLineage(head.Metadata);
    assert.deepEqual(
      l?.bases.slice().sort(),
      heads.map((h) => h.versionId).sort(),
      'rs-base names every head',
    );
    assert.equal(l?.device, HERE);
    assert.equal(l?.sha256, sha(content));
    assert.equal(await readText(t.client(region), bucketIn(region), key), content);
    assert.equal((await current(region, key)).VersionId, versionId, `current in ${region}`);
    assert.deepEqual(await graphHeads(region, key), [versionId], `one head in ${region}`);
  }
  assert.equal((await replicated(EU, key, versionId)).ReplicationStatus, 'REPLICA');
}

function request(c: ReturnType<typeof freshCase>, fork: Fork): Omit<ResolveRequest, 'keep'> {
  return {
    client: t.client(US),
    bucket: src,
    key: c.key,
    folderPath: c.folder,
    prefix: PREFIX,
    device: HERE,
    heads: fork.heads,
    currentEtag: fork.currentEtag,
    region: US,
  };
}

const noTempLeft = (folder: string): void =>
  assert.deepEqual(
    fs.readdirSync(folder).filter((f) => f.startsWith('.rs-tmp-')),
    [],
    'the work dir is gone',
  );

test('keep this one (local): the local file becomes a version merging both heads', async () => {
  const c = freshCase();
  const fork = await makeFork(c.key, 'base', 'ours', 'theirs');
  fs.mkdirSync(path.dirname(c.abs), { recursive: true });
  fs.writeFileSync(c.abs, 'ours');
  const res = await resolveKeep({ ...request(c, fork), keep: { kind: 'local' } });
  assert.equal(res.sha256, sha('ours'));
  assert.equal(res.relPath, c.rel);
  assert.equal(res.local?.size, 4);
  assert.equal(res.savedTo, undefined);
  await assertResolution(c.key, res.versionId, 'ours', fork.heads);
  assert.deepEqual([...filesIn(c.folder)], [[c.rel, 'ours']]);
  assert.equal((await versionIds(US, c.key)).length, 4, 'v0, both sides and the resolution');
  assert.deepEqual(await versionIds(US, c.key), await versionIds(EU, c.key));
  await assertNothingLost(c.key, c.folder, ['base', 'ours', 'theirs']);
  noTempLeft(c.folder);
});

test('keep this one (remote version): its content is the resolution and the local file', async () => {
  const c = freshCase();
  const fork = await makeFork(c.key, 'base', 'ours', 'theirs');
  fs.mkdirSync(path.dirname(c.abs), { recursive: true });
  fs.writeFileSync(c.abs, 'ours');
  const res = await resolveKeep({
    ...request(c, fork),
    keep: { kind: 'version', versionId: fork.there.versionId },
  });
  assert.equal(res.sha256, sha('theirs'));
  await assertResolution(c.key, res.versionId, 'theirs', fork.heads);
  assert.equal(fs.readFileSync(c.abs, 'utf8'), 'theirs');
  const st = fs.statSync(c.abs);
  assert.deepEqual(res.local, { size: st.size, mtimeMs: st.mtimeMs });
  assert.equal(res.savedTo, undefined, "the replaced content is a head's: no trash copy");
  assert.deepEqual([...filesIn(c.folder).keys()], [c.rel]);
  await assertNothingLost(c.key, c.folder, ['base', 'ours', 'theirs']);
  noTempLeft(c.folder);
});

test('keep both: the kept side is the resolution, the other is saved under its conflict-copy name', async () => {
  const c = freshCase();
  const fork = await makeFork(c.key, 'base', 'ours', 'theirs');
  fs.mkdirSync(path.dirname(c.abs), { recursive: true });
  fs.writeFileSync(c.abs, 'ours');
  const lastModified = (await replicated(US, c.key, fork.there.versionId)).LastModified!;
  const stem = c.rel.replace(/\.txt$/, '');
  const name = `${stem} (conflict Berlin laptop ${conflictTimestamp(lastModified)})`;
  // An earlier conflict copy of the same name is never overwritten: the new one is " 2".
  fs.writeFileSync(path.join(c.folder, `${name}.txt`), 'an earlier copy');
  const res = await resolveKeepBoth({
    ...request(c, fork),
    keep: { kind: 'local' },
    other: { versionId: fork.there.versionId, deviceLabel: 'Berlin laptop', lastModified },
  });
  assert.equal(res.conflictCopy, `${name} 2.txt`);
  await assertResolution(c.key, res.versionId, 'ours', fork.heads);
  assert.deepEqual(
    filesIn(c.folder),
    new Map([
      [c.rel, 'ours'],
      [`${name}.txt`, 'an earlier copy'],
      [`${name} 2.txt`, 'theirs'],
    ]),
  );
  await assertNothingLost(c.key, c.folder, ['base', 'ours', 'theirs']);
  noTempLeft(c.folder);
});

test('keep both of a local–remote conflict: the remote version wins, the local edit becomes the copy', async () => {
  const c = freshCase();
  const v1 = await write(US, c.key, 'synced', HERE);
  const remote = await write(EU, c.key, 'remote edit', THERE, {
    versionId: v1.versionId,
    etag: (await replicated(EU, c.key, v1.versionId)).ETag!,
  });
  const cur = await replicated(US, c.key, remote.versionId);
  fs.mkdirSync(path.dirname(c.abs), { recursive: true });
  fs.writeFileSync(c.abs, 'local edit, never uploaded');
  const lastModified = fs.statSync(c.abs).mtime;
  const heads = [{ versionId: remote.versionId }];
  const res = await resolveKeepBoth({
    ...request(c, { v0: v1, here: v1, there: remote, heads, currentEtag: cur.ETag! }),
    keep: { kind: 'version', versionId: remote.versionId },
    other: { local: true, deviceLabel: 'This Mac', lastModified },
  });
  await assertResolution(c.key, res.versionId, 'remote edit', heads);
  const copy = `${c.rel.replace(/\.txt$/, '')} (conflict This Mac ${conflictTimestamp(lastModified)}).txt`;
  assert.equal(res.conflictCopy, copy);
  assert.deepEqual(
    filesIn(c.folder),
    new Map([
      [c.rel, 'remote edit'],
      [copy, 'local edit, never uploaded'],
    ]),
  );
  assert.equal(res.savedTo, undefined);
  noTempLeft(c.folder);
});

test('keeping a remote version over a local edit no version holds: the edit is kept in the trash', async () => {
  const c = freshCase();
  const fork = await makeFork(c.key, 'base', 'ours', 'theirs');
  fs.mkdirSync(path.dirname(c.abs), { recursive: true });
  fs.writeFileSync(c.abs, 'ours, edited further');
  const res = await resolveKeep({
    ...request(c, fork),
    keep: { kind: 'version', versionId: fork.here.versionId },
    now: () => new Date(2024, 0, 2),
  });
  await assertResolution(c.key, res.versionId, 'ours', fork.heads);
  const trashed = `.replica-sync-trash/2024-01-02/${c.rel}`;
  assert.equal(res.savedTo, path.join(c.folder, ...trashed.split('/')));
  assert.deepEqual(
    filesIn(c.folder),
    new Map([
      [trashed, 'ours, edited further'],
      [c.rel, 'ours'],
    ]),
  );
  await assertNothingLost(c.key, c.folder, ['base', 'ours', 'theirs', 'ours, edited further']);
});

test('a resolution racing a new write: "changed again", nothing written anywhere', async () => {
  const c = freshCase();
  const fork = await makeFork(c.key, 'base', 'ours', 'theirs');
  fs.mkdirSync(path.dirname(c.abs), { recursive: true });
  fs.writeFileSync(c.abs, 'ours');
  // While the user looks, the other device edits its side again; it replicates here.
  const newer = await write(EU, c.key, 'theirs, again', THERE, fork.there);
  await replicated(US, c.key, newer.versionId);
  const before = { us: await versionIds(US, c.key), eu: await versionIds(EU, c.key) };
  const localBefore = filesIn(c.folder);
  const stamp = fs.statSync(c.abs).mtimeMs;
  const attempts: (() => Promise<unknown>)[] = [
    () => resolveKeep({ ...request(c, fork), keep: { kind: 'local' } }),
    () =>
      resolveKeep({
        ...request(c, fork),
        keep: { kind: 'version', versionId: fork.there.versionId },
      }),
    () =>
      resolveKeepBoth({
        ...request(c, fork),
        keep: { kind: 'version', versionId: fork.there.versionId },
        other: { versionId: fork.here.versionId, deviceLabel: 'pc', lastModified: new Date() },
      }),
    // Without a known ETag the current version is read: it is no longer one of the heads.
    () => {
      const { currentEtag: _stale, ...rest } = request(c, fork);
      return resolveKeep({ ...rest, keep: { kind: 'local' } });
    },
    () =>
      restoreVersion({
        client: t.client(US),
        bucket: src,
        key: c.key,
        versionId: fork.v0.versionId,
        device: HERE,
        heads: fork.heads,
      }),
  ];
  for (const attempt of attempts) {
    await assert.rejects(attempt(), (err: unknown) => {
      assert.ok(err instanceof ConflictChangedError, String(err));
      assert.equal(err.where, 'remote');
      assert.match(err.message, /changed again .*nothing was written\. Look at it again\./);
      return true;
    });
  }
  assert.deepEqual(
    { us: await versionIds(US, c.key), eu: await versionIds(EU, c.key) },
    before,
    'no version written',
  );
  assert.deepEqual(filesIn(c.folder), localBefore, 'the folder is unchanged');
  assert.equal(fs.statSync(c.abs).mtimeMs, stamp);
  noTempLeft(c.folder);
});

test('restore this version: a copy in place with new lineage, every version kept', async () => {
  const c = freshCase();
  const v1 = await write(US, c.key, 'one', THERE, undefined, 'text/markdown');
  const v2 = await write(US, c.key, 'two', THERE, v1);
  const v3 = await write(US, c.key, 'three', THERE, v2);
  const res = await restoreVersion({
    client: t.client(US),
    bucket: src,
    key: c.key,
    versionId: v1.versionId,
    device: HERE,
    heads: [{ versionId: v3.versionId }],
  });
  assert.equal(res.sha256, sha('one'));
  assert.equal(res.size, 3);
  for (const region of [US, EU]) {
    const head = await replicated(region, c.key, res.versionId);
    assert.deepEqual(parseLineage(head.Metadata), {
      device: HERE,
      bases: [v3.versionId],
      sha256: sha('one'),
    });
    assert.equal(head.ContentType, 'text/markdown', 'content headers come along');
    assert.equal(await readText(t.client(region), bucketIn(region), c.key), 'one');
  }
  const all = await versionIds(US, c.key);
  assert.deepEqual(all, [v1, v2, v3, res].map((v) => v.versionId).sort(), 'all versions kept');
  assert.deepEqual(await versionIds(EU, c.key), all);
  for (const [v, text] of [
    [v1, 'one'],
    [v2, 'two'],
    [v3, 'three'],
  ] as const) {
    assert.equal(await readText(t.client(US), src, c.key, { VersionId: v.versionId }), text);
  }
});

test('restore: a version without lineage gets its sha256 computed; a deleted file comes back', async () => {
  const c = freshCase();
  const plain = await t
    .client(US)
    .send(new PutObjectCommand({ Bucket: src, Key: c.key, Body: 'written by another tool' }));
  const marker = await t.client(US).send(new DeleteObjectCommand({ Bucket: src, Key: c.key }));
  const res = await restoreVersion({
    client: t.client(US),
    bucket: src,
    key: c.key,
    versionId: plain.VersionId!,
    device: HERE,
    heads: [{ versionId: marker.VersionId! }],
  });
  const head = await current(US, c.key);
  assert.equal(head.VersionId, res.versionId);
  assert.deepEqual(parseLineage(head.Metadata)?.sha256, sha('written by another tool'));
  assert.deepEqual(parseLineage(head.Metadata)?.bases, [marker.VersionId]);
  const listed = await t
    .client(US)
    .send(new ListObjectVersionsCommand({ Bucket: src, Prefix: c.key }));
  assert.equal(listed.Versions?.length, 2, 'the old version and the restored one');
  assert.equal(listed.DeleteMarkers?.length, 1, 'the delete marker stays in the history');
  await assert.rejects(
    restoreVersion({
      client: t.client(US),
      bucket: src,
      key: c.key,
      versionId: marker.VersionId!,
      device: HERE,
      heads: [{ versionId: res.versionId }],
    }),
    /delete marker/,
  );
});

test('restore of a version above the single-copy limit: a multipart copy, same content', async () => {
  const c = freshCase();
  const big = randomBytes(6 * 1024 * 1024 + 123);
  const v1 = await write(US, c.key, big, THERE);
  const v2 = await write(US, c.key, 'small now', THERE, v1);
  const res = await restoreVersion({
    client: t.client(US),
    bucket: src,
    key: c.key,
    versionId: v1.versionId,
    device: HERE,
    heads: [{ versionId: v2.versionId }],
    currentEtag: v2.etag,
    singleCopyLimit: 1024 * 1024,
    copyPartSize: 5 * 1024 * 1024,
  });
  assert.equal(res.size, big.length);
  const copy = await readBytes(t.client(US), src, c.key, { VersionId: res.versionId });
  assert.ok(copy.equals(big));
  const head = await replicated(EU, c.key, res.versionId);
  assert.deepEqual(parseLineage(head.Metadata)?.bases, [v2.versionId]);
  assert.equal(parseLineage(head.Metadata)?.sha256, sha(big));
});
