// What the app checks itself after a write on a service that does not prove what S3 would:
// without conditional writes, the key's versions tell whether someone else wrote between our
// base and our version (a fork, left to the lineage graph); without a verified checksum, the
// stored bytes are compared with what was hashed (ETag = MD5 where it is one, else a read).
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { parseLineage } from './lineage.js';
import {
  CorruptUploadError,
  etagMd5,
  strategyOf,
  type UploadedVersion,
  type UploadRequest,
} from './upload-common.js';

interface KeyVersion {
  versionId: string;
  marker: boolean;
}

/** The key's versions and delete markers, newest first (as S3 lists them). */
async function keyVersions(
  client: S3Client,
  bucket: string,
  key: string,
  signal?: AbortSignal,
): Promise<KeyVersion[]> {
  const out: { versionId: string; marker: boolean; at: number; latest: boolean }[] = [];
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  for (let page = 0; page < 100; page++) {
    const res = await client.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: key,
        ...(keyMarker !== undefined ? { KeyMarker: keyMarker } : {}),
        ...(versionMarker !== undefined ? { VersionIdMarker: versionMarker } : {}),
      }),
      signal ? { abortSignal: signal } : {},
    );
    const add = (
      v: { Key?: string; VersionId?: string; LastModified?: Date; IsLatest?: boolean },
      marker: boolean,
    ) => {
      if (v.Key === key && v.VersionId)
        out.push({
          versionId: v.VersionId,
          marker,
          at: v.LastModified?.getTime() ?? 0,
          latest: v.IsLatest === true,
        });
    };
    for (const v of res.Versions ?? []) add(v, false);
    for (const m of res.DeleteMarkers ?? []) add(m, true);
    // Keys sort after `key` once the listing has passed it: nothing more of ours to read.
    const last = res.NextKeyMarker;
    if (!res.IsTruncated || last === undefined || last > key) break;
    keyMarker = last;
    versionMarker = res.NextVersionIdMarker;
  }
  // Versions and markers come in two lists; the latest first, then by time, newest first.
  return out
    .sort((a, b) => Number(b.latest) - Number(a.latest) || b.at - a.at)
    .map(({ versionId, marker }) => ({ versionId, marker }));
}

export interface ForkCheck {
  client: S3Client;
  bucket: string;
  key: string;
  /** The version our write was based on (undefined: a new key). */
  base: string | undefined;
  /** The version we wrote. */
  ours: string;
  device: string;
  sha256: string;
  signal?: AbortSignal;
}

/**
 * Versions others wrote between our base and our version: content our unconditional write
 * put out of sight. Empty when none (or when the service keeps no versions).
 */
export async function versionsOverwritten(c: ForkCheck): Promise<string[]> {
  if (c.ours === 'null') return [];
  const versions = await keyVersions(c.client, c.bucket, c.key, c.signal);
  const at = versions.findIndex((v) => v.versionId === c.ours);
  if (at < 0) return [];
  const older = versions.slice(at + 1);
  const between: KeyVersion[] = [];
  if (c.base === undefined) {
    // A new key: only content that was current when we wrote is overwritten, not history
    // ending in a delete marker.
    const previous = older[0];
    if (previous && !previous.marker) between.push(previous);
  } else {
    const baseAt = older.findIndex((v) => v.versionId === c.base);
    between.push(...(baseAt < 0 ? older.slice(0, 1) : older.slice(0, baseAt)));
  }
  const others: string[] = [];
  for (const v of between) {
    if (!v.marker && (await isOwnRetry(c, v.versionId))) continue;
    others.push(v.versionId);
  }
  return others;
}

/** An earlier attempt of this same write (a retried request) is not someone else's. */
async function isOwnRetry(c: ForkCheck, versionId: string): Promise<boolean> {
  try {
    const head = await c.client.send(
      new HeadObjectCommand({ Bucket: c.bucket, Key: c.key, VersionId: versionId }),
    );
    const l = parseLineage(head.Metadata);
    return l?.device === c.device && l.sha256 === c.sha256;
  } catch {
    return false;
  }
}

export interface StoredCheck {
  client: S3Client;
  bucket: string;
  key: string;
  versionId: string;
  etag: string;
  /** The ETag S3 computes from what we hashed (MD5 hex, or MD5-of-part-MD5s-N), when known. */
  expectedEtag: string | undefined;
  sha256: string;
  signal?: AbortSignal;
}

/** The ETag a multipart upload of these parts gets: MD5 of the part MD5s, dash, count. */
export function multipartEtag(partMd5: string[]): string {
  const h = createHash('md5');
  for (const p of partMd5) h.update(Buffer.from(p, 'hex'));
  return `${h.digest('hex')}-${partMd5.length}`;
}

function bareEtag(etag: string): string {
  return etag.replace(/^"|"$/g, '').toLowerCase();
}

/**
 * Proves the stored version holds the bytes we hashed: by its ETag where the service gives
 * the MD5 form, else by reading it back. A mismatch removes the damaged version (ours, just
 * written) and throws CorruptUploadError, so the file is sent again.
 */
export async function verifyStored(c: StoredCheck): Promise<void> {
  const got = bareEtag(c.etag);
  const md5Like = etagMd5(c.etag) !== undefined || /^[0-9a-f]{32}-\d+$/.test(got);
  if (c.expectedEtag !== undefined && md5Like) {
    if (got === c.expectedEtag) return;
    return removeDamaged(
      c,
      `the service's ETag ${got} is not the ${c.expectedEtag} of the bytes sent`,
    );
  }
  const res = await c.client.send(
    new GetObjectCommand({ Bucket: c.bucket, Key: c.key, VersionId: c.versionId }),
    c.signal ? { abortSignal: c.signal } : {},
  );
  const sha = createHash('sha256');
  for await (const chunk of res.Body as Readable) sha.update(chunk as Buffer);
  const stored = sha.digest('hex');
  if (stored !== c.sha256)
    return removeDamaged(
      c,
      `the stored bytes hash to ${stored.slice(0, 12)}…, not ${c.sha256.slice(0, 12)}…`,
    );
}

async function removeDamaged(c: StoredCheck, detail: string): Promise<never> {
  if (c.versionId !== 'null') {
    await c.client
      .send(new DeleteObjectCommand({ Bucket: c.bucket, Key: c.key, VersionId: c.versionId }))
      .catch(() => undefined);
  }
  throw new CorruptUploadError(c.key, detail);
}

/**
 * What the app itself must prove after a write the service did not guard: the stored bytes
 * (no verified checksum) and versions others wrote in between (no conditional write).
 */
export async function afterWrite(
  r: UploadRequest,
  written: UploadedVersion,
  expectedEtag: string | undefined,
): Promise<string[] | undefined> {
  const strategy = strategyOf(r);
  const signal = r.signal ? { signal: r.signal } : {};
  if (strategy.integrity !== 'crc64nvme') {
    await verifyStored({
      client: r.client,
      bucket: r.bucket,
      key: r.key,
      versionId: written.versionId,
      etag: written.etag,
      expectedEtag,
      sha256: written.sha256,
      ...signal,
    });
  }
  if (strategy.conditional) return undefined;
  const others = await versionsOverwritten({
    client: r.client,
    bucket: r.bucket,
    key: r.key,
    base: r.bases[0],
    ours: written.versionId,
    device: r.device,
    sha256: written.sha256,
    ...signal,
  }).catch((err: unknown) => {
    // The detector's next look reads every version anyway: a missed check delays, never loses.
    r.onNote?.(
      `Could not read the versions of '${r.key}' after writing it (${(err as Error).message}); the conflict scan will look`,
    );
    return [] as string[];
  });
  return others.length > 0 ? others : undefined;
}
