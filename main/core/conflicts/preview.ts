// What the Conflicts view shows of one side, and the versions browser: every version of a
// key across the buckets of its group, with its lineage.
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ConflictPreview, VersionEntry } from '../../contract/index.js';
import { parseLineage } from '../transfer/lineage.js';
import { limitConcurrency } from '../watch/scanner.js';

const TEXT_LIMIT = 256 * 1024;
const IMAGE_LIMIT = 4 * 1024 * 1024;
const IMAGE_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
};

/** Text when the bytes decode as UTF-8 without NULs; images by extension; else metadata. */
export function previewOf(
  relPath: string,
  bytes: Buffer,
  size: number,
  sha256: string | null,
): ConflictPreview {
  const mime = IMAGE_TYPES[path.extname(relPath).toLowerCase()];
  if (mime && size <= IMAGE_LIMIT)
    return { kind: 'image', mime, dataBase64: bytes.toString('base64') };
  if (!mime && !bytes.includes(0)) {
    try {
      const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, TEXT_LIMIT));
      return { kind: 'text', text, truncated: size > TEXT_LIMIT };
    } catch {
      // Not UTF-8 (or cut inside a character at the limit): shown as binary.
    }
  }
  return { kind: 'binary', size, sha256 };
}

export async function previewLocal(absPath: string, relPath: string): Promise<ConflictPreview> {
  const st = await fs.stat(absPath);
  const limit = IMAGE_TYPES[path.extname(relPath).toLowerCase()] ? IMAGE_LIMIT : TEXT_LIMIT;
  const fh = await fs.open(absPath, 'r');
  try {
    const buf = Buffer.alloc(Math.min(st.size, limit));
    await fh.read(buf, 0, buf.length, 0);
    return previewOf(relPath, buf, st.size, null);
  } finally {
    await fh.close();
  }
}

export async function previewVersion(
  client: S3Client,
  bucket: string,
  key: string,
  versionId: string,
): Promise<ConflictPreview> {
  const limit = IMAGE_TYPES[path.extname(key).toLowerCase()] ? IMAGE_LIMIT : TEXT_LIMIT;
  const out = await client.send(
    new GetObjectCommand({
      Bucket: bucket,
      Key: key,
      VersionId: versionId,
      Range: `bytes=0-${limit - 1}`,
    }),
  );
  const bytes = Buffer.from((await out.Body?.transformToByteArray()) ?? new Uint8Array());
  const total = Number(
    /\/(\d+)$/.exec(out.ContentRange ?? '')?.[1] ?? out.ContentLength ?? bytes.length,
  );
  return previewOf(key, bytes, total, parseLineage(out.Metadata)?.sha256 ?? null);
}

/** Every version of `key` in each bucket, newest first, with lineage (HEAD per version). */
export async function listVersions(
  buckets: { bucket: string; region: string; client: S3Client }[],
  key: string,
  deviceName: (device: string) => string | null,
  limit = 200,
): Promise<VersionEntry[]> {
  const heads = limitConcurrency(8);
  const out: VersionEntry[] = [];
  for (const b of buckets) {
    const page = await b.client.send(
      new ListObjectVersionsCommand({ Bucket: b.bucket, Prefix: key, MaxKeys: limit }),
    );
    const entries = [
      ...(page.Versions ?? []).map((v) => ({ v, marker: false })),
      ...(page.DeleteMarkers ?? []).map((v) => ({ v, marker: true })),
    ].filter((e) => e.v.Key === key);
    out.push(
      ...(await Promise.all(
        entries.map(({ v, marker }) =>
          heads(async () => {
            const versionId = v.VersionId ?? 'null';
            const meta = marker
              ? undefined
              : await b.client
                  .send(new HeadObjectCommand({ Bucket: b.bucket, Key: key, VersionId: versionId }))
                  .then((h) => h.Metadata)
                  .catch(() => undefined);
            const lineage = parseLineage(meta);
            const size = marker ? 0 : Number((v as { Size?: number }).Size ?? 0);
            return {
              versionId,
              region: b.region,
              bucket: b.bucket,
              size,
              lastModified: (v.LastModified ?? new Date(0)).toISOString(),
              isLatest: v.IsLatest ?? false,
              deleteMarker: marker,
              device: lineage?.device ?? null,
              deviceName: lineage ? deviceName(lineage.device) : null,
              bases: lineage?.bases ?? [],
            } satisfies VersionEntry;
          }),
        ),
      )),
    );
  }
  return out.sort((a, b) =>
    a.lastModified < b.lastModified ? 1 : a.lastModified > b.lastModified ? -1 : 0,
  );
}
