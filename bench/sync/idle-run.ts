// The idle and remote-change figures of bench/sync-engine.ts. The app runs as it starts for
// real (startEngine: the engine, replication and conflict services, default tuning: pull
// every 15 s, conflict scan every 20 s) in a child process (the entry script with
// --idle-child), talking to the local regions through a counting proxy in this process.
//   idle:   a bucket of --idle-count objects (written by "another device", with lineage) is
//           added as a folder; once everything is pulled and settled, every request the app
//           sends during --idle-minutes is counted at the proxy, and extrapolated to an hour.
//   remote: another device (a plain S3 client writing with lineage metadata) writes a new
//           file; time from its PUT's answer until the file is in the folder, --remote-samples
//           times, each write after a random wait within one poll interval (so the samples do
//           not all land at the same point of the poll cycle).
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MemorySecretStore } from '../../main/core/accounts/secret-store.js';
import { AppController } from '../../main/core/app/app-controller.js';
import { startEngine } from '../../main/core/app/start-engine.js';
import { instancePaths } from '../../main/core/paths.js';
import { MemorySettingsStore } from '../../main/core/settings/settings-store.js';
import { DEFAULT_TUNING } from '../../main/core/sync/folder-types.js';
import { buildLineage } from '../../main/core/transfer/lineage.js';
import {
  DEVICE,
  isInfoLog,
  REGION,
  children,
  entry,
  pool,
  root,
  stopChild,
  type Ctx,
} from './common.js';
import { startCountingProxy } from './counting-proxy.js';

const OTHER_DEVICE = 'bench-other-device-02';

export interface IdleJob {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  dataDir: string;
  folder: string;
  bucket: string;
  expect: number;
}

/** The child: the app over one folder; prints `settled {json}` once pulled, runs until SIGTERM. */
export async function idleChild(job: IdleJob): Promise<void> {
  const warnings: string[] = [];
  const paths = instancePaths(job.dataDir);
  const settings = new MemorySettingsStore({ installationId: DEVICE, setupDone: true });
  const controller = new AppController({
    mode: 'browser',
    version: 'bench',
    dataDir: job.dataDir,
    settings,
    host: { openWindow: () => {}, openPath: async () => '', quit: () => {} },
  });
  const regions = {
    accessKeyId: job.accessKeyId,
    secretAccessKey: job.secretAccessKey,
    regions: [{ name: REGION, endpoint: job.endpoint }],
    close: async () => {},
  };
  controller.attachLocalRegions(regions);
  const t0 = performance.now();
  const engine = await startEngine({
    controller,
    settings,
    paths,
    secrets: new MemorySecretStore(),
    localRegions: regions,
    log: (line) => {
      if (!isInfoLog(line)) warnings.push(line);
    },
  });
  controller.ready();
  const folder = await engine.addFolder({
    path: job.folder,
    accountId: 'local',
    bucket: job.bucket,
    region: REGION,
  });
  await engine.settle();
  // Generous (the pull of N objects is N GETs), but a stuck pull must not hang the run.
  const deadline = Date.now() + 5 * 60_000 + job.expect * 50;
  while (engine.files.countsByState(folder.id).synced < job.expect) {
    if (Date.now() > deadline) {
      const counts = JSON.stringify(engine.files.countsByState(folder.id));
      warnings.push(`not every object pulled by the deadline: ${counts}`);
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = () =>
    void engine.dispose().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(`settled ${JSON.stringify({ seconds, warnings: warnings.slice(0, 10) })}\n`);
}

export interface IdleFigures {
  objects: number;
  pullSeconds: number;
  windowSeconds: number;
  requests: number;
  byOp: Record<string, number>;
  perHour: number;
  remote: number[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};
export { median };

function lineage(body: string) {
  const sha256 = createHash('sha256').update(body).digest('hex');
  return buildLineage({ device: OTHER_DEVICE, bases: [], sha256 });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function measureIdleAndRemote(
  ctx: Ctx,
  idle: boolean,
  remote: boolean,
  problems: string[],
): Promise<IdleFigures> {
  const { o } = ctx;
  const count = o.idleCount;
  const bucket = await ctx.buckets.fresh('idle');
  const s3 = ctx.buckets.client;
  process.stdout.write(`idle: ${count} objects from another device into ${bucket} ... `);
  const t = performance.now();
  await pool(32, count, async (i) => {
    const body = `object ${i}\n`;
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `p${String(Math.floor(i / 1000)).padStart(3, '0')}/o${String(i).padStart(7, '0')}.txt`,
        Body: body,
        Metadata: lineage(body),
      }),
    );
  });
  console.log(`${((performance.now() - t) / 1000).toFixed(1)} s`);

  const proxy = await startCountingProxy(ctx.server.endpoint);
  const base = path.join(ctx.work, 'idle');
  const folder = path.join(base, 'folder');
  const dataDir = path.join(base, 'data');
  fs.mkdirSync(folder, { recursive: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const job: IdleJob = {
    endpoint: proxy.endpoint,
    accessKeyId: ctx.server.accessKeyId,
    secretAccessKey: ctx.server.secretAccessKey,
    dataDir,
    folder,
    bucket,
    expect: count,
  };
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', entry, '--idle-child', JSON.stringify(job)],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.add(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  const out: IdleFigures = {
    objects: count,
    pullSeconds: NaN,
    windowSeconds: 0,
    requests: 0,
    byOp: {},
    perHour: NaN,
    remote: [],
  };
  try {
    process.stdout.write(
      `idle: the app (startEngine) adds the folder and pulls ${count} files ... `,
    );
    const settled = await new Promise<{ seconds: number; warnings: string[] }>(
      (resolve, reject) => {
        let pending = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          pending += d;
          const line = pending.split('\n').find((l) => l.startsWith('settled '));
          if (line) resolve(JSON.parse(line.slice('settled '.length)) as never);
        });
        child.once('exit', (code) => reject(new Error(`the app child exited ${code}\n${stderr}`)));
      },
    );
    out.pullSeconds = settled.seconds;
    console.log(`${settled.seconds.toFixed(1)} s (${proxy.total()} requests)`);
    for (const w of settled.warnings) problems.push(`app (idle) said: ${w}`);

    if (idle) {
      proxy.reset();
      const w0 = performance.now();
      process.stdout.write(`idle: counting requests for ${o.idleMinutes} min ... `);
      await sleep(o.idleMinutes * 60_000);
      out.windowSeconds = (performance.now() - w0) / 1000;
      out.requests = proxy.total();
      out.byOp = proxy.byOp();
      out.perHour = (out.requests / out.windowSeconds) * 3600;
      console.log(
        `${out.requests} requests in ${out.windowSeconds.toFixed(0)} s ${JSON.stringify(out.byOp)}`,
      );
    }
    if (remote) {
      for (let k = 0; k < o.remoteSamples; k++) {
        await sleep(Math.random() * DEFAULT_TUNING.pollMs);
        const rel = `remote/r${String(k).padStart(3, '0')}.txt`;
        const body = `remote change ${k} ${Date.now()}\n`;
        await s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: rel, Body: body, Metadata: lineage(body) }),
        );
        const w0 = performance.now();
        const file = path.join(folder, rel);
        const deadline = Date.now() + 10 * DEFAULT_TUNING.pollMs;
        for (;;) {
          let text: string | undefined;
          try {
            text = fs.readFileSync(file, 'utf8');
          } catch {
            text = undefined;
          }
          if (text === body) break;
          if (Date.now() > deadline) {
            problems.push(
              `remote: ${rel} not in the folder after ${10 * DEFAULT_TUNING.pollMs} ms`,
            );
            break;
          }
          await sleep(20);
        }
        const s = (performance.now() - w0) / 1000;
        out.remote.push(s);
        console.log(`remote: sample ${k + 1}/${o.remoteSamples}: ${s.toFixed(2)} s`);
      }
    }
  } finally {
    await stopChild(child);
    await proxy.close();
    fs.rmSync(base, { recursive: true, force: true });
  }
  return out;
}
