// Buckets for engine tests: created and versioned the way the first-start setup does.
import { CreateBucketCommand, PutBucketVersioningCommand, type S3Client } from '@aws-sdk/client-s3';
import type { LocalAccount } from '../../main/core/accounts/account.js';
import { LOCAL_ACCOUNT_ID } from '../../main/core/app/start-engine.js';

export async function ensureVersionedBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (err) {
    if ((err as { name?: string }).name !== 'BucketAlreadyOwnedByYou') throw err;
  }
  await client.send(
    new PutBucketVersioningCommand({
      Bucket: bucket,
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );
}

/**
 * The local-regions account the engine gets from start-engine.ts's localAccount(), built
 * from credentials and endpoints (which may be a proxy's) rather than a running handle.
 */
export function localRegionsAccount(r: {
  accessKeyId: string;
  secretAccessKey: string;
  regions: { name: string; endpoint: string }[];
}): LocalAccount {
  return {
    id: LOCAL_ACCOUNT_ID,
    kind: 'local',
    name: 'Local regions',
    endpoints: Object.fromEntries(r.regions.map((x) => [x.name, x.endpoint])),
    credentials: { accessKeyId: r.accessKeyId, secretAccessKey: r.secretAccessKey },
  };
}
