// Runs the local regions as a separate process, exactly as `npm run regions` does, and hands
// back what regions.json says, for interop tests that drive the server with external clients.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cliPath = path.join(repoRoot, 'main', 'regions', 'cli.ts');

export interface RegionsFile {
  accessKeyId: string;
  secretAccessKey: string;
  regions: { name: string; endpoint: string }[];
}

export interface RegionsProcess extends RegionsFile {
  dataDir: string;
  /** The lines the CLI printed on stdout before `ready`. */
  banner: string[];
  /** File mode bits of DIR/regions.json. */
  regionsJsonMode: number;
  endpoint(region: string): string;
  /** Everything the process wrote so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `tsx main/regions/cli.ts --regions … --data DIR` and waits for its `ready` line. */
export async function spawnRegions(opts: {
  regions: string[];
  dataDir: string;
  timeoutMs?: number;
}): Promise<RegionsProcess> {
  if (!fs.existsSync(cliPath)) throw new Error(`${cliPath} does not exist`);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', cliPath, '--regions', opts.regions.join(','), '--data', opts.dataDir],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } },
  );
  let out = '';
  const banner: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const ready = new Promise<void>((resolve, reject) => {
    let pending = '';
    const timer = setTimeout(
      () => reject(new Error(`regions server not ready after ${opts.timeoutMs ?? 30000} ms`)),
      opts.timeoutMs ?? 30000,
    );
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      pending += d;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (line === 'ready') {
          clearTimeout(timer);
          resolve();
        } else if (line !== '') banner.push(line);
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`regions server exited early (code ${code}, signal ${signal})`));
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
  const stop = () => stopChild(child);
  try {
    await ready;
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n--- server output ---\n${out}`);
  }
  const file = path.join(opts.dataDir, 'regions.json');
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as RegionsFile;
  return {
    ...parsed,
    dataDir: opts.dataDir,
    banner,
    regionsJsonMode: fs.statSync(file).mode & 0o777,
    endpoint(region: string) {
      const r = parsed.regions.find((x) => x.name === region);
      if (!r) throw new Error(`no region ${region} in ${file}`);
      return r.endpoint;
    },
    output: () => out,
    stop,
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Fails (never skips) when a peer binary is missing, naming the Debian package to install. */
export function requireBinary(bin: string, versionArgs: string[], install: string): void {
  const r = spawnSync(bin, versionArgs, { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(
      `${bin} is not runnable (${r.error?.message ?? `exit ${r.status}: ${r.stderr}`}); ` +
        `install it with: ${install}`,
    );
  }
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion without blocking the event loop. */
export function run(
  bin: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 30000,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
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

export function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** relative path (with '/') -> sha256 of every regular file under dir. */
export function treeHashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out[path.relative(dir, p).split(path.sep).join('/')] = sha256File(p);
    }
  };
  walk(dir);
  return out;
}

/** relative path -> size of every regular file under dir. */
export function treeSizes(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile())
        out[path.relative(dir, p).split(path.sep).join('/')] = fs.statSync(p).size;
    }
  };
  walk(dir);
  return out;
}

/** Writes `files` (relative path -> content) under dir, creating folders. */
export function writeTree(dir: string, files: Record<string, Buffer | string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(dir, ...rel.split('/'));
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
}

/** Deterministic pseudo-random bytes (an AES-CTR keystream), so failures are reproducible. */
export function pseudoRandomBytes(size: number, seed: string): Buffer {
  const key = createHash('sha256').update(seed).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
