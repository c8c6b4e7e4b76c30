// `npm run bench:sync [-- --small-count 500 --big-mib 64 --restart-count 5000]`: the sync engine
// (SyncEngine, as the app runs it) next to rclone and the AWS CLI, against the same local
// regions server (its own process, one region), a fresh versioned bucket per tool and run,
// and the same concurrency (--concurrency, default 8):
//   1. --small-count files of --small-kib each: time until all are uploaded, files/s;
//   2. one --big-mib file of random bytes (streamed to disk): time until uploaded, MiB/s;
//   3. restart: a new SyncEngine over an index of --restart-count rows already 'synced' and a
//      folder of as many 1-byte files with the same size/mtime; time of engine.start() +
//      settle() (watcher start, start-up rescan, pull of the empty bucket; nothing to upload),
//      with process.memoryUsage() sampled every 50 ms.
// Each engine run happens in a fresh child process (this script with --child), so its CPU and
// memory are its own; rclone and /usr/bin/aws run with temporary config files only and an
// environment without AWS_* / RCLONE_* variables. After every upload run the bucket is listed
// by version: exactly one version per file is expected (a duplicate upload would show up as a
// second version). `sync` runs before every measured run, so none pays for another's disk
// writeback. The temp folder is removed at the end.
import {
  CreateBucketCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { procCpuSeconds } from './proc-stats.js';
import { MemorySecretStore } from '../main/core/accounts/secret-store.js';
import { localAccount } from '../main/core/app/start-engine.js';
import { EventHub } from '../main/core/emitter.js';
import { FileIndex } from '../main/core/index/file-index.js';
import { FolderTable, openIndexDb } from '../main/core/index/index-db.js';
import { SyncEngine } from '../main/core/sync/engine.js';
import { objectKey } from '../main/core/watch/key-names.js';

// The SDK's notice that later releases will need Node 22 is noise in a benchmark's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const self = fileURLToPath(import.meta.url);
const MiB = 1024 * 1024;
const REGION = 'us-east-1';
const AWS = '/usr/bin/aws';
const RCLONE = 'rclone';
const DEVICE = 'bench-device-0001';

const USAGE = `Usage: npm run bench:sync -- [options]
  --small-count N     number of small files (default 10000)
  --small-kib N       size of each small file in KiB (default 4)
  --big-mib N         size of the big file in MiB (default 1024)
  --restart-count N   synced files for the restart test (default 100000)
  --restart-dirs N    subfolders they are spread over (default 100)
  --concurrency N     files in flight for every tool (default 8)
  --only LIST         comma-separated subset of small,big,restart (default all)
  --tools LIST        comma-separated subset of engine,rclone,aws (default all)
  --tmp DIR           parent folder for the temporary data (default the OS temp folder)
  --cpu-prof DIR      write a V8 CPU profile of every engine child process into DIR`;

type Phase = 'small' | 'big' | 'restart';
type Tool = 'engine' | 'rclone' | 'aws';

interface Options {
  smallCount: number;
  smallBytes: number;
  bigBytes: number;
  restartCount: number;
  restartDirs: number;
  concurrency: number;
  phases: Phase[];
  tools: Tool[];
  tmp: string;
  cpuProf: string | undefined;
}

function subset<T extends string>(value: string, all: readonly T[], flag: string): T[] {
  const picked = value.split(',').map((s) => s.trim());
  for (const p of picked) {
    if (!all.includes(p as T)) {
      console.error(`--${flag}: unknown '${p}' (choose from ${all.join(', ')})\n\n${USAGE}`);
      process.exit(2);
    }
  }
  return all.filter((a) => picked.includes(a));
}

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      'small-count': { type: 'string', default: '10000' },
      'small-kib': { type: 'string', default: '4' },
      'big-mib': { type: 'string', default: '1024' },
      'restart-count': { type: 'string', default: '100000' },
      'restart-dirs': { type: 'string', default: '100' },
      concurrency: { type: 'string', default: '8' },
      only: { type: 'string', default: 'small,big,restart' },
      tools: { type: 'string', default: 'engine,rclone,aws' },
      tmp: { type: 'string', default: os.tmpdir() },
      'cpu-prof': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const num = (name: keyof typeof values, min: number): number => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n < min) {
      console.error(`--${name} must be a number >= ${min}\n\n${USAGE}`);
      process.exit(2);
    }
    return n;
  };
  return {
    smallCount: Math.floor(num('small-count', 1)),
    smallBytes: Math.round(num('small-kib', 0) * 1024),
    bigBytes: Math.round(num('big-mib', 1) * MiB),
    restartCount: Math.floor(num('restart-count', 1)),
    restartDirs: Math.floor(num('restart-dirs', 1)),
    concurrency: Math.floor(num('concurrency', 1)),
    phases: subset(String(values.only), ['small', 'big', 'restart'] as const, 'only'),
    tools: subset(String(values.tools), ['engine', 'rclone', 'aws'] as const, 'tools'),
    tmp: path.resolve(String(values.tmp)),
    cpuProf: values['cpu-prof'] === undefined ? undefined : path.resolve(values['cpu-prof']),
  };
}

// ---------------------------------------------------------------------------------------------
// processes and CPU time (Linux /proc)

/** CPU seconds of this process's children that have exited (cutime + cstime). */
function reapedChildrenCpu(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** Peak resident set size of this process (VmHWM), in bytes. */
function peakRss(): number | undefined {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : undefined;
}

const children = new Set<ChildProcess>();
/** Things worth saying that are not failures. */
const notes: string[] = [];

interface Server {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  cpuSeconds(): number | undefined;
  stop(): Promise<void>;
}

function startRegions(dataDir: string): Promise<Server> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(root, 'main/regions/cli.ts'),
      '--regions',
      REGION,
      '--data',
      dataDir,
      '--quiet',
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.add(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    children.delete(child);
  };
  return new Promise((resolve, reject) => {
    const lines: string[] = [];
    let pending = '';
    const field = (prefix: string) => {
      const line = lines.find((l) => l.startsWith(`${prefix} `));
      if (!line) throw new Error(`no "${prefix}" line in:\n${lines.join('\n')}`);
      return line.slice(prefix.length + 1);
    };
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      pending += d;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (line !== 'ready') {
          lines.push(line);
          continue;
        }
        try {
          resolve({
            endpoint: field(`region ${REGION}`),
            accessKeyId: field('accessKeyId'),
            secretAccessKey: field('secretAccessKey'),
            cpuSeconds: () => procCpuSeconds(child.pid),
            stop,
          });
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      }
    });
    child.on('exit', (code) =>
      reject(new Error(`the regions server exited (${code}) before ready\n${stderr}`)),
    );
    child.on('error', reject);
  });
}

interface RunResult {
  code: number | null;
  stdout: string;
  /** The last 8 KB of stderr. */
  stderr: string;
  seconds: number;
}

/** Runs a command to completion; wall time from spawn to exit. */
function run(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(bin, args, { env, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr
      .setEncoding('utf8')
      .on('data', (d: string) => (stderr = (stderr + d).slice(-8000)));
    child.on('error', (err) => {
      children.delete(child);
      reject(err);
    });
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code, stdout, stderr, seconds: (performance.now() - start) / 1000 });
    });
  });
}

/** An environment without any of the caller's AWS_* / RCLONE_* settings. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(AWS_|RCLONE_)/i.test(k)) env[k] = v;
  }
  return { ...env, ...extra };
}

/** Flushes dirty pages (the data just written, the server's last run) so no run pays for another's writeback. */
function syncDisk(): void {
  spawnSync('sync');
}

function firstLine(bin: string, args: string[]): string | undefined {
  const r = spawnSync(bin, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return `${r.stdout}${r.stderr}`.split('\n')[0]?.trim();
}

// ---------------------------------------------------------------------------------------------
// the engine, in a child process

interface EngineJob {
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

interface EngineResult {
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

async function childMain(job: EngineJob): Promise<void> {
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
    log: (line) => warnings.push(line),
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

async function runEngine(
  job: EngineJob,
  cpuProf: string | undefined,
): Promise<EngineResult & { wallSeconds: number }> {
  const prof = cpuProf === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', cpuProf];
  const r = await run(
    process.execPath,
    [...prof, '--import', 'tsx', self, '--child', JSON.stringify(job)],
    process.env,
  );
  const line = r.stdout.split('\n').find((l) => l.startsWith('result '));
  if (r.code !== 0 || !line) {
    throw new Error(`the engine child exited ${r.code}\n${r.stdout.slice(-4000)}\n${r.stderr}`);
  }
  return { ...(JSON.parse(line.slice('result '.length)) as EngineResult), wallSeconds: r.seconds };
}

// ---------------------------------------------------------------------------------------------
// data

/** Writes `count` files of `size` random bytes, 1000 per subfolder. */
function writeSmallFiles(dir: string, count: number, size: number): void {
  for (let i = 0; i < count; i++) {
    const sub = path.join(dir, `d${String(Math.floor(i / 1000)).padStart(3, '0')}`);
    if (i % 1000 === 0) fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(path.join(sub, `f${String(i).padStart(6, '0')}.bin`), randomBytes(size));
  }
}

/** Streams `size` pseudo-random bytes (an AES-CTR keystream) to `file`; returns their sha256. */
async function writeBigFile(file: string, size: number): Promise<string> {
  const cipher = createCipheriv('aes-256-ctr', randomBytes(32), randomBytes(16));
  const zeros = Buffer.alloc(4 * MiB);
  const sha = createHash('sha256');
  const out = fs.createWriteStream(file);
  for (let done = 0; done < size;) {
    const n = Math.min(zeros.length, size - done);
    const chunk = cipher.update(zeros.subarray(0, n));
    sha.update(chunk);
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    done += n;
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  return sha.digest('hex');
}

// ---------------------------------------------------------------------------------------------
// the bucket side

interface Listing {
  versions: number;
  keys: number;
  deleteMarkers: number;
  bytes: number;
}

class Buckets {
  readonly client: S3Client;
  private n = 0;

  constructor(server: Server) {
    this.client = new S3Client({
      region: REGION,
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
  }

  /** A new versioned bucket. */
  async fresh(label: string): Promise<string> {
    const Bucket = `bench-${label}-${++this.n}`;
    await this.client.send(new CreateBucketCommand({ Bucket }));
    await this.client.send(
      new PutBucketVersioningCommand({
        Bucket,
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
    return Bucket;
  }

  async list(Bucket: string): Promise<Listing> {
    const out: Listing = { versions: 0, keys: 0, deleteMarkers: 0, bytes: 0 };
    const keys = new Set<string>();
    let KeyMarker: string | undefined;
    let VersionIdMarker: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectVersionsCommand({
          Bucket,
          ...(KeyMarker ? { KeyMarker } : {}),
          ...(VersionIdMarker ? { VersionIdMarker } : {}),
        }),
      );
      for (const v of page.Versions ?? []) {
        out.versions++;
        out.bytes += v.Size ?? 0;
        if (v.Key) keys.add(v.Key);
      }
      out.deleteMarkers += page.DeleteMarkers?.length ?? 0;
      KeyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      VersionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (KeyMarker);
    out.keys = keys.size;
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// the three tools on one folder

interface Measured {
  seconds: number;
  /** Client CPU seconds (the tool's process; for the engine, from engine start to done). */
  clientCpu: number;
  serverCpu: number | undefined;
  note: string;
}

interface Ctx {
  o: Options;
  work: string;
  server: Server;
  buckets: Buckets;
  rcloneConfig: string;
  awsEnv: NodeJS.ProcessEnv;
  rcloneEnv: NodeJS.ProcessEnv;
}

const RCLONE_FLAGS = (c: number) => ['--transfers', String(c), '--checkers', String(c)];

function checkListing(tool: string, l: Listing, files: number, bytes: number): string[] {
  const problems: string[] = [];
  if (l.keys !== files) problems.push(`${tool}: ${l.keys} keys in the bucket, expected ${files}`);
  if (l.versions !== files)
    problems.push(
      `${tool}: ${l.versions} versions for ${l.keys} keys (a key with more than one version was uploaded twice)`,
    );
  if (l.deleteMarkers > 0) problems.push(`${tool}: ${l.deleteMarkers} delete markers`);
  if (l.bytes !== bytes) problems.push(`${tool}: ${l.bytes} bytes stored, expected ${bytes}`);
  return problems;
}

async function measureTool(
  ctx: Ctx,
  tool: Tool,
  label: string,
  dir: string,
  files: number,
  bytes: number,
  problems: string[],
): Promise<{ m: Measured; bucket: string }> {
  const bucket = await ctx.buckets.fresh(`${label}-${tool}`);
  syncDisk();
  const server0 = ctx.server.cpuSeconds();
  const reaped0 = reapedChildrenCpu();
  let m: Measured;
  if (tool === 'engine') {
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
    m = {
      seconds: r.seconds,
      clientCpu: r.cpuSeconds,
      serverCpu: undefined,
      note:
        `addFolder returned after ${r.startSeconds.toFixed(1)} s; rows ${JSON.stringify(r.counts)}; ` +
        `tasks ${JSON.stringify(r.outcomes)}; peak RSS ${(r.rssPeak / MiB).toFixed(0)} MiB; ` +
        `child process ${r.wallSeconds.toFixed(1)} s including node/tsx start-up`,
    };
  } else if (tool === 'rclone') {
    const args = [
      '--config',
      ctx.rcloneConfig,
      'copy',
      dir,
      `bench:${bucket}`,
      ...RCLONE_FLAGS(ctx.o.concurrency),
    ];
    const r = await run(RCLONE, args, ctx.rcloneEnv);
    if (r.code !== 0) throw new Error(`rclone ${args.join(' ')} exited ${r.code}\n${r.stderr}`);
    if (/ERROR/.test(r.stderr)) problems.push(`rclone (${label}) stderr: ${r.stderr.slice(-500)}`);
    m = {
      seconds: r.seconds,
      clientCpu: reapedChildrenCpu() - reaped0,
      serverCpu: undefined,
      note: 'process start-up included',
    };
  } else {
    const args = [
      's3',
      'sync',
      dir,
      `s3://${bucket}`,
      '--endpoint-url',
      ctx.server.endpoint,
      '--region',
      REGION,
      '--only-show-errors',
      '--no-progress',
    ];
    const r = await run(AWS, args, ctx.awsEnv);
    if (r.code !== 0) throw new Error(`aws ${args.join(' ')} exited ${r.code}\n${r.stderr}`);
    m = {
      seconds: r.seconds,
      clientCpu: reapedChildrenCpu() - reaped0,
      serverCpu: undefined,
      note: 'process start-up included',
    };
  }
  const server1 = ctx.server.cpuSeconds();
  m.serverCpu = server0 !== undefined && server1 !== undefined ? server1 - server0 : undefined;
  const listing = await ctx.buckets.list(bucket);
  problems.push(...checkListing(`${tool} (${label})`, listing, files, bytes));
  return { m, bucket };
}

const cpuText = (m: Measured) =>
  `CPU ${m.clientCpu.toFixed(1)} s client + ${m.serverCpu === undefined ? '?' : m.serverCpu.toFixed(1)} s server`;

// ---------------------------------------------------------------------------------------------
// restart

interface RestartFigures {
  createSeconds: number;
  indexSeconds: number;
  result: EngineResult & { wallSeconds: number };
}

async function measureRestart(ctx: Ctx, problems: string[]): Promise<RestartFigures> {
  const { o } = ctx;
  const base = path.join(ctx.work, 'restart');
  const folder = path.join(base, 'folder');
  const dataDir = path.join(base, 'data');
  fs.mkdirSync(dataDir, { recursive: true });

  process.stdout.write(
    `restart: writing ${o.restartCount} x 1-byte files in ${o.restartDirs} subfolders ... `,
  );
  let t = performance.now();
  const rels: string[] = [];
  const perDir = Math.ceil(o.restartCount / o.restartDirs);
  for (let i = 0; i < o.restartCount; i++) {
    const sub = `s${String(Math.floor(i / perDir)).padStart(3, '0')}`;
    if (i % perDir === 0) fs.mkdirSync(path.join(folder, sub), { recursive: true });
    const rel = `${sub}/f${String(i).padStart(6, '0')}.txt`;
    fs.writeFileSync(path.join(folder, rel), String(i % 10));
    rels.push(rel);
  }
  const createSeconds = (performance.now() - t) / 1000;
  console.log(`${createSeconds.toFixed(1)} s`);

  const bucket = await ctx.buckets.fresh('restart');
  process.stdout.write(`restart: filling the index with ${o.restartCount} 'synced' rows ... `);
  t = performance.now();
  const shas = Array.from({ length: 10 }, (_, d) =>
    createHash('sha256').update(String(d)).digest('hex'),
  );
  const db = openIndexDb(path.join(dataDir, 'index.sqlite'));
  const folderRecord = new FolderTable(db).add({
    id: 'bench-restart',
    localPath: folder,
    accountId: 'local',
    bucket,
    prefix: '',
    region: REGION,
  });
  const index = new FileIndex(db);
  index.transaction(() => {
    rels.forEach((rel, i) => {
      const st = fs.statSync(path.join(folder, rel));
      index.upsert({
        folderId: folderRecord.id,
        relPath: rel,
        key: objectKey('', rel),
        size: st.size,
        mtimeMs: st.mtimeMs,
        sha256: shas[i % 10] ?? null,
        state: 'synced',
        // Placeholders shaped like real ones; the bucket stays empty, so the pull lists nothing.
        versionId: `bench-${String(i).padStart(8, '0')}`,
        etag: `"${createHash('md5')
          .update(String(i % 10))
          .digest('hex')}"`,
      });
    });
  });
  db.close();
  const indexSeconds = (performance.now() - t) / 1000;
  console.log(`${indexSeconds.toFixed(1)} s`);

  syncDisk();
  process.stdout.write('restart: new SyncEngine, start() + settle() ... ');
  const result = await runEngine(
    {
      mode: 'restart',
      endpoint: ctx.server.endpoint,
      accessKeyId: ctx.server.accessKeyId,
      secretAccessKey: ctx.server.secretAccessKey,
      dataDir,
      bucket,
      concurrency: o.concurrency,
      expect: o.restartCount,
      timeoutMs: 60_000,
    },
    o.cpuProf,
  );
  console.log(`${result.seconds.toFixed(1)} s`);
  if (result.tasksStarted > 0)
    problems.push(`restart: ${result.tasksStarted} upload tasks started (expected none)`);
  if ((result.counts.synced ?? 0) !== o.restartCount)
    problems.push(`restart: rows after start-up ${JSON.stringify(result.counts)}`);
  for (const w of result.warnings) problems.push(`engine (restart) said: ${w}`);
  const listing = await ctx.buckets.list(bucket);
  if (listing.versions + listing.deleteMarkers > 0)
    problems.push(`restart: the bucket got ${listing.versions} versions`);
  fs.rmSync(base, { recursive: true, force: true });
  return { createSeconds, indexSeconds, result };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  const work = fs.mkdtempSync(path.join(o.tmp, 'sync-bench-'));
  const cleanup = () => fs.rmSync(work, { recursive: true, force: true });
  const interrupted = () => {
    for (const c of children) c.kill('SIGKILL');
    cleanup();
    process.exit(130);
  };
  process.on('SIGINT', interrupted);
  process.on('SIGTERM', interrupted);

  const versions: Record<Tool, string | undefined> = {
    engine: `Replica Sync ${firstLine('git', ['-C', root, 'rev-parse', '--short', 'HEAD']) ?? ''}`,
    rclone: firstLine(RCLONE, ['version']),
    aws: firstLine(AWS, ['--version']),
  };
  const tools = o.tools.filter((t) => {
    if (versions[t] !== undefined) return true;
    console.log(`${t}: not runnable, left out`);
    return false;
  });
  const cpus = os.cpus();
  console.log(
    `machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ` +
      `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, node ${process.version}, ${os.platform()} ${os.arch()}`,
  );
  console.log(`tools: ${tools.map((t) => versions[t]).join('; ')}`);
  console.log(`concurrency ${o.concurrency} for every tool; data in ${work}`);
  console.log(
    `  engine: SyncEngine({ concurrency: ${o.concurrency} }) (upload queue), addFolder on the folder; ` +
      `single PUT below 16 MiB, else multipart 8 MiB parts, 4 parts in flight per file (fixed)`,
  );
  console.log(
    `  rclone: copy DIR remote:bucket ${RCLONE_FLAGS(o.concurrency).join(' ')} (defaults otherwise: ` +
      `--s3-upload-cutoff 200M, --s3-chunk-size 5M, --s3-upload-concurrency 4)`,
  );
  console.log(
    `  aws:    s3 sync DIR s3://bucket, config s3.max_concurrent_requests = ${o.concurrency} ` +
      `(defaults otherwise: multipart_threshold/chunksize 8 MiB)`,
  );

  const server = await startRegions(path.join(work, 'regions'));
  const buckets = new Buckets(server);
  const rcloneConfig = path.join(work, 'rclone.conf');
  fs.writeFileSync(
    rcloneConfig,
    [
      '[bench]',
      'type = s3',
      'provider = Other',
      `endpoint = ${server.endpoint}`,
      `access_key_id = ${server.accessKeyId}`,
      `secret_access_key = ${server.secretAccessKey}`,
      `region = ${REGION}`,
      'force_path_style = true',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const awsConfig = path.join(work, 'aws-config');
  const awsCredentials = path.join(work, 'aws-credentials');
  fs.writeFileSync(
    awsConfig,
    [
      '[default]',
      `region = ${REGION}`,
      'output = json',
      's3 =',
      `  max_concurrent_requests = ${o.concurrency}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  fs.writeFileSync(awsCredentials, '', { mode: 0o600 });
  const ctx: Ctx = {
    o,
    work,
    server,
    buckets,
    rcloneConfig,
    // cleanEnv drops every AWS_* (AWS_CA_BUNDLE included, which rclone needs) and RCLONE_*.
    rcloneEnv: cleanEnv({ RCLONE_CONFIG: rcloneConfig, HOME: work }),
    awsEnv: cleanEnv({
      AWS_CONFIG_FILE: awsConfig,
      AWS_SHARED_CREDENTIALS_FILE: awsCredentials,
      AWS_ACCESS_KEY_ID: server.accessKeyId,
      AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
      AWS_DEFAULT_REGION: REGION,
      AWS_PAGER: '',
      AWS_EC2_METADATA_DISABLED: 'true',
      HOME: work,
    }),
  };

  const problems: string[] = [];
  const small: Partial<Record<Tool, Measured>> = {};
  const big: Partial<Record<Tool, Measured>> = {};
  let restart: RestartFigures | undefined;
  const smallLabel = `${o.smallCount} x ${o.smallBytes / 1024} KiB`;
  const bigLabel = `1 x ${o.bigBytes / MiB} MiB`;
  try {
    if (o.phases.includes('small')) {
      const dir = path.join(work, 'small');
      process.stdout.write(`small: writing ${smallLabel} ... `);
      const t = performance.now();
      writeSmallFiles(dir, o.smallCount, o.smallBytes);
      console.log(`${((performance.now() - t) / 1000).toFixed(1)} s`);
      for (const tool of tools) {
        process.stdout.write(`small: ${tool.padEnd(6)} ... `);
        const { m } = await measureTool(
          ctx,
          tool,
          'small',
          dir,
          o.smallCount,
          o.smallCount * o.smallBytes,
          problems,
        );
        small[tool] = m;
        console.log(`${m.seconds.toFixed(1)} s, ${cpuText(m)}; ${m.note}`);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
    if (o.phases.includes('big')) {
      const dir = path.join(work, 'big');
      fs.mkdirSync(dir);
      process.stdout.write(`big: writing ${bigLabel} (streamed) ... `);
      const t = performance.now();
      const sha256 = await writeBigFile(path.join(dir, 'big.bin'), o.bigBytes);
      console.log(`${((performance.now() - t) / 1000).toFixed(1)} s`);
      for (const tool of tools) {
        process.stdout.write(`big: ${tool.padEnd(6)} ... `);
        const { m, bucket } = await measureTool(ctx, tool, 'big', dir, 1, o.bigBytes, problems);
        big[tool] = m;
        console.log(`${m.seconds.toFixed(1)} s, ${cpuText(m)}; ${m.note}`);
        if (tool === 'engine') {
          const head = await buckets.client.send(
            new HeadObjectCommand({ Bucket: bucket, Key: 'big.bin', ChecksumMode: 'ENABLED' }),
          );
          const lineage = head.Metadata?.['rs-sha256'];
          console.log(
            `big: engine object: rs-sha256 ${lineage === sha256 ? 'matches the file' : `MISMATCH (${lineage})`}, ` +
              `CRC64NVME ${head.ChecksumCRC64NVME ?? 'absent'}, ETag ${head.ETag ?? '?'}`,
          );
          if (lineage !== sha256) problems.push(`engine (big): rs-sha256 ${lineage} != ${sha256}`);
        }
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
    if (o.phases.includes('restart') && tools.includes('engine')) {
      restart = await measureRestart(ctx, problems);
    }
  } finally {
    buckets.client.destroy();
    await server.stop();
    cleanup();
  }

  // ---- the table
  const cell = (m: Measured | undefined, unit: 'files/s' | 'MiB/s', amount: number) =>
    m
      ? `${(amount / m.seconds).toFixed(unit === 'MiB/s' ? 1 : 0)} ${unit} (${m.seconds.toFixed(1)} s)`
      : '-';
  const rows: string[][] = [['upload', 'Replica Sync engine', 'rclone copy', 'aws s3 sync']];
  const toolsAll: Tool[] = ['engine', 'rclone', 'aws'];
  if (o.phases.includes('small'))
    rows.push([smallLabel, ...toolsAll.map((t) => cell(small[t], 'files/s', o.smallCount))]);
  if (o.phases.includes('big'))
    rows.push([bigLabel, ...toolsAll.map((t) => cell(big[t], 'MiB/s', o.bigBytes / MiB))]);
  const cpuRow = (label: string, r: Partial<Record<Tool, Measured>>) =>
    rows.push([
      label,
      ...toolsAll.map((t) => {
        const m = r[t];
        return m
          ? `${m.clientCpu.toFixed(1)} + ${m.serverCpu === undefined ? '?' : m.serverCpu.toFixed(1)}`
          : '-';
      }),
    ]);
  if (o.phases.includes('small')) cpuRow(`CPU s client + server, small`, small);
  if (o.phases.includes('big')) cpuRow(`CPU s client + server, big`, big);
  console.log('');
  printTable(rows);
  if (o.phases.includes('big'))
    console.log(
      '\nengine big-file figure: multipart (8 MiB parts, 4 in flight), CRC64NVME per part and full ' +
        'object, sha256 lineage metadata (rs-sha256) and If-None-Match; the file is read before ' +
        '(sha256 + CRC64NVME), while sending, and after (sha256 again, to check it did not change).',
    );
  if (restart) {
    const r = restart.result;
    console.log(
      `\nrestart over ${o.restartCount} already-synced files (${o.restartDirs} subfolders, 1 byte each):`,
    );
    printTable([
      ['measure', 'value'],
      [
        'new SyncEngine → start() + settle() done',
        `${r.seconds.toFixed(2)} s (start() returned at ${r.startSeconds.toFixed(2)} s)`,
      ],
      ['CPU (engine process, same span)', `${r.cpuSeconds.toFixed(1)} s`],
      [
        'RSS before → peak (50 ms samples)',
        `${(r.rssBefore / MiB).toFixed(0)} → ${(r.rssPeak / MiB).toFixed(0)} MiB (VmHWM ${r.vmHwm === undefined ? '?' : (r.vmHwm / MiB).toFixed(0)} MiB)`,
      ],
      [
        'heap used before → peak',
        `${(r.heapBefore / MiB).toFixed(0)} → ${(r.heapPeak / MiB).toFixed(0)} MiB`,
      ],
      ['rows after', JSON.stringify(r.counts)],
      ['upload tasks started', String(r.tasksStarted)],
      [
        'not counted: writing the files / filling the index',
        `${restart.createSeconds.toFixed(1)} s / ${restart.indexSeconds.toFixed(1)} s`,
      ],
    ]);
    console.log(
      'measured: a fresh engine process opens the index, starts chokidar on the folder (waits for ' +
        'its ready), rescans it (lstat of every file, compared by size + mtime with the index ' +
        'rows, which were written directly as synced with the real size/mtime), then pulls (lists ' +
        'the empty bucket by version); nothing is hashed or uploaded.',
    );
  }
  if (notes.length > 0) {
    console.log('\nnotes:');
    for (const n of notes) console.log(`  - ${n}`);
  }
  if (problems.length > 0) {
    console.log('\nproblems seen:');
    for (const p of problems) console.log(`  - ${p}`);
    process.exitCode = 1;
  } else {
    console.log(
      '\nchecks: every bucket holds exactly one version per file with the right total size; ' +
        'every engine run ended with all rows synced and exactly one successful upload per file.',
    );
  }
}

function printTable(rows: string[][]): void {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  rows.forEach((r, i) => {
    console.log(line(r));
    if (i === 0) console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  });
}

const childArg = process.argv.indexOf('--child');
if (childArg >= 0) {
  childMain(JSON.parse(process.argv[childArg + 1] ?? '{}') as EngineJob).catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  });
} else {
  main().catch((err: unknown) => {
    for (const c of children) c.kill('SIGKILL');
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  });
}
