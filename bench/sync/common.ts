// Shared by the parts of bench/sync-engine.ts: options, constants, processes, the regions
// server, and the bucket side (fresh versioned buckets, version listings).
import {
  CreateBucketCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { procCpuSeconds } from '../proc-stats.js';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The entry script; engine children run it with --child / --idle-child. */
export const entry = path.join(root, 'bench/sync-engine.ts');
export const MiB = 1024 * 1024;
export const REGION = 'us-east-1';
export const AWS = '/usr/bin/aws';
export const RCLONE = 'rclone';
export const DEVICE = 'bench-device-0001';

export type Phase = 'small' | 'big' | 'restart' | 'regions' | 'idle' | 'remote';
export const PHASES = ['small', 'big', 'restart', 'regions', 'idle', 'remote'] as const;
export type Tool = 'engine' | 'rclone' | 'aws';
export const TOOLS = ['engine', 'rclone', 'aws'] as const;

export interface Options {
  smallCount: number;
  smallBytes: number;
  bigBytes: number;
  restartCount: number;
  restartDirs: number;
  restart1m: boolean;
  concurrency: number;
  regionsCount: number;
  regionsConcurrency: number;
  idleCount: number;
  idleMinutes: number;
  remoteSamples: number;
  phases: Phase[];
  tools: Tool[];
  tmp: string;
  cpuProf: string | undefined;
}

/**
 * Engine log lines that say what it did, not that something failed: the capability probe's
 * scratch keys and bucket (its clean-up problems still count).
 */
export const isInfoLog = (line: string) => /^capability probe(?! clean-up)/.test(line);

/** Child processes still running (killed on an interrupt). */
export const children = new Set<ChildProcess>();
/** Things worth saying that are not failures. */
export const notes: string[] = [];

/** CPU seconds of this process's children that have exited (cutime + cstime). */
export function reapedChildrenCpu(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** Peak resident set size of this process (VmHWM), in bytes. */
export function peakRss(): number | undefined {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : undefined;
}

export interface Server {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  cpuSeconds(): number | undefined;
  stop(): Promise<void>;
}

/** Stops a child: SIGTERM, SIGKILL after 5 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  children.delete(child);
}

export function startRegions(dataDir: string): Promise<Server> {
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
            stop: () => stopChild(child),
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

export interface RunResult {
  code: number | null;
  stdout: string;
  /** The last 8 KB of stderr. */
  stderr: string;
  seconds: number;
}

/** Runs a command to completion; wall time from spawn to exit. */
export function run(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
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
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(AWS_|RCLONE_)/i.test(k)) env[k] = v;
  }
  return { ...env, ...extra };
}

/** Flushes dirty pages (the data just written, the server's last run) so no run pays for another's writeback. */
export function syncDisk(): void {
  spawnSync('sync');
}

export function firstLine(bin: string, args: string[]): string | undefined {
  const r = spawnSync(bin, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return `${r.stdout}${r.stderr}`.split('\n')[0]?.trim();
}

export interface Listing {
  versions: number;
  keys: number;
  deleteMarkers: number;
  bytes: number;
}

export class Buckets {
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

export function checkListing(tool: string, l: Listing, files: number, bytes: number): string[] {
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

/** One tool's upload run. */
export interface Measured {
  seconds: number;
  /** Client CPU seconds (the tool's process; for the engine, from engine start to done). */
  clientCpu: number;
  serverCpu: number | undefined;
  note: string;
}

export interface Ctx {
  o: Options;
  work: string;
  server: Server;
  buckets: Buckets;
  rcloneConfig: string;
  awsEnv: NodeJS.ProcessEnv;
  rcloneEnv: NodeJS.ProcessEnv;
}

/** Runs `job` over 0..count-1 with `size` in flight. */
export async function pool(
  size: number,
  count: number,
  job: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.min(size, count) }, worker));
}
