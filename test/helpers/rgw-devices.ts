// Devices on a Ceph RGW multisite (ceph.ts): each is a real SyncEngine on its own data dir
// with a ConflictService built on it, and two custom accounts, one per zone ('zone-a',
// 'zone-b'). Its folder syncs with one bucket in its home zone and names the same bucket in
// the other zone as a peer, so the conflict detector reads the versions of both zones.
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConflictSummary } from '../../main/contract/index.js';
import type { CustomAccount } from '../../main/core/accounts/account.js';
import { MemorySecretStore } from '../../main/core/accounts/secret-store.js';
import { ConflictService } from '../../main/core/conflicts/service.js';
import { EventHub } from '../../main/core/emitter.js';
import { SyncEngine } from '../../main/core/sync/engine.js';
import type { CephMultisite } from './ceph.js';
import { SCENARIO_TUNING } from './scenario.js';

export const ZONE_ACCOUNTS = ['zone-a', 'zone-b'] as const;
const SECRET_ID = 'ceph-user-secret';

export interface RgwDevice {
  name: string;
  device: string;
  /** 0: zone-a (the master), 1: zone-b. */
  home: 0 | 1;
  engine: SyncEngine;
  service: ConflictService;
  folder: string;
  folderId: string;
  log: string[];
  /** rescan (= rescan + pull) and settle, twice, past the watcher's settle window. */
  sync(): Promise<void>;
  scan(): Promise<ConflictSummary[]>;
  abs(rel: string): string;
  read(rel: string): string | undefined;
  write(rel: string, content: string): void;
  /** Relative path → content of every file in the folder (the app's own dirs left out). */
  tree(): Map<string, string>;
  stop(): Promise<void>;
}

export async function within<T>(p: Promise<T>, what: string, ms = 60_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Retries `fn` until it returns without throwing; the last error names what never came. */
export async function eventually<T>(
  what: string,
  timeoutMs: number,
  fn: () => Promise<T>,
  everyMs = 300,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`${what} within ${timeoutMs / 1000} s: ${(err as Error).message}`);
    }
    await sleep(everyMs);
  }
}

function zoneAccount(ms: CephMultisite, zone: 0 | 1): CustomAccount {
  return {
    id: ZONE_ACCOUNTS[zone],
    name: `Ceph ${ms.zones[zone].name}`,
    kind: 'custom',
    endpoint: ms.zones[zone].endpoint,
    forcePathStyle: true,
    accessKeyId: ms.credentials.accessKeyId,
    secretId: SECRET_ID,
    signingRegion: ms.zonegroup,
  };
}

export async function startRgwDevice(
  ms: CephMultisite,
  o: { name: string; device: string; home: 0 | 1; bucket: string; root: string },
): Promise<RgwDevice> {
  const dir = path.join(o.root, `device-${o.name}`);
  const folder = path.join(dir, 'folder');
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(folder, { recursive: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const log: string[] = [];
  const secrets = new MemorySecretStore();
  await secrets.set(SECRET_ID, ms.credentials.secretAccessKey);
  const events = new EventHub();
  const activity = (level: string, message: string) => log.push(`${level}: ${message}`);
  const engine = new SyncEngine({
    indexFile: path.join(dataDir, 'index.sqlite'),
    device: o.device,
    concurrency: 4,
    secrets,
    events,
    activity,
    onStatus: () => undefined,
    tuning: SCENARIO_TUNING,
    log: (line) => log.push(line),
  });
  engine.addAccount(zoneAccount(ms, 0));
  engine.addAccount(zoneAccount(ms, 1));
  await within(engine.start({ paused: false }), `${o.name}: engine start`);
  const other = o.home === 0 ? 1 : 0;
  const added = await within(
    engine.addFolder({
      path: folder,
      accountId: ZONE_ACCOUNTS[o.home],
      bucket: o.bucket,
      region: ms.zonegroup,
      peers: [
        {
          accountId: ZONE_ACCOUNTS[other],
          bucket: o.bucket,
          region: ms.zonegroup,
          label: ZONE_ACCOUNTS[other],
        },
      ],
    }),
    `${o.name}: add folder`,
  );
  const service = new ConflictService({
    folders: engine,
    db: engine.indexDb,
    files: engine.files,
    forks: engine,
    policyHost: engine,
    events,
    device: o.device,
    deviceName: () => `laptop-${o.name.toLowerCase()}`,
    activity,
    openPath: async () => '',
    onList: () => {},
    policyFile: path.join(dataDir, 'policies.json'),
    scanEveryMs: 600_000,
  });
  const abs = (rel: string) => path.join(folder, ...rel.split('/'));
  const tree = () => {
    const out = new Map<string, string>();
    const walk = (d: string, rel: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.name.startsWith('.replica-sync') || e.name.startsWith('.rs-')) continue;
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) walk(path.join(d, e.name), r);
        else if (e.isFile()) out.set(r, fs.readFileSync(path.join(d, e.name), 'utf8'));
      }
    };
    walk(folder, '');
    return out;
  };
  return {
    name: o.name,
    device: o.device,
    home: o.home,
    engine,
    service,
    folder,
    folderId: added.id,
    log,
    abs,
    tree,
    read: (rel) => (fs.existsSync(abs(rel)) ? fs.readFileSync(abs(rel), 'utf8') : undefined),
    write: (rel, content) => {
      fs.mkdirSync(path.dirname(abs(rel)), { recursive: true });
      fs.writeFileSync(abs(rel), content);
    },
    async sync() {
      await sleep(400);
      for (let round = 0; round < 2; round++) {
        await within(engine.rescan(added.id), `${o.name}: rescan + pull`);
        await within(engine.settle(), `${o.name}: settle`);
      }
    },
    async scan() {
      await within(service.scanAll(), `${o.name}: conflict scan`);
      return service.list();
    },
    async stop() {
      service.dispose();
      await engine.dispose();
      await sleep(50);
    },
  };
}

export interface ZoneVersion {
  versionId: string;
  latest: boolean;
  marker: boolean;
  content?: string;
  metadata: Record<string, string>;
}

/** Every version and delete marker of `key` in a zone, with contents and user metadata. */
export async function zoneVersions(
  client: S3Client,
  bucket: string,
  key: string,
): Promise<ZoneVersion[]> {
  const res = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
  const out: ZoneVersion[] = [];
  for (const m of res.DeleteMarkers ?? [])
    if (m.Key === key && m.VersionId)
      out.push({ versionId: m.VersionId, latest: m.IsLatest === true, marker: true, metadata: {} });
  for (const v of res.Versions ?? []) {
    if (v.Key !== key || !v.VersionId) continue;
    const got = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: v.VersionId }),
    );
    out.push({
      versionId: v.VersionId,
      latest: v.IsLatest === true,
      marker: false,
      content: (await got.Body?.transformToString()) ?? '',
      metadata: got.Metadata ?? {},
    });
  }
  return out;
}

/** The user metadata of one version (HeadObject), or a throw while it has not arrived. */
export async function headVersion(
  client: S3Client,
  bucket: string,
  key: string,
  versionId: string,
): Promise<Record<string, string>> {
  const h = await client.send(
    new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
  );
  return h.Metadata ?? {};
}
