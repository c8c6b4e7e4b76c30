// What bench/regions-throughput.ts measures, shared with bench/sync-engine.ts (its
// regions_small_put_vs_raw figure): the servers in their own processes, and the same load
// driven against the local regions (through @aws-sdk/client-s3) and the raw node:http server.
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
import http from 'node:http';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { procCpuSeconds } from '../proc-stats.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MiB = 1024 * 1024;

/** The load's shape (bench/regions-throughput.ts options). */
export interface Load {
  bigBytes: number;
  partBytes: number;
  partsInFlight: number;
  smallCount: number;
  smallBytes: number;
  concurrency: number;
}

// ---------------------------------------------------------------------------------------------
// servers (each in its own process)

export interface ServerProcess {
  lines: string[];
  /** CPU seconds (user + system) the server process has used so far (Linux /proc). */
  cpuSeconds(): number | undefined;
  stop(): Promise<void>;
}

export const children = new Set<ChildProcess>();

export function startServer(script: string, args: string[]): Promise<ServerProcess> {
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

export function field(lines: string[], prefix: string): string {
  const line = lines.find((l) => l.startsWith(`${prefix} `));
  if (!line) throw new Error(`no "${prefix}" line in:\n${lines.join('\n')}`);
  return line.slice(prefix.length + 1);
}

// ---------------------------------------------------------------------------------------------
// load

/** The client side of one target: the same operations for the regions and the raw server. */
export interface Target {
  /** Once, before any other call (the regions: creates the bucket). */
  setup(): Promise<void>;
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

export interface Figures {
  putBigMiBs: number;
  getBigMiBs: number;
  putSmallPerS: number;
  getSmallPerS: number;
  /** CPU seconds over the whole run (client = this process). */
  clientCpu?: number;
  serverCpu?: number;
  wallSeconds?: number;
}

export async function measureWithCpu(
  srv: ServerProcess,
  run: () => Promise<Figures>,
): Promise<Figures> {
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

export function cpuLine(f: Figures): string {
  const s = (n: number | undefined) => (n === undefined ? '?' : n.toFixed(1));
  return `${s(f.wallSeconds)} s wall, CPU ${s(f.clientCpu)} s client + ${s(f.serverCpu)} s server`;
}

export async function measure(t: Target, o: Load, part: Buffer, small: Buffer): Promise<Figures> {
  const parts = Math.ceil(o.bigBytes / o.partBytes);
  const etags: string[] = new Array<string>(parts);
  await t.setup();
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

export function regionsTarget(
  endpoint: string,
  creds: [string, string],
  o: Pick<Load, 'concurrency' | 'partsInFlight'>,
): Target {
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
    async setup() {
      await client.send(new CreateBucketCommand({ Bucket }));
    },
    async startBig(Key) {
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

export function rawTarget(base: string, o: Pick<Load, 'concurrency' | 'partsInFlight'>): Target {
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
    setup: async () => undefined,
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

/** Only the small PUTs of measure() (after setup()): objects per second. */
export async function measureSmallPuts(
  t: Target,
  count: number,
  concurrency: number,
  body: Buffer,
) {
  await t.setup();
  const start = performance.now();
  await pool(concurrency, count, (i) => t.put(`small/${String(i).padStart(6, '0')}`, body));
  return count / ((performance.now() - start) / 1000);
}
