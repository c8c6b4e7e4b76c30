// For the capability probe's tests: what the probe must have left behind (nothing).
import {
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { reservedPrefix } from '../../main/core/reserved-keys.js';

/**
 * Nothing of the probe is left: no version or marker under the reserved prefix, no upload,
 * no rs-probe-* bucket. Lists without a prefix and filters here: moto 5 refuses the
 * signature of a Prefix containing '/'.
 */
export async function assertProbeLeftNothing(
  client: S3Client,
  bucket: string,
  prefix: string,
): Promise<void> {
  const reserved = reservedPrefix(prefix);
  const versions = await client.send(new ListObjectVersionsCommand({ Bucket: bucket }));
  assert.equal(versions.IsTruncated ?? false, false);
  assert.deepEqual(
    [...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])]
      .filter((v) => v.Key?.startsWith(reserved))
      .map((v) => `${v.Key} ${v.VersionId}`),
    [],
  );
  const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  assert.deepEqual(
    (uploads.Uploads ?? []).filter((u) => u.Key?.startsWith(reserved)).map((u) => u.Key),
    [],
  );
  const buckets = await client.send(new ListBucketsCommand({}));
  assert.deepEqual(
    (buckets.Buckets ?? []).map((b) => b.Name).filter((n) => n?.startsWith('rs-probe-')),
    [],
  );
}

/**
 * The same, allowing an active-active service (RGW multisite) the seconds it takes to sync a
 * deleted version back and the probe's background sweep to remove it again.
 */
export async function eventuallyProbeLeftNothing(
  client: S3Client,
  bucket: string,
  prefix: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertProbeLeftNothing(client, bucket, prefix);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
