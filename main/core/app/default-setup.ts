// The first start with no account: two local regions, a versioned bucket in each, and a
// watched folder (~/Replica Sync, or --folder). Nothing is asked.
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, type BucketLocationConstraint } from '@aws-sdk/client-s3';
import type { LocalAccount } from '../accounts/account.js';
import { enableVersioning } from '../accounts/folder-check.js';
import { S3ClientFactory } from '../accounts/s3-client-factory.js';
import { MemorySecretStore } from '../accounts/secret-store.js';
import { classifyS3Error } from '../transfer/s3-errors.js';
import { createTwoWay } from '../replication/two-way.js';
import type { SyncEngine } from '../sync/engine.js';

export function defaultFolderPath(home = os.homedir()): string {
  return path.join(home, 'Replica Sync');
}

/** Bucket names of this installation in each local region. */
export function defaultBuckets(
  installationId: string,
  regions: string[],
): { bucket: string; region: string }[] {
  const short = installationId.replace(/[^a-z0-9]/g, '').slice(0, 8);
  return regions.map((region) => ({ bucket: `replica-sync-${short}-${region}`, region }));
}

async function ensureBucket(account: LocalAccount, bucket: string, region: string): Promise<void> {
  const factory = new S3ClientFactory({ secrets: new MemorySecretStore() });
  const client = factory.clientFor(account, region);
  try {
    await client.send(
      new CreateBucketCommand({
        Bucket: bucket,
        ...(region === 'us-east-1'
          ? {}
          : {
              CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint },
            }),
      }),
    );
  } catch (err) {
    const c = classifyS3Error(err, { bucket, region, operation: 'create' });
    if (c.code !== 'BucketAlreadyOwnedByYou') throw c;
  }
  const v = await enableVersioning(client, { bucket, region });
  factory.dispose();
  if (!v.ok) throw new Error(v.message);
}

export async function runDefaultSetup(
  engine: SyncEngine,
  account: LocalAccount,
  installationId: string,
  folder: string,
): Promise<{ folder: string; buckets: { bucket: string; region: string }[] }> {
  const buckets = defaultBuckets(installationId, Object.keys(account.endpoints));
  for (const b of buckets) await ensureBucket(account, b.bucket, b.region);
  const source = buckets[0];
  if (!source) throw new Error('the local regions list no region');
  const partner = buckets[1];
  // Two-way replication between the first two regions: a new user sees replication work,
  // and versions written in the second region come back into the folder.
  if (partner)
    await createTwoWay({
      accountId: account.id,
      accountKind: 'local',
      clientFor: (region) => engine.clientForAccount(account.id, region),
      a: source,
      b: partner,
    });
  await engine.addFolder(
    {
      path: folder,
      accountId: account.id,
      bucket: source.bucket,
      region: source.region,
      create: true,
    },
    { firstStart: true },
  );
  return { folder, buckets };
}
