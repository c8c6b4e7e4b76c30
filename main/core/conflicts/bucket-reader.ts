// The two reads the detector makes: every version of a prefix in one bucket
// (ListObjectVersions, all pages), and one version's lineage and replication status (HEAD).
import { HeadObjectCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { isReservedKey } from '../reserved-keys.js';
import { parseLineage, type Lineage } from '../transfer/lineage.js';
import { classifyS3Error } from '../transfer/s3-errors.js';
import type { ListedVersion, OriginStatus } from './version-graph.js';

export interface BucketTarget {
  client: S3Client;
  /** The bucket's name in the group: its S3 name, or `name@label` for another endpoint of it. */
  bucket: string;
  region: string;
  /** The S3 name when `bucket` is a group name (multisite: one bucket at two endpoints). */
  s3Name?: string;
}

/** key → the bucket's versions of it (first-seen times are the detector's to fill in). */
export async function listVersions(
  target: BucketTarget,
  prefix: string,
): Promise<Map<string, ListedVersion[]>> {
  const { client, bucket, region } = target;
  const s3Bucket = target.s3Name ?? bucket;
  const out = new Map<string, ListedVersion[]>();
  const add = (key: string, v: ListedVersion): void => {
    // The app's own scratch keys (probes, canaries) are never a conflict.
    if (isReservedKey(key, prefix)) return;
    const list = out.get(key);
    if (list) list.push(v);
    else out.set(key, [v]);
  };
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  do {
    const page = await client
      .send(
        new ListObjectVersionsCommand({
          Bucket: s3Bucket,
          ...(prefix ? { Prefix: prefix } : {}),
          ...(keyMarker !== undefined ? { KeyMarker: keyMarker } : {}),
          ...(versionMarker !== undefined ? { VersionIdMarker: versionMarker } : {}),
        }),
      )
      .catch((err: unknown) => {
        throw classifyS3Error(err, { bucket, region, operation: 'list the versions of' });
      });
    for (const v of page.Versions ?? [])
      if (v.Key !== undefined)
        add(v.Key, {
          bucket,
          versionId: v.VersionId ?? 'null',
          isLatest: v.IsLatest === true,
          lastModified: v.LastModified?.getTime() ?? 0,
          size: v.Size ?? 0,
          deleteMarker: false,
        });
    for (const m of page.DeleteMarkers ?? [])
      if (m.Key !== undefined)
        add(m.Key, {
          bucket,
          versionId: m.VersionId ?? 'null',
          isLatest: m.IsLatest === true,
          lastModified: m.LastModified?.getTime() ?? 0,
          size: 0,
          deleteMarker: true,
        });
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker !== undefined);
  return out;
}

export interface HeadFacts {
  lineage: Lineage | null;
  /** REPLICA: this bucket holds a copy; otherwise the status where it was written. */
  status: OriginStatus | 'REPLICA';
}

const GONE = new Set(['NotFound', 'NoSuchKey', 'NoSuchVersion', 'MethodNotAllowed', '404', '405']);

function replicationStatus(value: string | undefined): OriginStatus | 'REPLICA' {
  switch (value) {
    case 'PENDING':
    case 'FAILED':
    case 'REPLICA':
    case 'COMPLETED':
      return value;
    case 'COMPLETE':
      return 'COMPLETED';
    default:
      return 'NONE';
  }
}

/** Lineage and replication status of one version; null when it is gone (deleted meanwhile). */
export async function headVersion(
  target: BucketTarget,
  key: string,
  versionId: string,
): Promise<HeadFacts | null> {
  const { client, bucket, region } = target;
  try {
    const head = await client.send(
      new HeadObjectCommand({ Bucket: target.s3Name ?? bucket, Key: key, VersionId: versionId }),
    );
    return {
      lineage: parseLineage(head.Metadata) ?? null,
      status: replicationStatus(head.ReplicationStatus),
    };
  } catch (err) {
    const e = classifyS3Error(err, { bucket, region, key, operation: 'read' });
    if (GONE.has(e.code) || e.status === 404 || e.status === 405) return null;
    throw e;
  }
}
