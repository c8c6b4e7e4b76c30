// What a scenario reads from its bucket, straight from the server: one key's versions and
// delete markers (newest first, as listed), and one version's bytes and user metadata.
import { GetObjectCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';

export interface BucketVersion {
  versionId: string;
  latest: boolean;
  marker: boolean;
}

export async function listKeyVersions(
  client: S3Client,
  bucket: string,
  key: string,
): Promise<BucketVersion[]> {
  const out: BucketVersion[] = [];
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  do {
    // No Prefix: moto 5 refuses the signature of one containing '/'; a case's bucket is small.
    const page = await client.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        ...(keyMarker ? { KeyMarker: keyMarker } : {}),
        ...(versionMarker ? { VersionIdMarker: versionMarker } : {}),
      }),
    );
    for (const v of page.Versions ?? [])
      if (v.Key === key)
        out.push({ versionId: v.VersionId ?? 'null', latest: v.IsLatest === true, marker: false });
    for (const m of page.DeleteMarkers ?? [])
      if (m.Key === key)
        out.push({ versionId: m.VersionId ?? 'null', latest: m.IsLatest === true, marker: true });
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker);
  return out;
}

export async function readVersion(
  client: S3Client,
  bucket: string,
  key: string,
  versionId?: string,
): Promise<{ bytes: Buffer; meta: Record<string, string> }> {
  const out = await client.send(
    new GetObjectCommand({
      Bucket: bucket,
      Key: key,
      ...(versionId ? { VersionId: versionId } : {}),
    }),
  );
  const bytes = Buffer.from(
    await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
  );
  return { bytes, meta: out.Metadata ?? {} };
}
