// The S3 servers the engine scenarios (and the upload-integrity test) run against: the local
// regions, moto_server and Ceph RGW 16 (zone-a of the test multisite). Each backend starts
// its server once, puts a recording proxy (s3-proxy.ts) in front of it, and gives the engine's
// account (pointing at the proxy), a plain client for "remote" writes (straight to the server)
// and a fresh versioned bucket per case. What each server is known to honour is declared here
// (`conditional`, `integrity`): a case checks the engine's probe measured the same, so a
// probe regression cannot quietly move a server onto the other branch of the table.
import { S3Client } from '@aws-sdk/client-s3';
import type { Account } from '../../main/core/accounts/account.js';
import type { SecretStore } from '../../main/core/accounts/secret-store.js';
import type { WriteStrategy } from '../../main/core/transfer/upload-common.js';
import { startCephMultisite } from './ceph.js';
import { ensureVersionedBucket, localRegionsAccount } from './engine-setup.js';
import { startMoto } from './moto.js';
import { bucketName, startTestRegions } from './regions.js';
import { startS3Proxy, type S3Proxy } from './s3-proxy.js';

export type BackendName = 'local' | 'moto' | 'ceph';
export const BACKENDS: readonly BackendName[] = ['local', 'moto', 'ceph'];

/** What each server is known to honour (the probe must measure exactly this). */
export const EXPECTED: Record<BackendName, WriteStrategy> = {
  local: { conditional: true, integrity: 'crc64nvme' },
  // moto checks If-Match / If-None-Match, verifies neither checksums nor Content-MD5.
  moto: { conditional: true, integrity: 'self' },
  // RGW 16 refuses even the right If-Match and ignores If-None-Match; verifies Content-MD5.
  ceph: { conditional: false, integrity: 'content-md5' },
};

export interface ScenarioBackend {
  readonly name: BackendName;
  /** What the server is known to honour; the probe must measure exactly this. */
  readonly expected: WriteStrategy;
  /** The folder's region (the signing region where the server wants one). */
  readonly region: string;
  /** In front of the server; the engine's account points here. */
  readonly proxy: S3Proxy;
  /** The server itself (not the proxy). */
  readonly endpoint: string;
  /** The engine's account id (the folder's accountId). */
  readonly accountId: string;
  /** The account for the engine; its secret (if any) is put into `secrets` first. */
  account(secrets: SecretStore): Promise<Account>;
  /** Signed with the same key, straight to the server: another device's writes, checks. */
  readonly client: S3Client;
  /** The key the engine's account and `client` sign with. */
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  /** A new bucket with versioning on. */
  versionedBucket(prefix?: string): Promise<string>;
  /** Milliseconds the server took to start (for the report). */
  readonly startupMs: number;
  stop(): Promise<void>;
}

const SECRET_ID = 'scenario-secret';

function customAccount(
  name: BackendName,
  endpoint: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  signingRegion: string,
): (secrets: SecretStore) => Promise<Account> {
  return async (secrets) => {
    await secrets.set(SECRET_ID, credentials.secretAccessKey);
    return {
      id: `scenario-${name}`,
      kind: 'custom',
      name: `Scenario ${name}`,
      endpoint,
      forcePathStyle: true,
      accessKeyId: credentials.accessKeyId,
      secretId: SECRET_ID,
      signingRegion,
    };
  };
}

function plainClient(
  endpoint: string,
  region: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): S3Client {
  return new S3Client({ endpoint, region, forcePathStyle: true, credentials });
}

async function startLocal(): Promise<ScenarioBackend> {
  const t0 = Date.now();
  const regions = await startTestRegions();
  const region = 'us-east-1';
  const proxy = await startS3Proxy(regions.handle.regions);
  const client = regions.client(region);
  return {
    name: 'local',
    expected: EXPECTED.local,
    credentials: {
      accessKeyId: regions.handle.accessKeyId,
      secretAccessKey: regions.handle.secretAccessKey,
    },
    region,
    proxy,
    endpoint: regions.endpoint(region),
    accountId: 'local',
    account: async () =>
      localRegionsAccount({
        accessKeyId: regions.handle.accessKeyId,
        secretAccessKey: regions.handle.secretAccessKey,
        regions: proxy.regions,
      }),
    client,
    versionedBucket: async (prefix = 'scn') => {
      const b = bucketName(prefix);
      await ensureVersionedBucket(client, b);
      return b;
    },
    startupMs: Date.now() - t0,
    stop: async () => {
      await proxy.close();
      await regions.stop();
    },
  };
}

async function startMotoBackend(): Promise<ScenarioBackend> {
  const t0 = Date.now();
  const moto = await startMoto();
  const region = 'us-east-1';
  const proxy = await startS3Proxy([{ name: region, endpoint: moto.endpoint }]);
  const client = plainClient(moto.endpoint, region, moto.credentials);
  const endpoint = proxy.regions[0]?.endpoint ?? '';
  return {
    name: 'moto',
    expected: EXPECTED.moto,
    credentials: moto.credentials,
    region,
    proxy,
    endpoint: moto.endpoint,
    accountId: 'scenario-moto',
    account: customAccount('moto', endpoint, moto.credentials, region),
    client,
    versionedBucket: async (prefix = 'scn') => {
      const b = bucketName(prefix);
      await ensureVersionedBucket(client, b);
      return b;
    },
    startupMs: Date.now() - t0,
    stop: async () => {
      client.destroy();
      await proxy.close();
      await moto.stop();
    },
  };
}

async function startCeph(): Promise<ScenarioBackend> {
  const t0 = Date.now();
  const ms = await startCephMultisite();
  // Zone-a only; RGW wants requests signed for its zonegroup's name.
  const region = ms.zonegroup;
  const zone = ms.zones[0];
  let proxy: S3Proxy;
  try {
    proxy = await startS3Proxy([{ name: region, endpoint: zone.endpoint }]);
  } catch (err) {
    await ms.stop();
    throw err;
  }
  const client = ms.client(0);
  const endpoint = proxy.regions[0]?.endpoint ?? '';
  return {
    name: 'ceph',
    expected: EXPECTED.ceph,
    credentials: ms.credentials,
    region,
    proxy,
    endpoint: zone.endpoint,
    accountId: 'scenario-ceph',
    account: customAccount('ceph', endpoint, ms.credentials, region),
    client,
    versionedBucket: async (prefix = 'scn') => {
      const b = bucketName(prefix);
      await ensureVersionedBucket(client, b);
      return b;
    },
    startupMs: Date.now() - t0,
    stop: async () => {
      client.destroy();
      await proxy.close();
      await ms.stop();
    },
  };
}

/** Starts a server; a missing one fails with what to install (INSTALL_MOTO, INSTALL_CEPH). */
export function startBackend(name: BackendName): Promise<ScenarioBackend> {
  switch (name) {
    case 'local':
      return startLocal();
    case 'moto':
      return startMotoBackend();
    case 'ceph':
      return startCeph();
  }
}
