// Crash safety of the sync engine: an engine in a child process syncs a folder of 1,000
// small files and is SIGKILLed 20 times at random moments while it uploads, restarted each
// time, then left to finish. The regions server (and a proxy in front of it that adds
// latency, so kills land between "S3 committed the write" and "the engine heard about it")
// stay up in this process throughout. Afterwards every file must be in the bucket exactly
// once (one version per key, the file's content and rs-sha256), and the index must match
// the bucket (every row synced, with the bucket's current version id).
import { GetObjectCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { FileIndex } from '../../main/core/index/file-index.js';
import { FolderTable, openIndexDb } from '../../main/core/index/index-db.js';
import type { EngineProcessArgs } from '../helpers/engine-process.js';
import { ensureVersionedBucket } from '../helpers/engine-setup.js';
import { bucketName, startTestRegions, type TestRegions } from '../helpers/regions.js';
import { startS3Proxy, type S3Proxy } from '../helpers/s3-proxy.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const childScript = path.join(root, 'test', 'helpers', 'engine-process.ts');
const REGION = 'us-east-1';
const DEVICE = 'device-crash-0001';
const FILES = 1000;
const KILLS = 20;
const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));

let regions: TestRegions;
let proxy: S3Proxy;
let s3: S3Client;
let work: string;

/** mulberry32: a seeded PRNG, so a failing run can be replayed with CRASH_SEED. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const relOf = (i: number): string =>
  `d${String(i % 10).padStart(2, '0')}/file-${String(i).padStart(4, '0')}.txt`;

interface Run {
  child: ChildProcess;
  /** Resolves with the first event named `ev` (or undefined when the process exits first). */
  next(ev: string): Promise<Record<string, unknown> | undefined>;
  exited: Promise<number | null>;
  started: () => number;
  done: () => number;
  stderr: () => string;
}

function spawnEngine(args: EngineProcessArgs): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, JSON.stringify(args)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  let started = 0;
  let done = 0;
  let err = '';
  const seen: Record<string, unknown>[] = [];
  const waiters: { ev: string; resolve: (v: Record<string, unknown> | undefined) => void }[] = [];
  let pending = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    pending += d;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (o.ev === 'started') started = Number(o.n);
      if (o.ev === 'done') done = Number(o.n);
      seen.push(o);
      for (const w of waiters.splice(0))
        if (w.ev === o.ev) w.resolve(o);
        else waiters.push(w);
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    err = (err + d).slice(-20_000);
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  void exited.then(() => {
    for (const w of waiters.splice(0)) w.resolve(undefined);
  });
  return {
    child,
    exited,
    next(ev) {
      const found = seen.find((o) => o.ev === ev);
      if (found) return Promise.resolve(found);
      if (child.exitCode !== null) return Promise.resolve(undefined);
      return new Promise((resolve) => waiters.push({ ev, resolve }));
    },
    started: () => started,
    done: () => done,
    stderr: () => err,
  };
}

before(async () => {
  regions = await startTestRegions({ regions: [REGION] });
  // Latency on writes: ~25 ms before S3 sees the request, ~60 ms between S3 committing it
  // and the engine hearing so. A kill in that second window is the dangerous one.
  proxy = await startS3Proxy(regions.handle.regions, {
    requestDelay: (r) => (r.op === 'PutObject' ? 25 : 0),
    responseDelay: (r) => (r.op === 'PutObject' ? 60 : 0),
  });
  s3 = regions.client(REGION);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-crash-'));
});

after(async () => {
  await proxy.close();
  await regions.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

test(
  'SIGKILL at random points while uploading 1,000 files: each uploaded exactly once, index matches the bucket',
  { timeout: 240_000 },
  async (t) => {
    const t0 = Date.now();
    const random = prng(SEED);
    const bucket = bucketName('crash');
    await ensureVersionedBucket(s3, bucket);
    const folder = path.join(work, 'folder');
    const dataDir = path.join(work, 'data');
    fs.mkdirSync(dataDir, { recursive: true });
    const expected = new Map<string, Buffer>();
    for (let i = 0; i < FILES; i++) {
      const rel = relOf(i);
      const body = Buffer.from(
        `file ${i}\n${sha256(Buffer.from(`${SEED}:${i}`)).repeat(1 + (i % 7))}\n`,
      );
      fs.mkdirSync(path.join(folder, path.dirname(rel)), { recursive: true });
      fs.writeFileSync(path.join(folder, rel), body);
      expected.set(rel, body);
    }
    const args: EngineProcessArgs = {
      dataDir,
      folder,
      bucket,
      region: REGION,
      device: DEVICE,
      concurrency: 8,
      tuning: {
        settleMs: 100,
        pollMs: 1000,
        rescanMs: 600_000,
        retryMs: 500,
        massDeleteFiles: 50,
        massDeletePercent: 50,
      },
      regions: {
        accessKeyId: regions.handle.accessKeyId,
        secretAccessKey: regions.handle.secretAccessKey,
        regions: proxy.regions,
      },
      settleTimeoutMs: 60_000,
    };

    let midUpload = 0;
    let inCommitWindow = 0;
    let finishedEarly = 0;
    const log: string[] = [];
    const isWrite = (op: string) => op === 'PutObject' || op === 'CompleteMultipartUpload';
    for (let k = 1; k <= KILLS; k++) {
      const run = spawnEngine(args);
      const first = await Promise.race([
        run.next('started'),
        run.next('settled'),
        sleep(60_000, undefined, { ref: false }).then(() => ({ ev: 'stuck' })),
      ]);
      if (first?.ev === 'stuck') {
        run.child.kill('SIGKILL');
        assert.fail(`run ${k} neither uploaded nor settled within 60 s:\n${run.stderr()}`);
      }
      if (!first || first.ev === 'settled') {
        // Nothing left to upload in this run: it finishes on its own.
        finishedEarly++;
        const code = await run.exited;
        log.push(`run ${k}: nothing to upload (exit ${code ?? 'signal'})`);
        assert.equal(code, 0, `run ${k} failed:\n${run.stderr()}`);
        continue;
      }
      const delay = 50 + Math.floor(random() * 1450);
      await sleep(delay);
      const open = proxy.inFlight().filter((r) => r.bucket === bucket);
      const others = [...new Set(open.filter((r) => !isWrite(r.op)).map((r) => r.op))];
      const writes = open.filter((r) => isWrite(r.op));
      const committed = writes.filter((r) => r.status !== undefined && r.status < 300);
      const running = run.started() - run.done();
      run.child.kill('SIGKILL');
      const code = await run.exited;
      if (code === 0) {
        log.push(`run ${k}: finished before the kill at ${delay} ms`);
        finishedEarly++;
        continue;
      }
      if (running > 0 || writes.length > 0) midUpload++;
      if (committed.length > 0) inCommitWindow++;
      log.push(
        `run ${k}: killed ${delay} ms after its first upload; ${run.done()}/${run.started()} transfers done, ` +
          `${writes.length} writes in flight (${committed.length} committed by S3, unanswered)` +
          (others.length > 0 ? `; also in flight: ${others.join(', ')}` : ''),
      );
    }

    const final = spawnEngine(args);
    const settled = await Promise.race([
      final.next('settled'),
      sleep(120_000, undefined, { ref: false }).then(() => undefined),
    ]);
    const code = await Promise.race([
      final.exited,
      sleep(10_000, undefined, { ref: false }).then(() => 'timeout' as const),
    ]);
    if (code === 'timeout') final.child.kill('SIGKILL');
    log.push(`final run: ${JSON.stringify(settled?.counts)} exit ${String(code)}`);
    // Writes S3 committed whose answer never reached an engine: the crash window proper.
    const unheard = proxy.requests.filter(
      (r) =>
        r.bucket === bucket &&
        isWrite(r.op) &&
        r.status !== undefined &&
        r.status < 300 &&
        !r.delivered,
    ).length;
    const summary =
      `seed ${SEED}: ${KILLS} kills, ${midUpload} mid-upload, ${inCommitWindow} with a write ` +
      `committed by S3 but not yet answered at the kill, ${unheard} writes landed in S3 ` +
      `without the engine hearing it, ${finishedEarly} runs had nothing left; ` +
      `${((Date.now() - t0) / 1000).toFixed(1)} s`;
    t.diagnostic(summary);
    console.log(`engine crash test: ${summary}\n  ${log.join('\n  ')}`);
    assert.ok(settled, `the final run never settled:\n${final.stderr()}`);
    assert.equal(code, 0, `the final run failed:\n${final.stderr()}`);
    assert.ok(midUpload > 0, 'no kill happened while uploads ran: the test proved nothing');

    // The bucket: exactly one version per file, with its content and rs-sha256.
    const versions = new Map<string, { versionId: string; latest: boolean }[]>();
    const markers: string[] = [];
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectVersionsCommand({
          Bucket: bucket,
          ...(keyMarker ? { KeyMarker: keyMarker } : {}),
          ...(versionMarker ? { VersionIdMarker: versionMarker } : {}),
        }),
      );
      for (const v of page.Versions ?? []) {
        const list = versions.get(v.Key ?? '') ?? [];
        list.push({ versionId: v.VersionId ?? 'null', latest: v.IsLatest === true });
        versions.set(v.Key ?? '', list);
      }
      for (const m of page.DeleteMarkers ?? []) markers.push(m.Key ?? '');
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (keyMarker);

    const problems: string[] = [];
    if (markers.length > 0) problems.push(`${markers.length} delete markers, e.g. ${markers[0]}`);
    for (const key of versions.keys())
      if (!expected.has(key)) problems.push(`${key}: in the bucket but not a local file`);
    const current = new Map<string, string>();
    const keys = [...expected.keys()];
    for (let i = 0; i < keys.length; i += 32) {
      await Promise.all(
        keys.slice(i, i + 32).map(async (key) => {
          const list = versions.get(key) ?? [];
          if (list.length !== 1) {
            problems.push(`${key}: ${list.length} versions, expected exactly 1`);
            if (list.length === 0) return;
          }
          const latest = list.find((v) => v.latest) ?? list[0];
          if (!latest) return;
          current.set(key, latest.versionId);
          const out = await s3.send(
            new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: latest.versionId }),
          );
          const body = Buffer.from(
            await (
              out.Body as { transformToByteArray(): Promise<Uint8Array> }
            ).transformToByteArray(),
          );
          const want = expected.get(key) as Buffer;
          if (!body.equals(want))
            problems.push(`${key}: the bucket's content differs from the file`);
          if (out.Metadata?.['rs-sha256'] !== sha256(want))
            problems.push(
              `${key}: rs-sha256 ${out.Metadata?.['rs-sha256'] ?? '-'} is not the file's`,
            );
          if (out.Metadata?.['rs-device'] !== DEVICE)
            problems.push(`${key}: rs-device ${out.Metadata?.['rs-device'] ?? '-'}`);
        }),
      );
    }

    // The index: one synced row per file, at the bucket's current version.
    const db = openIndexDb(path.join(dataDir, 'index.sqlite'));
    try {
      const folders = new FolderTable(db).list();
      assert.equal(folders.length, 1, 'one folder in the index');
      const files = new FileIndex(db);
      const rows = [...files.iterate((folders[0] as { id: string }).id)];
      const byState = new Map<string, number>();
      for (const r of rows) byState.set(r.state, (byState.get(r.state) ?? 0) + 1);
      if (rows.length !== FILES) problems.push(`index has ${rows.length} rows, expected ${FILES}`);
      for (const r of rows) {
        const want = expected.get(r.relPath);
        if (!want) {
          problems.push(`${r.relPath}: index row for no file`);
          continue;
        }
        if (r.state !== 'synced')
          problems.push(`${r.relPath}: index state ${r.state}${r.error ? ` (${r.error})` : ''}`);
        if (r.versionId !== current.get(r.relPath))
          problems.push(
            `${r.relPath}: index version ${r.versionId ?? 'null'} is not the bucket's ${current.get(r.relPath) ?? '-'}`,
          );
        if (r.sha256 !== sha256(want))
          problems.push(`${r.relPath}: index sha256 ${r.sha256 ?? 'null'} is not the file's`);
      }
      t.diagnostic(`index states: ${JSON.stringify(Object.fromEntries(byState))}`);
      console.log(`  index states: ${JSON.stringify(Object.fromEntries(byState))}`);
    } finally {
      db.close();
    }
    assert.deepEqual(
      problems.slice(0, 25),
      [],
      `${problems.length} problems after ${KILLS} kills (seed ${SEED}); the first ones are listed`,
    );
  },
);
