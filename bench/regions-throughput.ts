// `npm run bench:regions [-- --big-mib 64 --small-count 500]`: PUT/GET throughput of the local
// regions (driven by @aws-sdk/client-s3 with default settings) next to a bare node:http server
// that only writes bodies to disk and streams files back (driven by plain node:http requests),
// under the same load:
//   - one big object: multipart, --part-mib parts with --parts-in-flight parts uploading at
//     once (UploadPart through the SDK; PUT ?offset=N chunks for the raw server), then one
//     streamed GET of the whole object;
//   - --small-count objects of --small-kib each, --concurrency requests in flight, PUT all
//     then GET all.
// Each server runs in its own process; this process is the client. Every byte read back is
// compared with what was written. Memory stays at parts-in-flight x part size; data lives in
// a temp folder that is removed at the end.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  children,
  cpuLine,
  field,
  measure,
  measureWithCpu,
  rawTarget,
  regionsTarget,
  startServer,
  type Figures,
} from './regions/targets.js';

// The SDK's notice that later releases will need Node 22 is noise in a benchmark's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const MiB = 1024 * 1024;

const USAGE = `Usage: npm run bench:regions -- [options]
  --big-mib N          size of the big object in MiB (default 1024)
  --part-mib N         multipart part / chunk size in MiB (default 16)
  --parts-in-flight N  parts uploading at once (default 4)
  --small-count N      number of small objects (default 10000)
  --small-kib N        size of each small object in KiB (default 4)
  --concurrency N      small-object requests in flight (default 32)
  --tmp DIR            parent folder for the temporary data (default the OS temp folder)`;

interface Options {
  bigBytes: number;
  partBytes: number;
  partsInFlight: number;
  smallCount: number;
  smallBytes: number;
  concurrency: number;
  tmp: string;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      'big-mib': { type: 'string', default: '1024' },
      'part-mib': { type: 'string', default: '16' },
      'parts-in-flight': { type: 'string', default: '4' },
      'small-count': { type: 'string', default: '10000' },
      'small-kib': { type: 'string', default: '4' },
      concurrency: { type: 'string', default: '32' },
      tmp: { type: 'string', default: os.tmpdir() },
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
  const partMib = num('part-mib', 5);
  return {
    bigBytes: Math.round(num('big-mib', 1) * MiB),
    partBytes: Math.round(partMib * MiB),
    partsInFlight: Math.floor(num('parts-in-flight', 1)),
    smallCount: Math.floor(num('small-count', 1)),
    smallBytes: Math.round(num('small-kib', 1) * 1024),
    concurrency: Math.floor(num('concurrency', 1)),
    tmp: path.resolve(String(values.tmp)),
  };
}

// ---------------------------------------------------------------------------------------------

function dirSize(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += fs.statSync(path.join(e.parentPath, e.name)).size;
  }
  return total;
}

async function main(): Promise<void> {
  const o = options();
  const work = fs.mkdtempSync(path.join(o.tmp, 'regions-bench-'));
  const cleanup = () => fs.rmSync(work, { recursive: true, force: true });
  const interrupted = () => {
    for (const c of children) c.kill('SIGKILL');
    cleanup();
    process.exit(130);
  };
  process.on('SIGINT', interrupted);
  process.on('SIGTERM', interrupted);

  const cpus = os.cpus();
  console.log(
    `machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ` +
      `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, node ${process.version}, ${os.platform()} ${os.arch()}`,
  );
  console.log(
    `big object: ${o.bigBytes / MiB} MiB in ${Math.ceil(o.bigBytes / o.partBytes)} parts of ` +
      `${o.partBytes / MiB} MiB, ${o.partsInFlight} in flight (regions: SDK UploadPart; raw: PUT ?offset), ` +
      `then one streamed GET`,
  );
  console.log(
    `small objects: ${o.smallCount} x ${o.smallBytes / 1024} KiB, ${o.concurrency} in flight; data in ${work}`,
  );

  // Random bytes, generated once; the big object is this part repeated.
  const part = randomBytes(Math.min(o.partBytes, o.bigBytes));
  const small = randomBytes(o.smallBytes);
  const results: Record<'raw' | 'regions', Figures> = {} as Record<'raw' | 'regions', Figures>;
  try {
    {
      const dir = path.join(work, 'raw');
      const srv = await startServer('bench/raw-http-server.ts', ['--data', dir]);
      const t = rawTarget(field(srv.lines, 'raw'), o);
      try {
        process.stdout.write('raw node:http server ... ');
        results.raw = await measureWithCpu(srv, () => measure(t, o, part, small));
        console.log(
          `done (${(dirSize(dir) / MiB).toFixed(0)} MiB on disk), ${cpuLine(results.raw)}`,
        );
      } finally {
        t.close();
        await srv.stop();
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
    {
      const dir = path.join(work, 'regions');
      const srv = await startServer('main/regions/cli.ts', [
        '--regions',
        'us-east-1',
        '--data',
        dir,
        '--quiet',
      ]);
      const t = regionsTarget(
        field(srv.lines, 'region us-east-1'),
        [field(srv.lines, 'accessKeyId'), field(srv.lines, 'secretAccessKey')],
        o,
      );
      try {
        process.stdout.write('local regions (SDK)  ... ');
        results.regions = await measureWithCpu(srv, () => measure(t, o, part, small));
        console.log(
          `done (${(dirSize(dir) / MiB).toFixed(0)} MiB on disk), ${cpuLine(results.regions)}`,
        );
      } finally {
        t.close();
        await srv.stop();
      }
    }
  } finally {
    cleanup();
  }

  const rows: [string, 'putBigMiBs' | 'getBigMiBs' | 'putSmallPerS' | 'getSmallPerS', string][] = [
    [`PUT ${o.bigBytes / MiB} MiB object`, 'putBigMiBs', 'MiB/s'],
    [`GET ${o.bigBytes / MiB} MiB object`, 'getBigMiBs', 'MiB/s'],
    [`PUT ${o.smallCount} x ${o.smallBytes / 1024} KiB`, 'putSmallPerS', 'objects/s'],
    [`GET ${o.smallCount} x ${o.smallBytes / 1024} KiB`, 'getSmallPerS', 'objects/s'],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(
    `\n| ${'operation'.padEnd(w)} | unit      | local regions | raw node:http | regions / raw |`,
  );
  console.log(`| ${'-'.repeat(w)} | --------- | ------------: | ------------: | ------------: |`);
  for (const [label, k, unit] of rows) {
    const a = results.regions[k];
    const b = results.raw[k];
    console.log(
      `| ${label.padEnd(w)} | ${unit.padEnd(9)} | ${a.toFixed(1).padStart(13)} | ${b.toFixed(1).padStart(13)} | ${`${((a / b) * 100).toFixed(0)}%`.padStart(13)} |`,
    );
  }
}

main().catch((err: unknown) => {
  for (const c of children) c.kill('SIGKILL');
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
