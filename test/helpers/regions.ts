// Starts the local regions in a fresh temp dir for a test, with SDK clients at default settings,
// and the setup the regions tests share: buckets with versioning, replication rules, reading back.
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketReplicationCommand,
  PutBucketVersioningCommand,
  S3Client,
  type BucketLocationConstraint,
  type CompleteMultipartUploadCommandInput,
  type CompleteMultipartUploadCommandOutput,
  type CompletedPart,
  type GetObjectCommandInput,
  type ReplicationRule,
  type UploadPartCommandInput,
  type UploadPartCommandOutput,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startRegions, type RegionsHandle, type RegionsOptions } from '../../main/regions/index.js';
import type { Credentials } from './signed-http.js';

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

/**
 * For a test file: starts the regions in a `before` hook, then runs `setup` (buckets and the
 * like) in that same hook, and stops them in an `after` hook. The TestRegions returned reaches
 * the running regions from `setup` and from the tests. (One hook: Node 20 does not wait for one
 * top-level `before` hook before it starts the next.)
 */
export function useTestRegions(
  setup: () => Promise<void> | void = () => {},
  opts: Partial<RegionsOptions> = {},
): TestRegions {
  let started: TestRegions | undefined;
  const get = (): TestRegions => {
    if (!started) throw new Error('the regions start in before(): use them in setup and in tests');
    return started;
  };
  before(async () => {
    started = await startTestRegions(opts);
    await setup();
  });
  after(async () => {
    await started?.stop();
  });
  return {
    get handle() {
      return get().handle;
    },
    get dataDir() {
      return get().dataDir;
    },
    client: (name) => get().client(name),
    endpoint: (name) => get().endpoint(name),
    stop: () => get().stop(),
    restart: (more) => get().restart(more),
  };
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

export type VersioningSetting = 'Enabled' | 'Suspended' | 'none';

export interface BucketOptions {
  /** Set with PutBucketVersioning after the bucket is made; 'none' (the default) leaves it unversioned. */
  versioning?: VersioningSetting;
  /** Prefix of the unique name (see bucketName). */
  prefix?: string;
}

/**
 * Creates a uniquely named bucket in `region` (with a LocationConstraint unless us-east-1),
 * sets its versioning, and returns its name.
 */
export async function createBucket(
  t: Pick<TestRegions, 'client'>,
  region: string,
  opts: BucketOptions = {},
): Promise<string> {
  const name = bucketName(opts.prefix);
  const client = t.client(region);
  await client.send(
    new CreateBucketCommand({
      Bucket: name,
      ...(region === 'us-east-1'
        ? {}
        : {
            CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint },
          }),
    }),
  );
  const versioning = opts.versioning ?? 'none';
  if (versioning !== 'none') await setVersioning(client, name, versioning);
  return name;
}

/** A bucket for replication: versioned (Enabled unless told), named src-… in us-east-1, else dst-…. */
export function replicationBucket(
  t: Pick<TestRegions, 'client'>,
  region: string,
  versioning: VersioningSetting = 'Enabled',
): Promise<string> {
  return createBucket(t, region, { versioning, prefix: region === 'us-east-1' ? 'src' : 'dst' });
}

/** PutBucketVersioning with this status. */
export async function setVersioning(
  client: S3Client,
  bucket: string,
  status: 'Enabled' | 'Suspended',
): Promise<void> {
  await client.send(
    new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: status } }),
  );
}

export const REPLICATION_ROLE = 'arn:aws:iam::123456789012:role/replication';

/** A rule that replicates every key to `dest` (delete markers not); `extra` replaces any field. */
export function replicationRule(
  dest: string,
  extra: Partial<ReplicationRule> = {},
): ReplicationRule {
  return {
    ID: `to-${dest}`,
    Priority: 1,
    Status: 'Enabled',
    Filter: { Prefix: '' },
    DeleteMarkerReplication: { Status: 'Disabled' },
    Destination: { Bucket: `arn:aws:s3:::${dest}` },
    ...extra,
  };
}

/** PutBucketReplication on `source` (in `region`) with these rules. */
export async function putReplication(
  t: Pick<TestRegions, 'client'>,
  region: string,
  source: string,
  rules: ReplicationRule[],
  role = REPLICATION_ROLE,
): Promise<void> {
  await t.client(region).send(
    new PutBucketReplicationCommand({
      Bucket: source,
      ReplicationConfiguration: { Role: role, Rules: rules },
    }),
  );
}

type GetExtra = Omit<GetObjectCommandInput, 'Bucket' | 'Key'>;

/** GetObject and the body as UTF-8 ('' when there is none). */
export async function readText(
  client: S3Client,
  bucket: string,
  key: string,
  extra: GetExtra = {},
): Promise<string> {
  const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...extra }));
  return (await got.Body?.transformToString()) ?? '';
}

/** GetObject and the body's bytes. */
export async function readBytes(
  client: S3Client,
  bucket: string,
  key: string,
  extra: GetExtra = {},
): Promise<Buffer> {
  const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...extra }));
  return Buffer.from(await got.Body!.transformToByteArray());
}

/**
 * UploadPart for each body in turn, as parts `firstPart`, `firstPart + 1`, …, with `extra` on
 * every request; returns the responses in order.
 */
export async function uploadParts(
  client: S3Client,
  upload: { Bucket: string; Key: string; UploadId: string | undefined },
  bodies: (Buffer | string)[],
  extra: Omit<UploadPartCommandInput, 'Bucket' | 'Key' | 'UploadId' | 'PartNumber' | 'Body'> = {},
  firstPart = 1,
): Promise<UploadPartCommandOutput[]> {
  const out: UploadPartCommandOutput[] = [];
  for (const [i, body] of bodies.entries()) {
    out.push(
      await client.send(
        new UploadPartCommand({ ...upload, PartNumber: firstPart + i, Body: body, ...extra }),
      ),
    );
  }
  return out;
}

/** CompleteMultipartUpload with these parts, and `extra` (conditions, checksums) on the request. */
export function completeUpload(
  client: S3Client,
  upload: { Bucket: string; Key: string; UploadId: string | undefined },
  parts: CompletedPart[],
  extra: Omit<
    CompleteMultipartUploadCommandInput,
    'Bucket' | 'Key' | 'UploadId' | 'MultipartUpload'
  > = {},
): Promise<CompleteMultipartUploadCommandOutput> {
  return client.send(
    new CompleteMultipartUploadCommand({ ...upload, MultipartUpload: { Parts: parts }, ...extra }),
  );
}

/** The endpoint, region and credentials that signedRequest and presignedUrl take, for `region`. */
export function signingTarget(
  t: TestRegions,
  region: string,
): { endpoint: string; region: string; credentials: Credentials } {
  return { endpoint: t.endpoint(region), region, credentials: t.handle };
}

/**
 * Waits until HeadObject of `key` (of `versionId`, else its current version) reports this
 * x-amz-replication-status.
 */
export async function waitForReplicationStatus(
  client: S3Client,
  bucket: string,
  key: string,
  want: string,
  opts: { versionId?: string; timeoutMs?: number; what?: string } = {},
): Promise<void> {
  await waitFor(
    async () =>
      (
        await client.send(
          new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: opts.versionId }),
        )
      ).ReplicationStatus === want,
    opts.timeoutMs ?? 5000,
    opts.what ?? `${key} ${want}`,
  );
}
