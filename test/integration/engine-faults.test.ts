// Faults the engine meets on its own, with nobody at the keyboard (issue "Nothing stops the
// app or a folder"): a region outage in the middle of a sync ends with every file uploaded
// exactly once without a rescan; names S3 or the pull cannot take are refused once each and
// never uploaded; a FIFO is reported once. A real SyncEngine against the local regions over
// HTTP; the tests only write files, flip the regions' fault switches and wait.
import { ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FileRow, FolderState } from '../../main/contract/index.js';
import { MemorySecretStore } from '../../main/core/accounts/secret-store.js';
import { EventHub } from '../../main/core/emitter.js';
import { SyncEngine } from '../../main/core/sync/engine.js';
import type { FolderTuning } from '../../main/core/sync/folder-types.js';
import { ensureVersionedBucket, localRegionsAccount } from '../helpers/engine-setup.js';
import { bucketName, startTestRegions, type TestRegions } from '../helpers/regions.js';
import { tempDir } from '../helpers/temp-dir.js';

const REGION = 'us-east-1';
const TUNING: Partial<FolderTuning> = {
  settleMs: 100,
  // Pulls run (and fail) during the outage; no periodic rescan: nothing but retries may help.
  pollMs: 2_000,
  rescanMs: 600_000,
  retryMs: 200,
  retryMaxMs: 2_000,
  massDeleteFiles: 10_000,
  massDeletePercent: 100,
};

let regions: TestRegions;
let s3: S3Client;
let root: string;
let cleanup: () => void;

before(async () => {
  regions = await startTestRegions({ regions: [REGION] });
  s3 = regions.client(REGION);
  ({ dir: root, cleanup } = tempDir('rs-faults-'));
});

after(async () => {
  await regions.stop();
  cleanup();
});

interface Run {
  engine: SyncEngine;
  folder: string;
  folderId: string;
  bucket: string;
  log: string[];
  /** Every state the folder was seen in. */
  states: Set<FolderState>;
  stop(): Promise<void>;
}

async function startEngine(name: string, prepare: (folder: string) => void = () => {}) {
  const dir = fs.mkdtempSync(path.join(root, `${name}-`));
  const folder = path.join(dir, 'folder');
  fs.mkdirSync(folder);
  prepare(folder);
  const bucket = bucketName(name);
  await ensureVersionedBucket(s3, bucket);
  const log: string[] = [];
  const states = new Set<FolderState>();
  const secrets = new MemorySecretStore();
  const events = new EventHub();
  const engine = new SyncEngine({
    indexFile: path.join(dir, 'index.sqlite'),
    device: 'device-faults-0001',
    concurrency: 8,
    secrets,
    events,
    activity: (level, message) => log.push(`${level}: ${message}`),
    onStatus: () => undefined,
    tuning: TUNING,
    log: () => undefined,
  });
  engine.addAccount(
    localRegionsAccount({
      accessKeyId: regions.handle.accessKeyId,
      secretAccessKey: regions.handle.secretAccessKey,
      regions: regions.handle.regions,
    }),
  );
  await engine.start({ paused: false });
  await engine.addFolder({ path: folder, accountId: 'local', bucket, region: REGION });
  const f = engine.listFolders()[0];
  assert.ok(f, 'the engine lists the folder');
  const sampler = setInterval(() => {
    for (const s of engine.listFolders()) states.add(s.state);
  }, 50);
  const run: Run = {
    engine,
    folder,
    folderId: f.id,
    bucket,
    log,
    states,
    async stop() {
      clearInterval(sampler);
      await engine.dispose();
      await sleep(50);
    },
  };
  return run;
}

function rows(run: Run): FileRow[] {
  const out: FileRow[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = run.engine.listFiles({ folderId: run.folderId, offset, limit: 1000 });
    out.push(...page.rows);
    if (out.length >= page.total || page.rows.length === 0) return out;
  }
}

const syncedCount = (run: Run) =>
  run.engine.listFiles({ folderId: run.folderId, state: 'synced', offset: 0, limit: 1 }).total;

async function until(what: string, ms: number, cond: () => boolean, run?: Run): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end)
      throw new Error(
        `${what}: not within ${ms} ms` +
          (run
            ? `\nstate ${run.engine.listFolders()[0]?.state ?? '?'}, log:\n${run.log.join('\n')}`
            : ''),
      );
    await sleep(50);
  }
}

/** Every version and delete marker in the bucket, by key. */
async function bucketVersions(bucket: string): Promise<Map<string, string[]>> {
  const byKey = new Map<string, string[]>();
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker, VersionIdMarker }),
    );
    for (const v of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) {
      if (!v.Key || v.Key.startsWith('.replica-sync/')) continue;
      byKey.set(v.Key, [...(byKey.get(v.Key) ?? []), v.VersionId ?? 'null']);
    }
    KeyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    VersionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (KeyMarker);
  return byKey;
}

const count = (log: string[], re: RegExp) => log.filter((l) => re.test(l)).length;

test(
  'a region down for 60 s in the middle of a 500-file sync: every file (and 20 written during the outage) uploaded exactly once, without a rescan',
  { timeout: 180_000 },
  async (t) => {
    const t0 = Date.now();
    const BEFORE = 500;
    const DURING = 20;
    const rel = (i: number) => `d${i % 10}/file-${String(i).padStart(4, '0')}.txt`;
    // A little latency so the outage lands while uploads run.
    regions.handle.setFaults(REGION, { latencyMs: 15 });
    const run = await startEngine('outage', (folder) => {
      for (let i = 0; i < BEFORE; i++) {
        fs.mkdirSync(path.join(folder, path.dirname(rel(i))), { recursive: true });
        fs.writeFileSync(path.join(folder, rel(i)), `file ${i}\n`);
      }
    });
    try {
      await until('the first 50 uploads', 60_000, () => syncedCount(run) >= 50, run);
      regions.handle.setFaults(REGION, { down: true });
      const atOutage = syncedCount(run);
      const downAt = Date.now();
      await sleep(2_000);
      for (let i = BEFORE; i < BEFORE + DURING; i++)
        fs.writeFileSync(path.join(run.folder, rel(i)), `file ${i}, written during the outage\n`);
      await sleep(60_000 - (Date.now() - downAt));
      const duringOutage = syncedCount(run);
      regions.handle.setFaults(REGION, { down: false, latencyMs: 0 });
      const upAt = Date.now();
      assert.ok(atOutage < BEFORE, `the outage began mid-sync (${atOutage} of ${BEFORE} synced)`);
      assert.ok(duringOutage < BEFORE, 'uploads stopped while the region was down');
      // No rescan, no retry call: only waiting.
      await until(
        'every file synced after the region came back',
        60_000,
        () => {
          const all = rows(run);
          return all.length === BEFORE + DURING && all.every((r) => r.state === 'synced');
        },
        run,
      );
      const recovered = Date.now() - upAt;

      const versions = await bucketVersions(run.bucket);
      assert.equal(versions.size, BEFORE + DURING, 'one key per file');
      const twice = [...versions].filter(([, v]) => v.length !== 1);
      assert.deepEqual(twice, [], 'exactly one version per key');
      for (const r of rows(run))
        assert.equal(r.versionId, versions.get(r.relPath)?.[0], `${r.relPath}: index = bucket`);
      assert.ok(!run.states.has('error'), 'a region outage is no folder error');
      assert.equal(run.engine.listFolders()[0]?.error, null);
      // The outage is said, not once per file or per try.
      const retries = count(run.log, /retried automatically|tried again automatically/);
      assert.ok(
        retries >= 1 && retries <= 4,
        `the outage said ${retries} times:\n${run.log.join('\n')}`,
      );
      const summary =
        `${atOutage} of ${BEFORE} synced when the region went down, ${duringOutage} at its end; ` +
        `all ${BEFORE + DURING} synced ${(recovered / 1000).toFixed(1)} s after it came back; ` +
        `${((Date.now() - t0) / 1000).toFixed(1)} s in all`;
      t.diagnostic(summary);
      console.log(`engine outage test: ${summary}`);
    } finally {
      regions.handle.setFaults(REGION, { down: false, latencyMs: 0 });
      await run.stop();
    }
  },
);

test(
  'names the key rules refuse (1,100-byte path, a tab, a backslash) are never uploaded and said once each over several rescans; the folder goes on',
  { timeout: 60_000 },
  async () => {
    const seg = 'long-folder-name-'.padEnd(200, 'x');
    const long = `${[seg, seg, seg, seg, seg].join('/')}/${'f'.repeat(100)}.txt`;
    assert.ok(Buffer.byteLength(long) >= 1100, `${Buffer.byteLength(long)} bytes`);
    const bad = [long, 'with\ttab.txt', 'back\\slash.txt'];
    const good = ['ok-1.txt', 'sub/ok-2.txt'];
    const write = (folder: string, p: string) => {
      fs.mkdirSync(path.join(folder, path.dirname(p)), { recursive: true });
      fs.writeFileSync(path.join(folder, p), `content of ${p.length}\n`);
    };
    const run = await startEngine('names', (folder) => {
      for (const p of [...bad, ...good]) write(folder, p);
    });
    try {
      await until('the good files synced', 30_000, () => syncedCount(run) === good.length, run);
      for (let i = 0; i < 4; i++) {
        await run.engine.rescan(run.folderId);
        await run.engine.settle();
      }
      // A new file after the rescans still syncs: the folder was never stopped.
      write(run.folder, 'later.txt');
      await until('a later file synced', 30_000, () => syncedCount(run) === good.length + 1, run);
      await run.engine.rescan(run.folderId);
      await run.engine.settle();

      const keys = [...(await bucketVersions(run.bucket)).keys()].sort();
      assert.deepEqual(
        keys,
        [...good, 'later.txt'].sort(),
        'only the good names are in the bucket',
      );
      const byPath = new Map(rows(run).map((r) => [r.relPath, r]));
      for (const p of bad) assert.equal(byPath.get(p)?.state, 'error', `${p} is an error row`);
      assert.equal(count(run.log, /over S3's limit of 1024/), 1, run.log.join('\n'));
      assert.equal(count(run.log, /with\\u0009tab\.txt" contains a control character/), 1);
      assert.equal(count(run.log, /back\\slash\.txt" contains a backslash/), 1);
      assert.equal(count(run.log, /^error: /), 0, `no error logged:\n${run.log.join('\n')}`);
      assert.ok(!run.states.has('error'), 'the folder never stopped');
    } finally {
      await run.stop();
    }
  },
);

test(
  'a FIFO is said once ("is a named pipe") and the folder is not stopped',
  { timeout: 60_000 },
  async () => {
    const run = await startEngine('fifo', (folder) => {
      execFileSync('mkfifo', [path.join(folder, 'before.pipe')]);
      fs.writeFileSync(path.join(folder, 'a.txt'), 'a\n');
    });
    try {
      await until('a.txt synced', 30_000, () => syncedCount(run) === 1, run);
      // One made while the engine watches, too.
      execFileSync('mkfifo', [path.join(run.folder, 'during.pipe')]);
      fs.writeFileSync(path.join(run.folder, 'b.txt'), 'b\n');
      await until('b.txt synced', 30_000, () => syncedCount(run) === 2, run);
      for (let i = 0; i < 3; i++) {
        await run.engine.rescan(run.folderId);
        await run.engine.settle();
      }
      for (const name of ['before.pipe', 'during.pipe'])
        assert.equal(
          count(
            run.log,
            new RegExp(
              `"${name.replace('.', '\\.')}" is a named pipe: Replica Sync syncs regular files only`,
            ),
          ),
          1,
          `${name}:\n${run.log.join('\n')}`,
        );
      const keys = [...(await bucketVersions(run.bucket)).keys()].sort();
      assert.deepEqual(keys, ['a.txt', 'b.txt']);
      assert.ok(!run.states.has('error'), 'the folder never stopped');
      assert.equal(run.engine.listFolders()[0]?.error, null);
    } finally {
      await run.stop();
    }
  },
);

test(
  'a folder that went missing is a folder error that clears by itself once it is back',
  { timeout: 60_000 },
  async () => {
    const run = await startEngine('missing', (folder) =>
      fs.writeFileSync(path.join(folder, 'a.txt'), 'a\n'),
    );
    try {
      await until('a.txt synced', 30_000, () => syncedCount(run) === 1, run);
      const away = `${run.folder}-away`;
      fs.renameSync(run.folder, away);
      await run.engine.rescan(run.folderId);
      const summary = run.engine.listFolders()[0];
      assert.equal(summary?.state, 'error');
      assert.match(summary?.error ?? '', /cannot be read/);
      await sleep(3_000);
      fs.renameSync(away, run.folder);
      fs.writeFileSync(path.join(run.folder, 'b.txt'), 'b\n');
      // No rescan, no retry: the folder is tried again by itself.
      await until('the folder syncs again', 30_000, () => syncedCount(run) === 2, run);
      assert.notEqual(run.engine.listFolders()[0]?.state, 'error');
      assert.equal(run.engine.listFolders()[0]?.error, null);
      assert.equal(count(run.log, /cannot be read/), 1, `said once:\n${run.log.join('\n')}`);
    } finally {
      await run.stop();
    }
  },
);
