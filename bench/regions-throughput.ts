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
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { procCpuSeconds } from './proc-stats.js';

// The SDK's notice that later releases will need Node 22 is noise in a benchmark's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
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
// servers (each in its own process)

interface ServerProcess {
  lines: string[];
  /** CPU seconds (user + system) the server process has used so far (Linux /proc). */
  cpuSeconds(): number | undefined;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();

function startServer(script: string, args: string[]): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, script), ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      pending += d;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (line === 'ready') resolve({ lines, stop, cpuSeconds: () => procCpuSeconds(child.pid) });
        else lines.push(line);
      }
    });
    child.on('exit', (code) =>
      reject(new Error(`${script} exited (${code}) before ready\n${stderr}`)),
    );
    child.on('error', reject);
  });
}

function field(lines: string[], prefix: string): string {
  const line = lines.find((l) => l.startsWith(`${prefix} `));
  if (!line) throw new Error(`no "${prefix}" line in:\n${lines.join('\n')}`);
  return line.slice(prefix.length + 1);
}

// ---------------------------------------------------------------------------------------------
// load

/** The client side of one target: the same operations for the regions and the raw server. */
interface Target {
  putPart(key: string, partNumber: number, offset: number, body: Buffer): Promise<string>;
  startBig(key: string): Promise<void>;
  finishBig(key: string, etags: string[]): Promise<void>;
  get(key: string): Promise<Readable>;
  put(key: string, body: Buffer): Promise<void>;
  close(): void;
}

async function pool(size: number, count: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.min(size, count) }, worker));
}

/** Reads a stream, checking it is `pattern` repeated for exactly `size` bytes. */
async function readChecked(stream: Readable, pattern: Buffer, size: number, what: string) {
  let pos = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let off = 0;
    while (off < chunk.length) {
      const at = pos % pattern.length;
      const n = Math.min(chunk.length - off, pattern.length - at);
      if (pos + n > size || chunk.compare(pattern, at, at + n, off, off + n) !== 0) {
        throw new Error(`${what}: wrong bytes at offset ${pos}`);
      }
      off += n;
      pos += n;
    }
  }
  if (pos !== size) throw new Error(`${what}: got ${pos} bytes, expected ${size}`);
}

interface Figures {
  putBigMiBs: number;
  getBigMiBs: number;
  putSmallPerS: number;
  getSmallPerS: number;
  /** CPU seconds over the whole run (client = this process). */
  clientCpu?: number;
  serverCpu?: number;
  wallSeconds?: number;
}

async function measureWithCpu(srv: ServerProcess, run: () => Promise<Figures>): Promise<Figures> {
  const server0 = srv.cpuSeconds();
  const client0 = process.cpuUsage();
  const start = performance.now();
  const f = await run();
  const client = process.cpuUsage(client0);
  const server1 = srv.cpuSeconds();
  return {
    ...f,
    wallSeconds: (performance.now() - start) / 1000,
    clientCpu: (client.user + client.system) / 1e6,
    serverCpu: server0 !== undefined && server1 !== undefined ? server1 - server0 : undefined,
  };
}

function cpuLine(f: Figures): string {
  const s = (n: number | undefined) => (n === undefined ? '?' : n.toFixed(1));
  return `${s(f.wallSeconds)} s wall, CPU ${s(f.clientCpu)} s client + ${s(f.serverCpu)} s server`;
}

async function measure(t: Target, o: Options, part: Buffer, small: Buffer): Promise<Figures> {
  const parts = Math.ceil(o.bigBytes / o.partBytes);
  const etags: string[] = new Array<string>(parts);
  let start = performance.now();
  await t.startBig('big.bin');
  await pool(o.partsInFlight, parts, async (i) => {
    const len = Math.min(o.partBytes, o.bigBytes - i * o.partBytes);
    etags[i] = await t.putPart('big.bin', i + 1, i * o.partBytes, part.subarray(0, len));
  });
  await t.finishBig('big.bin', etags);
  const putBig = (performance.now() - start) / 1000;

  start = performance.now();
  await readChecked(await t.get('big.bin'), part, o.bigBytes, 'GET big.bin');
  const getBig = (performance.now() - start) / 1000;

  const key = (i: number) => `small/${String(i).padStart(6, '0')}`;
  start = performance.now();
  await pool(o.concurrency, o.smallCount, (i) => t.put(key(i), small));
  const putSmall = (performance.now() - start) / 1000;

  start = performance.now();
  await pool(o.concurrency, o.smallCount, async (i) =>
    readChecked(await t.get(key(i)), small, small.length, `GET ${key(i)}`),
  );
  const getSmall = (performance.now() - start) / 1000;

  const mib = o.bigBytes / MiB;
  return {
    putBigMiBs: mib / putBig,
    getBigMiBs: mib / getBig,
    putSmallPerS: o.smallCount / putSmall,
    getSmallPerS: o.smallCount / getSmall,
  };
}

function regionsTarget(endpoint: string, creds: [string, string], o: Options): Target {
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: Math.max(o.concurrency, o.partsInFlight),
  });
  // Default SDK settings apart from the agent (same socket limit as the raw client).
  const client = new S3Client({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: creds[0], secretAccessKey: creds[1] },
    requestHandler: { httpAgent: agent },
  });
  const Bucket = 'bench';
  let uploadId = '';
  return {
    async startBig(Key) {
      await client.send(new CreateBucketCommand({ Bucket }));
      const r = await client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
      uploadId = r.UploadId ?? '';
    },
    async putPart(Key, PartNumber, _offset, Body) {
      const r = await client.send(
        new UploadPartCommand({ Bucket, Key, UploadId: uploadId, PartNumber, Body }),
      );
      return r.ETag ?? '';
    },
    async finishBig(Key, etags) {
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key,
          UploadId: uploadId,
          MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
        }),
      );
    },
    async get(Key) {
      const r = await client.send(new GetObjectCommand({ Bucket, Key }));
      return r.Body as Readable;
    },
    async put(Key, Body) {
      await client.send(new PutObjectCommand({ Bucket, Key, Body }));
    },
    close() {
      client.destroy();
      agent.destroy();
    },
  };
}

function rawTarget(base: string, o: Options): Target {
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: Math.max(o.concurrency, o.partsInFlight),
  });
  const url = new URL(base);
  const request = (method: string, p: string, body?: Buffer) =>
    new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method,
          path: p,
          headers: body ? { 'content-length': body.length } : {},
        },
        (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            reject(new Error(`${method} ${p}: HTTP ${res.statusCode}`));
          } else resolve(res);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const put = async (p: string, body: Buffer) => {
    const res = await request('PUT', p, body);
    res.resume();
    await new Promise((r) => res.on('end', r));
  };
  return {
    startBig: async () => undefined,
    putPart: async (key, _n, offset, body) => {
      await put(`/${encodeURIComponent(key)}?offset=${offset}`, body);
      return '';
    },
    finishBig: async () => undefined,
    get: (key) => request('GET', `/${encodeURIComponent(key)}`),
    put: (key, body) => put(`/${encodeURIComponent(key)}`, body),
    close: () => agent.destroy(),
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
