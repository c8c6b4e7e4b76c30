// The Replica Sync engine in bench/sync-engine.ts: SyncEngine as the app runs it, in a fresh
// child process per run (the entry script with --child), so its CPU and memory are its own.
// Upload runs add a folder and wait until every row is synced; restart runs open an index
// that already lists every file as synced and wait until start-up has settled.
import fs from 'node:fs';
import path from 'node:path';
import { MemorySecretStore } from '../../main/core/accounts/secret-store.js';
import { localAccount } from '../../main/core/app/start-engine.js';
import { EventHub } from '../../main/core/emitter.js';
import { SyncEngine } from '../../main/core/sync/engine.js';
import {
  DEVICE,
  isInfoLog,
  MiB,
  REGION,
  entry,
  notes,
  peakRss,
  run,
  syncDisk,
  type Ctx,
  type Measured,
} from './common.js';
import { fillSyncedIndex, writeRestartFiles } from './fixtures.js';

export interface EngineJob {
  mode: 'upload' | 'restart';
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The engine's data folder (index.sqlite). */
  dataDir: string;
  /** upload: the folder to add. */
  folder?: string;
  bucket: string;
  concurrency: number;
  /** Rows expected to end 'synced'. */
  expect: number;
  timeoutMs: number;
}

export interface EngineResult {
  seconds: number;
  /** upload: addFolder returned (bucket check, watcher ready, scan, first pull); restart: start(). */
  startSeconds: number;
  counts: Record<string, number>;
  /** Upload-queue tasks started, and distinct paths among them. */
  tasksStarted: number;
  distinctTasks: number;
  outcomes: Record<string, number>;
  warnings: string[];
  cpuSeconds: number;
  rssBefore: number;
  heapBefore: number;
  rssPeak: number;
  heapPeak: number;
  vmHwm: number | undefined;
  samples: number;
  timedOut: boolean;
}

/** The child process's side: runs one job, prints `result {json}` and exits. */
export async function engineChild(job: EngineJob): Promise<void> {
  const warnings: string[] = [];
  const outcomes: Record<string, number> = {};
  const starts = new Map<string, number>();
  const before = process.memoryUsage();
  let rssPeak = before.rss;
  let heapPeak = before.heapUsed;
  let samples = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    rssPeak = Math.max(rssPeak, m.rss);
    heapPeak = Math.max(heapPeak, m.heapUsed);
    samples++;
  }, 50);

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const engine = new SyncEngine({
    indexFile: path.join(job.dataDir, 'index.sqlite'),
    device: DEVICE,
    concurrency: job.concurrency,
    secrets: new MemorySecretStore(),
    events: new EventHub(),
    activity: (level, message) => {
      if (level !== 'info') warnings.push(`${level}: ${message}`);
    },
    onStatus: () => {},
    log: (line) => {
      if (!isInfoLog(line)) warnings.push(line);
    },
  });
  engine.queue.on((e) => {
    if (e.type === 'started') starts.set(e.id, (starts.get(e.id) ?? 0) + 1);
    else if (e.type === 'done') {
      const k = typeof e.result === 'string' ? e.result : JSON.stringify(e.result).slice(0, 80);
      outcomes[k] = (outcomes[k] ?? 0) + 1;
    } else if (e.type === 'failed' || e.type === 'cancelled') {
      outcomes[e.type] = (outcomes[e.type] ?? 0) + 1;
    }
  });
  engine.addAccount(
    localAccount({
      accessKeyId: job.accessKeyId,
      secretAccessKey: job.secretAccessKey,
      regions: [{ name: REGION, endpoint: job.endpoint }],
      close: async () => {},
    }),
  );
  await engine.start({ paused: false });
  let folderId: string;
  if (job.mode === 'upload') {
    const f = await engine.addFolder({
      path: job.folder ?? '',
      accountId: 'local',
      bucket: job.bucket,
      region: REGION,
    });
    folderId = f.id;
  } else {
    const f = engine.listFolders()[0];
    if (!f) throw new Error('the index has no folder');
    folderId = f.id;
  }
  const startSeconds = (performance.now() - t0) / 1000;
  await engine.settle();
  // settle() covers the loop and the queue; a task retried after an error re-enters later.
  const deadline = Date.now() + job.timeoutMs;
  let timedOut = false;
  while (engine.files.countsByState(folderId).synced < job.expect) {
    if (Date.now() > deadline) {
      timedOut = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  const m = process.memoryUsage();
  rssPeak = Math.max(rssPeak, m.rss);
  heapPeak = Math.max(heapPeak, m.heapUsed);
  const counts = Object.fromEntries(
    Object.entries(engine.files.countsByState(folderId)).filter(([, n]) => n > 0),
  );
  const result: EngineResult = {
    seconds,
    startSeconds,
    counts,
    tasksStarted: [...starts.values()].reduce((a, b) => a + b, 0),
    distinctTasks: starts.size,
    outcomes,
    warnings: warnings.slice(0, 10),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    rssBefore: before.rss,
    heapBefore: before.heapUsed,
    rssPeak,
    heapPeak,
    vmHwm: peakRss(),
    samples,
    timedOut,
  };
  await engine.dispose();
  process.stdout.write(`result ${JSON.stringify(result)}\n`);
  process.exit(0);
}

export async function runEngine(
  job: EngineJob,
  cpuProf: string | undefined,
): Promise<EngineResult & { wallSeconds: number }> {
  const prof = cpuProf === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', cpuProf];
  const r = await run(
    process.execPath,
    [...prof, '--import', 'tsx', entry, '--child', JSON.stringify(job)],
    process.env,
  );
  const line = r.stdout.split('\n').find((l) => l.startsWith('result '));
  if (r.code !== 0 || !line) {
    throw new Error(`the engine child exited ${r.code}\n${r.stdout.slice(-4000)}\n${r.stderr}`);
  }
  return { ...(JSON.parse(line.slice('result '.length)) as EngineResult), wallSeconds: r.seconds };
}

/** The engine's upload run over `dir` into `bucket` (the caller lists the bucket afterwards). */
export async function engineUpload(
  ctx: Ctx,
  label: string,
  dir: string,
  bucket: string,
  files: number,
  problems: string[],
): Promise<Measured> {
  const dataDir = fs.mkdtempSync(path.join(ctx.work, `engine-${label}-`));
  const r = await runEngine(
    {
      mode: 'upload',
      endpoint: ctx.server.endpoint,
      accessKeyId: ctx.server.accessKeyId,
      secretAccessKey: ctx.server.secretAccessKey,
      dataDir,
      folder: dir,
      bucket,
      concurrency: ctx.o.concurrency,
      expect: files,
      timeoutMs: 30 * 60_000,
    },
    ctx.o.cpuProf,
  );
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (r.timedOut)
    problems.push(`engine (${label}): not all rows synced: ${JSON.stringify(r.counts)}`);
  if ((r.outcomes.synced ?? 0) !== files || r.distinctTasks !== files)
    problems.push(
      `engine (${label}): ${r.outcomes.synced ?? 0} uploads ended synced, ${r.distinctTasks} paths queued (${files} files)`,
    );
  if (r.tasksStarted > files)
    notes.push(
      `engine (${label}): ${r.tasksStarted} upload-queue tasks ran for ${files} files; the ` +
        `${r.tasksStarted - files} extra ended ${JSON.stringify(r.outcomes)} (a rerun that found ` +
        `the row already synced sends no request)`,
    );
  for (const w of r.warnings) problems.push(`engine (${label}) said: ${w}`);
  return {
    seconds: r.seconds,
    clientCpu: r.cpuSeconds,
    serverCpu: undefined,
    note:
      `addFolder returned after ${r.startSeconds.toFixed(1)} s; rows ${JSON.stringify(r.counts)}; ` +
      `tasks ${JSON.stringify(r.outcomes)}; peak RSS ${(r.rssPeak / MiB).toFixed(0)} MiB; ` +
      `child process ${r.wallSeconds.toFixed(1)} s including node/tsx start-up`,
  };
}

export interface RestartFigures {
  count: number;
  createSeconds: number;
  indexSeconds: number;
  result: EngineResult & { wallSeconds: number };
  /** fs.inotify.max_user_watches, and whether the engine reported running out of watches. */
  inotifyLimit: number | undefined;
  inotifyHit: boolean;
}

function inotifyLimit(): number | undefined {
  try {
    return Number(fs.readFileSync('/proc/sys/fs/inotify/max_user_watches', 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** A new engine over `count` files the index already calls synced: start() + settle(). */
export async function measureRestart(
  ctx: Ctx,
  count: number,
  problems: string[],
): Promise<RestartFigures> {
  const { o } = ctx;
  const base = path.join(ctx.work, `restart-${count}`);
  const folder = path.join(base, 'folder');
  const dataDir = path.join(base, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  const tag = `restart ${count}`;

  process.stdout.write(
    `${tag}: writing ${count} x 1-byte files in ${o.restartDirs} subfolders ... `,
  );
  let t = performance.now();
  const rels = writeRestartFiles(folder, count, o.restartDirs);
  const createSeconds = (performance.now() - t) / 1000;
  console.log(`${createSeconds.toFixed(1)} s`);

  const bucket = await ctx.buckets.fresh('restart');
  process.stdout.write(`${tag}: filling the index with ${count} 'synced' rows ... `);
  t = performance.now();
  fillSyncedIndex(path.join(dataDir, 'index.sqlite'), folder, bucket, rels);
  const indexSeconds = (performance.now() - t) / 1000;
  console.log(`${indexSeconds.toFixed(1)} s`);

  syncDisk();
  process.stdout.write(`${tag}: new SyncEngine, start() + settle() ... `);
  const result = await runEngine(
    {
      mode: 'restart',
      endpoint: ctx.server.endpoint,
      accessKeyId: ctx.server.accessKeyId,
      secretAccessKey: ctx.server.secretAccessKey,
      dataDir,
      bucket,
      concurrency: o.concurrency,
      expect: count,
      timeoutMs: Math.max(60_000, count * 0.6),
    },
    o.cpuProf,
  );
  console.log(`${result.seconds.toFixed(1)} s`);
  if (result.tasksStarted > 0)
    problems.push(`${tag}: ${result.tasksStarted} upload tasks started (expected none)`);
  if ((result.counts.synced ?? 0) !== count)
    problems.push(`${tag}: rows after start-up ${JSON.stringify(result.counts)}`);
  const inotifyHit = result.warnings.some((w) => /ENOSPC|inotify|watch(es)? limit/i.test(w));
  for (const w of result.warnings) problems.push(`engine (${tag}) said: ${w}`);
  const listing = await ctx.buckets.list(bucket);
  if (listing.versions + listing.deleteMarkers > 0)
    problems.push(`${tag}: the bucket got ${listing.versions} versions`);
  fs.rmSync(base, { recursive: true, force: true });
  return {
    count,
    createSeconds,
    indexSeconds,
    result,
    inotifyLimit: inotifyLimit(),
    inotifyHit,
  };
}
