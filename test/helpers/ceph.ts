// A real Ceph RGW multisite on this host for tests: one mon, one memstore OSD and two
// radosgw daemons (zone-a master, zone-b) in realm "rs", zonegroup "zg", all in a fresh temp
// dir with its own ceph.conf, bound to 127.0.0.1 only. Nothing under /etc/ceph or
// /var/lib/ceph is read or written. A missing binary fails with INSTALL_CEPH; it never skips.
import {
  GetBucketVersioningCommand,
  HeadBucketCommand,
  PutBucketVersioningCommand,
  S3Client,
  CreateBucketCommand,
} from '@aws-sdk/client-s3';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const INSTALL_CEPH =
  'install Ceph RGW: apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd';

export interface CephZone {
  name: string;
  endpoint: string;
}

export interface CephMultisite {
  zonegroup: string;
  /** Master first. */
  zones: [CephZone, CephZone];
  /** A normal user created on the master and synced to zone-b; its access key is 4 chars. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The system user whose keys both zones use for sync. */
  systemCredentials: { accessKeyId: string; secretAccessKey: string };
  /** The cluster's temp dir (conf, logs, run dirs). */
  dir: string;
  /** Milliseconds from the start of startCephMultisite to the end of each phase. */
  startupMs: Record<string, number>;
  /** Runs radosgw-admin against this cluster (without --rgw-zone it acts on zone-a). */
  admin(args: string[]): Promise<string>;
  /** An S3 client for a zone: path style, signed for region "zg". */
  client(zone: 0 | 1): S3Client;
  /** Kills every daemon by pid and removes the temp dir. */
  stop(): Promise<void>;
}

const ZONEGROUP = 'zg';
const REALM = 'rs';
// Short on purpose: tests should see keys far from AWS's 20/40-char shape.
const USER = { uid: 'tester', accessKeyId: 'rsak', secretAccessKey: 'rs-secret' };
const SYSTEM = { uid: 'rssys', accessKeyId: 'rssys', secretAccessKey: 'rssys-secret-key' };
const BINARIES = words('ceph ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph-authtool');

// Children still running in this process; killed on exit even if a test crashes.
const live = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let exitHookInstalled = false;

function killAllNow(): void {
  for (const c of live) {
    try {
      c.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
  live.clear();
  for (const d of liveDirs) fs.rmSync(d, { recursive: true, force: true });
  liveDirs.clear();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', killAllNow);
  // Signals skip 'exit' handlers: clean up, then die of the same signal.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killAllNow();
      process.kill(process.pid, sig);
    });
  }
}

function onPath(bin: string): boolean {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .some((d) => d !== '' && fs.existsSync(path.join(d, bin)));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) {
        const why = err.killed ? `timed out after ${timeoutMs} ms` : `failed (${err.message})`;
        reject(new Error(`${cmd} ${args.join(' ')} ${why}: ${stderr.trim().slice(-1500)}`));
      } else resolve(stdout);
    });
  });
}

interface Daemon {
  name: string;
  child: ChildProcess;
  output: () => string;
  exited: () => string | undefined;
}

function startDaemon(name: string, cmd: string, args: string[]): Daemon {
  let out = '';
  let exit: string | undefined;
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const keep = (b: Buffer) => (out = (out + b.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('error', (e) => (exit = `could not start: ${e.message}`));
  child.on('exit', (code, signal) => {
    exit = `exited with ${code ?? signal}`;
    live.delete(child);
  });
  return { name, child, output: () => out, exited: () => exit };
}

/** Polls `check` until it returns true; fails early if a daemon died. */
async function waitFor(
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean>,
  daemons: Daemon[],
  logHint: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const d of daemons) {
      const e = d.exited();
      if (e !== undefined)
        throw new Error(
          `${d.name} ${e} while waiting for ${what}: ${d.output().trim()} (${logHint})`,
        );
    }
    try {
      if (await check()) return;
    } catch {
      // Not ready yet.
    }
    if (Date.now() > deadline)
      throw new Error(`${what} not ready within ${timeoutMs / 1000} s (${logHint})`);
    await sleep(150);
  }
}

/** Splits on spaces: for argument lists without spaces inside an argument. */
function words(line: string): string[] {
  return line.split(' ').filter((w) => w !== '');
}

function cephConf(dir: string, fsid: string, monPort: number): string {
  return `[global]
fsid = ${fsid}
mon host = v2:127.0.0.1:${monPort}
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
# Daemons default to "secure" towards the mon, which auth "none" cannot provide.
ms mon client mode = crc
run dir = ${dir}/run
admin socket = ${dir}/run/$name.asok
log file = ${dir}/log/$name.log
pid file = ${dir}/run/$name.pid
keyring = ${dir}/keyring
mon data = ${dir}/mon/$name
osd data = ${dir}/osd/$name
osd objectstore = memstore
memstore device bytes = 1073741824
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 1
osd pool default pgp num = 1
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
# Every pool RGW creates is an osdmap change; the default 1 s batching made start-up 3x slower.
paxos propose interval = 0.05
paxos min wait = 0.01
`;
}

/** What `npm test` writes for the one cluster it shares between test files. */
export const SHARED_ENV = 'RS_CEPH_SHARED';

interface SharedCluster {
  zonegroup: string;
  zones: [CephZone, CephZone];
  credentials: { accessKeyId: string; secretAccessKey: string };
  systemCredentials: { accessKeyId: string; secretAccessKey: string };
  dir: string;
  startupMs: Record<string, number>;
}

export function sharedDescription(ms: CephMultisite): SharedCluster {
  const { zonegroup, zones, credentials, systemCredentials, dir, startupMs } = ms;
  return { zonegroup, zones, credentials, systemCredentials, dir, startupMs };
}

/** The cluster `npm test` started for every file (stop() leaves it to its owner). */
function sharedCluster(file: string): CephMultisite | undefined {
  let c: SharedCluster;
  try {
    c = JSON.parse(fs.readFileSync(file, 'utf8')) as SharedCluster;
  } catch {
    return undefined;
  }
  const conf = path.join(c.dir, 'ceph.conf');
  return {
    ...c,
    admin: (args) => run('radosgw-admin', ['-c', conf, ...args], 60_000),
    client: (zone) =>
      new S3Client({
        endpoint: c.zones[zone].endpoint,
        region: c.zonegroup,
        forcePathStyle: true,
        credentials: c.credentials,
      }),
    stop: async () => {},
  };
}

/**
 * `private`: a cluster of its own even under `npm test`, for a test that changes what the
 * whole cluster does (a zonegroup sync policy, a period commit).
 */
export async function startCephMultisite(opts?: {
  dir?: string;
  private?: boolean;
}): Promise<CephMultisite> {
  // One cluster for the whole run where `npm test` started it: a cluster per file would
  // cost 30 s each and starve the others of CPU.
  const sharedFile = process.env[SHARED_ENV];
  if (sharedFile && !opts?.dir && !opts?.private) {
    const shared = sharedCluster(sharedFile);
    if (shared) return shared;
  }
  const missing = BINARIES.filter((b) => !onPath(b));
  if (missing.length > 0) throw new Error(`${INSTALL_CEPH} (missing: ${missing.join(', ')})`);
  installExitHook();
  const t0 = Date.now();
  const startupMs: Record<string, number> = {};
  const mark = (phase: string) => (startupMs[phase] = Date.now() - t0);

  const parent = opts?.dir ?? os.tmpdir();
  fs.mkdirSync(parent, { recursive: true });
  // Unix admin sockets must fit in 108 bytes, so keep the prefix short.
  const dir = fs.mkdtempSync(path.join(parent, 'rs-ceph-'));
  liveDirs.add(dir);
  for (const d of ['run', 'log', 'mon', 'osd/osd.0'])
    fs.mkdirSync(path.join(dir, d), { recursive: true });
  const conf = path.join(dir, 'ceph.conf');
  const [monPort, portA, portB] = [await freePort(), await freePort(), await freePort()];
  const fsid = randomUUID();
  fs.writeFileSync(conf, cephConf(dir, fsid, monPort));

  const daemons: Daemon[] = [];
  const wait = (what: string, timeoutMs: number, check: () => Promise<boolean>) =>
    waitFor(what, timeoutMs, check, daemons, `logs in ${dir}/log`);
  const stop = async (): Promise<void> => {
    // Memstore keeps nothing worth a graceful shutdown; SIGTERM'd OSDs linger for seconds.
    const gone = daemons.map(
      (d) =>
        new Promise<void>((resolve) => {
          if (d.exited() !== undefined) return resolve();
          d.child.once('exit', () => resolve());
          d.child.kill('SIGKILL');
        }),
    );
    await Promise.all(gone);
    fs.rmSync(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
  };
  const ceph = (args: string[], t?: number) => run('ceph', ['-c', conf, ...args], t);
  const admin = (args: string[]) => run('radosgw-admin', ['-c', conf, ...args], 60_000);
  const adminW = (line: string, ...more: string[]) => admin([...words(line), ...more]);

  try {
    // mon: its mkfs wants a keyring even with auth none.
    const keyring = path.join(dir, 'keyring');
    const authArgs = words('--gen-key -n mon. --cap mon');
    await run('ceph-authtool', ['--create-keyring', keyring, ...authArgs, 'allow *']);
    const monmap = path.join(dir, 'monmap');
    await run('monmaptool', [
      ...words(`--create --fsid ${fsid} --addv a [v2:127.0.0.1:${monPort}]`),
      monmap,
    ]);
    await run('ceph-mon', ['-c', conf, ...words('-i a --mkfs --monmap'), monmap]);
    daemons.push(startDaemon('ceph-mon', 'ceph-mon', ['-c', conf, ...words('-i a -f')]));
    await wait('ceph-mon', 20_000, async () => {
      await ceph(words('--connect-timeout 2 mon stat'), 5_000);
      return true;
    });
    mark('mon');

    // osd: registered with the mon, then mkfs'd into memory.
    const osdUuid = randomUUID();
    const id = (await ceph(['osd', 'new', osdUuid])).trim();
    if (id !== '0') throw new Error(`ceph osd new gave id ${id}, expected 0`);
    await run('ceph-osd', ['-c', conf, ...words(`-i 0 --mkfs --osd-uuid ${osdUuid}`)]);
    daemons.push(startDaemon('ceph-osd', 'ceph-osd', ['-c', conf, ...words('-i 0 -f')]));
    await wait('ceph-osd', 30_000, async () => {
      const stat = JSON.parse(await ceph(words('osd stat -f json'), 5_000)) as {
        num_up_osds: number;
      };
      return stat.num_up_osds === 1;
    });
    mark('osd');

    // Realm, zonegroup, two zones sharing the system key, then one period for all of it.
    const [endpointA, endpointB] = [`http://127.0.0.1:${portA}`, `http://127.0.0.1:${portB}`];
    const sysKeys = `--access-key=${SYSTEM.accessKeyId} --secret=${SYSTEM.secretAccessKey}`;
    const zg = `--rgw-zonegroup=${ZONEGROUP}`;
    await adminW(`realm create --rgw-realm=${REALM} --default`);
    await adminW(`zonegroup create ${zg} --endpoints=${endpointA} --master --default`);
    await adminW(
      `zone create ${zg} --rgw-zone=zone-a --endpoints=${endpointA} --master --default ${sysKeys}`,
    );
    await adminW(`zone create ${zg} --rgw-zone=zone-b --endpoints=${endpointB} ${sysKeys}`);
    await adminW('period update --commit --rgw-zone=zone-a');
    // Users go to the master; metadata sync copies them to zone-b.
    await adminW(
      `user create --uid=${SYSTEM.uid} --system --rgw-zone=zone-a ${sysKeys}`,
      '--display-name=rs system',
    );
    // zone-b must accept zone-a's sync requests before metadata sync runs: same user, same key.
    await adminW(
      `user create --uid=${SYSTEM.uid} --system --rgw-zone=zone-b ${sysKeys} --yes-i-really-mean-it`,
      '--display-name=rs system',
    );
    await adminW(
      `user create --uid=${USER.uid} --rgw-zone=zone-a --access-key=${USER.accessKeyId} --secret=${USER.secretAccessKey}`,
      '--display-name=rs tester',
    );
    mark('realm');

    const rgwArgs = (zone: string, port: number, extra: string[] = []) => [
      ...['-c', conf, ...words(`-f -n client.rgw.${zone} --rgw-zone=${zone}`), ...extra],
      `--rgw-frontends=beast endpoint=127.0.0.1:${port}`,
    ];
    const serving = (endpoint: string) =>
      wait(`radosgw at ${endpoint}`, 45_000, async () => {
        const res = await fetch(endpoint, { signal: AbortSignal.timeout(2_000) });
        await res.arrayBuffer();
        return res.status === 200;
      });
    const dataSync = async (zone: string, peer: string) => {
      const out = await adminW(`data sync status --source-zone=${peer} --rgw-zone=${zone}`);
      const status = JSON.parse(out) as { sync_status: { info: { status: string } } };
      return status.sync_status.info.status === 'sync';
    };
    // A zone whose first data sync init finds its peer not serving retries only after 20 s
    // (and a restart waits out a lease). So zone-b first serves without a sync thread,
    // zone-a starts and initialises its sync from zone-b, then zone-b starts for real.
    const bootB = startDaemon('radosgw zone-b (boot)', 'radosgw', [
      ...rgwArgs('zone-b', portB, ['--rgw-run-sync-thread=false']),
    ]);
    daemons.push(bootB);
    await serving(endpointB);
    daemons.push(startDaemon('radosgw zone-a', 'radosgw', rgwArgs('zone-a', portA)));
    await serving(endpointA);
    mark('rgw');
    await wait('data sync in zone-a from zone-b', 30_000, () => dataSync('zone-a', 'zone-b'));
    mark('zone-a syncs');
    const gone = new Promise((resolve) => bootB.child.once('exit', resolve));
    // SIGTERM so it drops its watches: a killed watcher stalls the next start for 30 s.
    bootB.child.kill('SIGTERM');
    const killer = setTimeout(() => bootB.child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(killer);
    daemons.splice(daemons.indexOf(bootB), 1);
    daemons.push(startDaemon('radosgw zone-b', 'radosgw', rgwArgs('zone-b', portB)));
    await serving(endpointB);
    mark('zone-b restarted');
    // Until the users reach zone-b, requests there fail with InvalidAccessKeyId.
    await wait('metadata sync of the users to zone-b', 45_000, async () => {
      await adminW(`user info --uid=${USER.uid} --rgw-zone=zone-b`);
      return true;
    });
    mark('users synced');
    await wait('data sync in zone-b from zone-a', 30_000, () => dataSync('zone-b', 'zone-a'));
    mark('data sync');

    const zones: [CephZone, CephZone] = [
      { name: 'zone-a', endpoint: endpointA },
      { name: 'zone-b', endpoint: endpointB },
    ];
    const { accessKeyId, secretAccessKey } = USER;
    const credentials = { accessKeyId, secretAccessKey };
    return {
      zonegroup: ZONEGROUP,
      zones,
      credentials,
      systemCredentials: {
        accessKeyId: SYSTEM.accessKeyId,
        secretAccessKey: SYSTEM.secretAccessKey,
      },
      dir,
      startupMs,
      admin,
      client: (zone) =>
        new S3Client({
          endpoint: zones[zone].endpoint,
          region: ZONEGROUP,
          forcePathStyle: true,
          credentials,
        }),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function eventually<T>(what: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`${what} within ${timeoutMs / 1000} s: ${(err as Error).message}`);
    }
    await sleep(200);
  }
}

/**
 * Creates a bucket on zone-a with versioning on, waits for its metadata to reach zone-b, and
 * enables versioning there too (RGW 16 may report it off on the second zone after sync).
 */
export async function versionedBucketInBothZones(ms: CephMultisite, bucket: string): Promise<void> {
  const [a, b] = [ms.client(0), ms.client(1)];
  try {
    await a.send(new CreateBucketCommand({ Bucket: bucket }));
    const enable = new PutBucketVersioningCommand({
      Bucket: bucket,
      VersioningConfiguration: { Status: 'Enabled' },
    });
    await a.send(enable);
    await eventually(`bucket ${bucket} did not reach zone-b`, 60_000, () =>
      b.send(new HeadBucketCommand({ Bucket: bucket })),
    );
    await b.send(enable);
    for (const [name, c] of [
      ['zone-a', a],
      ['zone-b', b],
    ] as const) {
      await eventually(`versioning of ${bucket} not Enabled on ${name}`, 30_000, async () => {
        const v = await c.send(new GetBucketVersioningCommand({ Bucket: bucket }));
        if (v.Status !== 'Enabled') throw new Error(`status ${v.Status ?? 'unset'}`);
      });
    }
  } finally {
    a.destroy();
    b.destroy();
  }
}
