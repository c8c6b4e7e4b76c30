// startRegions(): the embedded local regions, for the app, the tests and the CLI.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startAdminServer, type AdminServer } from './admin.js';
import { WriteTracker } from './conditional.js';
import type { RegionInfo, Runtime } from './context.js';
import { Faults, type FaultSettings } from './faults.js';
import { ReplicaChecksums } from './replica-checksum.js';
import { ReplicationMetrics, type RuleMetrics } from './replication-metrics.js';
import { Replicator, type ReplicationStats } from './replication.js';
import { startRegionServer, type RegionServer } from './server.js';
import { BlobStore } from './store/blobs.js';
import { BucketStore } from './store/buckets.js';
import { openDb } from './store/db.js';
import { MultipartStore } from './store/multipart.js';
import { ObjectStore } from './store/objects.js';

export type { FaultSettings } from './faults.js';
export type { ReplicationStats } from './replication.js';
export type { RuleMetrics } from './replication-metrics.js';

export interface RegionsOptions {
  /** Everything lives here (0700); regions.json, with the credentials, is written here (0600). */
  dataDir: string;
  /** Default ['us-east-1', 'eu-west-1']. */
  regions?: string[];
  /** 0 or missing = the port of the previous run if free, else any free port. */
  ports?: number[];
  /** Port of the admin endpoint (0 or missing as for ports). */
  adminPort?: number;
  /** Default delay between a write and its replication, for every region. Default 0. */
  replicationDelayMs?: number;
  /** Fault switches at start, per region name. */
  faults?: Record<string, Partial<FaultSettings>>;
  /**
   * The replication threshold of rules with Metrics / Replication Time Control (15 minutes on
   * S3, as the rule says). Set it to shorten that threshold, e.g. in tests.
   */
  replicationThresholdMs?: number;
  log?: (line: string) => void;
}

export interface RegionsHandle {
  accessKeyId: string;
  secretAccessKey: string;
  /** endpoint = http://127.0.0.1:PORT */
  regions: { name: string; endpoint: string }[];
  adminEndpoint: string;
  adminToken: string;
  dataDir: string;
  setFaults(region: string, faults: Partial<FaultSettings>): FaultSettings;
  getFaults(region: string): FaultSettings;
  replicationStats(): ReplicationStats;
  /** Counters of the rules with Metrics Enabled (also admin `GET /replication-metrics`). */
  replicationMetrics(): RuleMetrics[];
  close(): Promise<void>;
}

interface Secrets {
  accessKeyId: string;
  secretAccessKey: string;
  adminToken: string;
}

interface RegionsFile extends Secrets {
  regions: { name: string; endpoint: string }[];
  adminEndpoint: string;
}

const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function newAccessKeyId(): string {
  const bytes = randomBytes(16);
  return 'AKIA' + [...bytes].map((b) => ALNUM[b % ALNUM.length]).join('');
}

async function writePrivate(file: string, data: unknown): Promise<void> {
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
  await fs.chmod(tmp, 0o600);
  await fs.rename(tmp, file);
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * The credentials (access key, secret, admin token) are generated on first start and kept in
 * regions.json (0600), the one file that holds them. Older versions kept them in
 * credentials.json as well: its values are taken over (they were the ones in force), written
 * to regions.json, and the file is removed.
 */
async function loadSecrets(dataDir: string, regionsFile: string): Promise<Secrets> {
  const legacyFile = path.join(dataDir, 'credentials.json');
  const legacy = await readJson<Partial<Secrets>>(legacyFile);
  const current = await readJson<Partial<RegionsFile>>(regionsFile);
  const complete = (s: Partial<Secrets> | undefined): s is Secrets =>
    !!s?.accessKeyId && !!s.secretAccessKey && !!s.adminToken;
  const found = complete(legacy) ? legacy : current;
  const secrets: Secrets = {
    accessKeyId: found?.accessKeyId || newAccessKeyId(),
    secretAccessKey: found?.secretAccessKey || randomBytes(30).toString('base64'),
    adminToken: found?.adminToken || randomBytes(24).toString('base64url'),
  };
  const same =
    current?.accessKeyId === secrets.accessKeyId &&
    current.secretAccessKey === secrets.secretAccessKey &&
    current.adminToken === secrets.adminToken;
  if (same) await fs.chmod(regionsFile, 0o600);
  else await writePrivate(regionsFile, { ...current, ...secrets });
  await fs.rm(legacyFile, { force: true });
  return secrets;
}

/** Files SQLite makes take the umask's mode: narrowed to 0600, the -wal and -shm too. */
async function makePrivate(file: string): Promise<void> {
  for (const f of [file, `${file}-wal`, `${file}-shm`])
    await fs.chmod(f, 0o600).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
}

function portOf(endpoint: string | undefined): number {
  const m = /:(\d+)$/.exec(endpoint ?? '');
  return m ? Number(m[1]) : 0;
}

/** Listens on the wanted port; a remembered (not explicitly requested) port falls back to any. */
async function listenWithFallback<T>(
  explicit: number,
  remembered: number,
  start: (port: number) => Promise<T>,
): Promise<T> {
  if (explicit > 0 || remembered === 0) return start(explicit);
  try {
    return await start(remembered);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    return start(0);
  }
}

export async function startRegions(opts: RegionsOptions): Promise<RegionsHandle> {
  const names = opts.regions ?? ['us-east-1', 'eu-west-1'];
  if (names.length === 0) throw new Error('at least one region is needed');
  for (const n of names)
    if (!REGION_NAME.test(n)) throw new Error(`'${n}' is not a region name (like eu-west-1)`);
  if (new Set(names).size !== names.length) throw new Error('region names must be unique');
  const log = opts.log ?? (() => undefined);
  const dataDir = path.resolve(opts.dataDir);
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  // Only this user may enter it; a shared folder given as DIR (the root, a sticky one like
  // /tmp) keeps its mode, narrowing it would lock others out.
  const st = await fs.stat(dataDir);
  if (dataDir !== path.parse(dataDir).root && (st.mode & 0o1000) === 0)
    await fs.chmod(dataDir, 0o700);
  const regionsFile = path.join(dataDir, 'regions.json');
  const secrets = await loadSecrets(dataDir, regionsFile);
  const previous = await readJson<Partial<RegionsFile>>(regionsFile);

  const db = openDb(dataDir);
  await makePrivate(path.join(dataDir, 'meta.sqlite'));
  const blobs = new BlobStore(dataDir);
  await blobs.init();
  const objects = new ObjectStore(db);
  // Blobs renamed into place by a write that crashed before its metadata commit.
  const referenced = objects.blobIds();
  const swept = await blobs.sweep((id) => referenced.has(id));
  if (swept > 0) log(`removed ${swept} unreferenced blob(s) left by an interrupted write`);
  const buckets = new BucketStore(db);
  const multipart = new MultipartStore(db);
  const faults = new Faults(names, { replicationDelayMs: opts.replicationDelayMs ?? 0 });
  for (const [region, f] of Object.entries(opts.faults ?? {})) faults.set(region, f);
  const writes = new WriteTracker();
  const replicaChecksums = new ReplicaChecksums(blobs);
  const replication = new Replicator({
    db,
    blobs,
    buckets,
    objects,
    faults,
    writes,
    checksums: replicaChecksums,
    metrics: new ReplicationMetrics(db, buckets, opts.replicationThresholdMs),
    log,
  });
  const regions = new Map<string, RegionInfo>();
  const rt: Runtime = {
    db,
    blobs,
    buckets,
    objects,
    multipart,
    replication,
    replicaChecksums,
    faults,
    writes,
    credentials: { accessKeyId: secrets.accessKeyId, secretAccessKey: secrets.secretAccessKey },
    regions,
    log,
  };

  const servers: RegionServer[] = [];
  let admin: AdminServer | undefined;
  try {
    for (const [i, name] of names.entries()) {
      const remembered = portOf(previous?.regions?.find((r) => r.name === name)?.endpoint);
      const server = await listenWithFallback(opts.ports?.[i] ?? 0, remembered, (p) =>
        startRegionServer(rt, name, p),
      );
      servers.push(server);
      regions.set(name, { name, port: server.port, endpoint: `http://127.0.0.1:${server.port}` });
    }
    admin = await listenWithFallback(opts.adminPort ?? 0, portOf(previous?.adminEndpoint), (p) =>
      startAdminServer(rt, secrets.adminToken, p),
    );
  } catch (err) {
    await Promise.all(servers.map((s) => s.close()));
    db.close();
    throw err;
  }
  const adminEndpoint = `http://127.0.0.1:${admin.port}`;
  const list = [...regions.values()].map((r) => ({ name: r.name, endpoint: r.endpoint }));
  await writePrivate(regionsFile, {
    accessKeyId: secrets.accessKeyId,
    secretAccessKey: secrets.secretAccessKey,
    regions: list,
    adminEndpoint,
    adminToken: secrets.adminToken,
  } satisfies RegionsFile);

  faults.onChange(() => replication.kick());
  replication.start();
  for (const r of list) log(`region ${r.name} ${r.endpoint}`);

  let closing: Promise<void> | undefined;
  const adminServer = admin;
  return {
    accessKeyId: secrets.accessKeyId,
    secretAccessKey: secrets.secretAccessKey,
    regions: list,
    adminEndpoint,
    adminToken: secrets.adminToken,
    dataDir,
    setFaults: (region, f) => faults.set(region, f),
    getFaults: (region) => ({ ...faults.get(region) }),
    replicationStats: () => replication.stats(),
    replicationMetrics: () => replication.metrics(),
    close: () => {
      closing ??= (async () => {
        await replication.stop();
        await Promise.all([...servers.map((s) => s.close()), adminServer.close()]);
        db.close();
      })();
      return closing;
    },
  };
}
