// Starts the local regions in a fresh temp dir for a test, with SDK clients at default settings.
import { S3Client } from '@aws-sdk/client-s3';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startRegions, type RegionsHandle, type RegionsOptions } from '../../main/regions/index.js';

export interface TestRegions {
  handle: RegionsHandle;
  /** An S3Client for the region: only endpoint, region and credentials are set. */
  client(regionName: string): S3Client;
  endpoint(regionName: string): string;
  dataDir: string;
  /** Closes the regions (and clients) and deletes the temp dir. */
  stop(): Promise<void>;
  /** Closes the regions but keeps the data, then starts them again on the same dir. */
  restart(opts?: Partial<Omit<RegionsOptions, 'dataDir'>>): Promise<void>;
}

export async function startTestRegions(opts: Partial<RegionsOptions> = {}): Promise<TestRegions> {
  const dataDir = opts.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'regions-test-')));
  const clients = new Map<string, S3Client>();
  const base: RegionsOptions = { regions: ['us-east-1', 'eu-west-1'], ...opts, dataDir };
  let handle = await startRegions(base);
  const closeClients = (): void => {
    for (const c of clients.values()) c.destroy();
    clients.clear();
  };
  const t: TestRegions = {
    get handle() {
      return handle;
    },
    dataDir,
    endpoint(name) {
      const r = handle.regions.find((x) => x.name === name);
      if (!r) throw new Error(`no region ${name}`);
      return r.endpoint;
    },
    client(name) {
      let c = clients.get(name);
      if (!c) {
        c = new S3Client({
          endpoint: t.endpoint(name),
          region: name,
          credentials: { accessKeyId: handle.accessKeyId, secretAccessKey: handle.secretAccessKey },
        });
        clients.set(name, c);
      }
      return c;
    },
    async stop() {
      closeClients();
      await handle.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
    async restart(more = {}) {
      closeClients();
      await handle.close();
      handle = await startRegions({ ...base, ...more, dataDir });
    },
  };
  return t;
}

/** Polls `check` until it returns a value other than undefined/false, or fails after timeoutMs. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 5000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await sleep(25);
  }
}

let counter = 0;
/** A bucket name unique within the run. */
export function bucketName(prefix = 'b'): string {
  counter++;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

export interface CaughtS3Error {
  name: string;
  status: number | undefined;
  message: string;
  error: Error & {
    $metadata?: { httpStatusCode?: number; attempts?: number };
    $response?: unknown;
  };
}

/** Awaits a request that must fail and returns the SDK error's code, status and message. */
export async function s3Error(p: Promise<unknown>): Promise<CaughtS3Error> {
  try {
    await p;
  } catch (err) {
    const e = err as CaughtS3Error['error'];
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message, error: e };
  }
  throw new Error('expected the request to fail, but it succeeded');
}
