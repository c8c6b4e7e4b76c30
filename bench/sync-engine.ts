// `npm run bench:sync [-- --small-count 500 --big-mib 64 --restart-count 5000]`: the sync engine
// (SyncEngine, as the app runs it) next to rclone and the AWS CLI, against the same local
// regions server (its own process, one region), a fresh versioned bucket per tool and run,
// and the same concurrency (--concurrency, default 8):
//   small:   --small-count files of --small-kib each: time until all are uploaded, files/s;
//   big:     one --big-mib file of random bytes (streamed to disk): time until uploaded, MiB/s;
//   restart: a new SyncEngine over an index of --restart-count rows already 'synced' and a
//            folder of as many 1-byte files with the same size/mtime; time of engine.start() +
//            settle(), with process.memoryUsage() sampled every 50 ms (sync/engine-run.ts);
//            --restart-1m adds the same over 1,000,000 files;
//   regions: small PUTs/s of the local regions next to a raw node:http server (what
//            bench:regions measures, bench/regions/targets.ts);
//   idle:    the app over an idle bucket of --idle-count objects, every request counted at a
//            proxy for --idle-minutes (sync/idle-run.ts);
//   remote:  another device writes a file; time until it is in the folder, --remote-samples.
// The parts live in bench/sync/. Each engine run happens in a fresh child process (this
// script with --child / --idle-child); rclone and /usr/bin/aws run with temporary config files
// only and an environment without AWS_* / RCLONE_* variables. After every upload run the
// bucket is listed by version: exactly one version per file is expected. `sync` runs before
// every measured run. The temp folder is removed at the end. The output ends with one
// `figure: NAME VALUE` line per headline figure measured in this run.
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { awsSetup } from './sync/aws-run.js';
import {
  AWS,
  Buckets,
  MiB,
  PHASES,
  RCLONE,
  TOOLS,
  children,
  firstLine,
  notes,
  root,
  startRegions,
  type Ctx,
  type Options,
  type Tool,
} from './sync/common.js';
import { engineChild, measureRestart, type EngineJob } from './sync/engine-run.js';
import { writeBigFile, writeSmallFiles } from './sync/fixtures.js';
import { idleChild, measureIdleAndRemote, type IdleJob } from './sync/idle-run.js';
import { RCLONE_FLAGS, rcloneSetup } from './sync/rclone-run.js';
import { cpuText, measureRegions, measureTool } from './sync/uploads.js';
import {
  bigLabel,
  figureLines,
  printFigureContext,
  printRestart,
  printUploads,
  smallLabel,
  type Results,
} from './sync/report.js';

// The SDK's notice that later releases will need Node 22 is noise in a benchmark's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const USAGE = `Usage: npm run bench:sync -- [options]
  --small-count N     number of small files (default 10000)
  --small-kib N       size of each small file in KiB (default 4)
  --big-mib N         size of the big file in MiB (default 1024)
  --restart-count N   synced files for the restart test (default 100000)
  --restart-dirs N    subfolders they are spread over (default 100)
  --restart-1m        also the restart test over 1,000,000 files
  --concurrency N     files in flight for every tool (default 8)
  --regions-count N   small PUTs for regions vs raw (default: --small-count)
  --regions-concurrency N  PUTs in flight there (default 32, as bench:regions)
  --idle-count N      objects in the idle bucket (default 100000)
  --idle-minutes N    idle window in minutes (default 10)
  --remote-samples N  remote-change samples (default 20)
  --only LIST         comma-separated subset of ${PHASES.join(',')} (default all)
  --tools LIST        comma-separated subset of engine,rclone,aws (default all)
  --tmp DIR           parent folder for the temporary data (default the OS temp folder)
  --cpu-prof DIR      write a V8 CPU profile of every engine child process into DIR`;

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
      'restart-1m': { type: 'boolean', default: false },
      concurrency: { type: 'string', default: '8' },
      'regions-count': { type: 'string' },
      'regions-concurrency': { type: 'string', default: '32' },
      'idle-count': { type: 'string', default: '100000' },
      'idle-minutes': { type: 'string', default: '10' },
      'remote-samples': { type: 'string', default: '20' },
      only: { type: 'string', default: PHASES.join(',') },
      tools: { type: 'string', default: TOOLS.join(',') },
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
  const smallCount = Math.floor(num('small-count', 1));
  return {
    smallCount,
    smallBytes: Math.round(num('small-kib', 0) * 1024),
    bigBytes: Math.round(num('big-mib', 1) * MiB),
    restartCount: Math.floor(num('restart-count', 1)),
    restartDirs: Math.floor(num('restart-dirs', 1)),
    restart1m: values['restart-1m'] === true,
    concurrency: Math.floor(num('concurrency', 1)),
    regionsCount:
      values['regions-count'] === undefined ? smallCount : Math.floor(num('regions-count', 1)),
    regionsConcurrency: Math.floor(num('regions-concurrency', 1)),
    idleCount: Math.floor(num('idle-count', 1)),
    idleMinutes: num('idle-minutes', 0),
    remoteSamples: Math.floor(num('remote-samples', 0)),
    phases: subset(String(values.only), PHASES, 'only'),
    tools: subset(String(values.tools), TOOLS, 'tools'),
    tmp: path.resolve(String(values.tmp)),
    cpuProf: values['cpu-prof'] === undefined ? undefined : path.resolve(values['cpu-prof']),
  };
}

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
  const ctx: Ctx = {
    o,
    work,
    server,
    buckets,
    ...rcloneSetup(work, server),
    awsEnv: awsSetup(work, server, o.concurrency),
  };

  const problems: string[] = [];
  const results: Results = { small: {}, big: {} };
  const has = (p: (typeof PHASES)[number]) => o.phases.includes(p);
  try {
    if (has('small')) {
      const dir = path.join(work, 'small');
      process.stdout.write(`small: writing ${smallLabel(o)} ... `);
      const t = performance.now();
      writeSmallFiles(dir, o.smallCount, o.smallBytes);
      console.log(`${((performance.now() - t) / 1000).toFixed(1)} s`);
      for (const tool of tools) {
        process.stdout.write(`small: ${tool.padEnd(6)} ... `);
        const bytes = o.smallCount * o.smallBytes;
        const { m } = await measureTool(ctx, tool, 'small', dir, o.smallCount, bytes, problems);
        results.small[tool] = m;
        console.log(`${m.seconds.toFixed(1)} s, ${cpuText(m)}; ${m.note}`);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
    if (has('big')) {
      const dir = path.join(work, 'big');
      fs.mkdirSync(dir);
      process.stdout.write(`big: writing ${bigLabel(o)} (streamed) ... `);
      const t = performance.now();
      const sha256 = await writeBigFile(path.join(dir, 'big.bin'), o.bigBytes);
      console.log(`${((performance.now() - t) / 1000).toFixed(1)} s`);
      for (const tool of tools) {
        process.stdout.write(`big: ${tool.padEnd(6)} ... `);
        const { m, bucket } = await measureTool(ctx, tool, 'big', dir, 1, o.bigBytes, problems);
        results.big[tool] = m;
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
    if (has('restart') && tools.includes('engine')) {
      results.restart = await measureRestart(ctx, o.restartCount, problems);
      if (o.restart1m) results.restart1m = await measureRestart(ctx, 1_000_000, problems);
    }
    if (has('regions')) results.regions = await measureRegions(o, work);
    if ((has('idle') || has('remote')) && tools.includes('engine')) {
      results.idle = await measureIdleAndRemote(ctx, has('idle'), has('remote'), problems);
    }
  } finally {
    buckets.client.destroy();
    await server.stop();
    cleanup();
  }

  printUploads(o, results);
  if (results.restart) printRestart(o, results.restart);
  if (results.restart1m) printRestart(o, results.restart1m);
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
  printFigureContext(o, results);
  console.log('');
  for (const line of figureLines(o, results)) console.log(line);
}

const childArg = process.argv.indexOf('--child');
const idleArg = process.argv.indexOf('--idle-child');
const fail = (err: unknown) => {
  for (const c of children) c.kill('SIGKILL');
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
};
if (childArg >= 0) {
  engineChild(JSON.parse(process.argv[childArg + 1] ?? '{}') as EngineJob).catch(fail);
} else if (idleArg >= 0) {
  idleChild(JSON.parse(process.argv[idleArg + 1] ?? '{}') as IdleJob).catch(fail);
} else {
  main().catch(fail);
}
