// Multipart uploads: Create, UploadPart, UploadPartCopy, ListParts, Abort (Complete is in
// multipart-complete.ts).
import { checksumClaim, receiveBody, MAX_PUT_SIZE } from '../body.js';
import {
  CHECKSUM_ALGORITHMS,
  checksumHeaderName,
  createHasher,
  type ChecksumAlgorithm,
} from '../checksums.js';
import {
  header,
  requireBucket,
  requireKey,
  sendEmpty,
  sendXml,
  versionHeader,
  type Ctx,
} from '../context.js';
import { invalidArgument, invalidRequest, noSuchUpload } from '../error-catalog.js';
import { newUploadId, OWNER } from '../ids.js';
import type { Upload } from '../store/multipart.js';
import type { ChecksumType } from '../store/objects.js';
import { parseTaggingHeader } from '../tags.js';
import { metadataFromRequest, storageClassFromRequest } from './object-meta.js';
import { DEFAULT_CHECKSUM, resolveCopySource } from './object-write.js';

const owner = (): Record<string, string> => ({ ID: OWNER.ID, DisplayName: OWNER.DisplayName });

export function lower(alg: string): string {
  return alg.toLowerCase();
}

export function createMultipartUpload(ctx: Ctx): void {
  const bucket = requireBucket(ctx);
  const key = requireKey(ctx);
  const meta = metadataFromRequest(ctx);
  const algRaw = header(ctx, 'x-amz-checksum-algorithm');
  let algorithm: ChecksumAlgorithm | undefined;
  if (algRaw !== undefined) {
    algorithm = algRaw.toUpperCase() as ChecksumAlgorithm;
    if (!CHECKSUM_ALGORITHMS.includes(algorithm)) {
      throw invalidRequest(
        'Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]',
      );
    }
  }
  const typeRaw = header(ctx, 'x-amz-checksum-type');
  let type: ChecksumType | undefined;
  if (typeRaw !== undefined) {
    if (typeRaw !== 'FULL_OBJECT' && typeRaw !== 'COMPOSITE')
      throw invalidRequest('Invalid x-amz-checksum-type value.');
    if (!algorithm)
      throw invalidRequest(
        'The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.',
      );
    type = typeRaw;
  }
  if (algorithm) {
    type ??= algorithm === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE';
    const fullOnly = algorithm === 'CRC64NVME';
    const compositeOnly = algorithm === 'SHA1' || algorithm === 'SHA256';
    if ((fullOnly && type === 'COMPOSITE') || (compositeOnly && type === 'FULL_OBJECT')) {
      throw invalidRequest(
        `The ${type} checksum type cannot be used with the ${lower(algorithm)} checksum algorithm.`,
      );
    }
  }
  const upload: Upload = {
    uploadId: newUploadId(),
    bucket: bucket.name,
    key,
    initiated: Date.now(),
    ...meta,
    tags: parseTaggingHeader(header(ctx, 'x-amz-tagging')),
    storageClass: storageClassFromRequest(ctx),
  };
  if (algorithm) upload.checksumAlgorithm = algorithm;
  if (type) upload.checksumType = type;
  ctx.rt.multipart.create(upload);
  sendXml(
    ctx,
    200,
    'InitiateMultipartUploadResult',
    { Bucket: bucket.name, Key: key, UploadId: upload.uploadId },
    { 'x-amz-checksum-algorithm': algorithm, 'x-amz-checksum-type': type },
  );
}

export function requireUpload(ctx: Ctx): Upload {
  const id = ctx.query.get('uploadId') ?? '';
  const u = ctx.rt.multipart.get(id);
  if (!u || u.bucket !== ctx.bucket || u.key !== ctx.key) throw noSuchUpload(id);
  return u;
}

function partNumber(ctx: Ctx): number {
  const raw = ctx.query.get('partNumber') ?? '';
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 10000) {
    throw invalidArgument(
      'Part number must be an integer between 1 and 10000, inclusive',
      'partNumber',
      raw,
    );
  }
  return Number(raw);
}

async function storePart(
  ctx: Ctx,
  upload: Upload,
  n: number,
  tmp: string,
  size: number,
  md5Hex: string,
  checksum: { algorithm: ChecksumAlgorithm; value: string } | undefined,
  crc64: string | undefined,
): Promise<{ etag: string; lastModified: number }> {
  const blob = await ctx.rt.blobs.commit(tmp);
  const etag = `"${md5Hex}"`;
  const lastModified = Date.now();
  const part = {
    uploadId: upload.uploadId,
    partNumber: n,
    size,
    etag,
    lastModified,
    blob,
    checksum,
    crc64,
  };
  const replaced = ctx.rt.multipart.putPart(part);
  if (replaced === undefined) {
    await ctx.rt.blobs.remove(blob);
    throw noSuchUpload(upload.uploadId);
  }
  await ctx.rt.blobs.remove(replaced);
  return { etag, lastModified };
}

export async function uploadPart(ctx: Ctx): Promise<void> {
  requireBucket(ctx);
  const n = partNumber(ctx);
  const upload = requireUpload(ctx);
  const claim = checksumClaim(ctx);
  if (claim && upload.checksumAlgorithm && claim.algorithm !== upload.checksumAlgorithm) {
    throw invalidRequest(
      `Checksum Type mismatch occurred, expected checksum Type: ${lower(upload.checksumAlgorithm)}, actual checksum Type: ${lower(claim.algorithm)}`,
    );
  }
  // Without an upload algorithm, the part's CRC64NVME is kept for the object's default checksum.
  const body = await receiveBody(ctx, {
    compute: [upload.checksumAlgorithm ?? DEFAULT_CHECKSUM],
    requireLength: true,
  });
  const alg = upload.checksumAlgorithm ?? body.claimed?.algorithm;
  const checksum = alg ? { algorithm: alg, value: body.checksums[alg] as string } : undefined;
  const crc64 = upload.checksumAlgorithm ? undefined : body.checksums[DEFAULT_CHECKSUM];
  const { etag } = await storePart(
    ctx,
    upload,
    n,
    body.tmp,
    body.size,
    body.md5Hex,
    checksum,
    crc64,
  );
  sendEmpty(ctx, 200, {
    ETag: etag,
    ...(checksum ? { [checksumHeaderName(checksum.algorithm)]: checksum.value } : {}),
  });
}

export async function uploadPartCopy(ctx: Ctx): Promise<void> {
  requireBucket(ctx);
  const n = partNumber(ctx);
  const upload = requireUpload(ctx);
  const src = resolveCopySource(ctx);
  const size = src.version.size;
  let start = 0;
  let end = size - 1;
  const range = header(ctx, 'x-amz-copy-source-range');
  if (range !== undefined) {
    const m = /^bytes=(\d+)-(\d+)$/.exec(range.trim());
    if (!m || Number(m[1]) > Number(m[2]) || Number(m[2]) >= size) {
      throw invalidArgument(
        `Range specified is not valid for source object of size: ${size}`,
        'x-amz-copy-source-range',
        range,
      );
    }
    start = Number(m[1]);
    end = Number(m[2]);
  }
  if (end - start + 1 > MAX_PUT_SIZE)
    throw invalidRequest('The specified copy range is too large.');
  const md5 = createHasher('MD5');
  const sum = createHasher(upload.checksumAlgorithm ?? DEFAULT_CHECKSUM);
  const tmp = await ctx.rt.blobs.receive(
    ctx.rt.blobs.readObject(src.version, start, end),
    (chunk) => {
      md5.update(chunk);
      sum.update(chunk);
    },
  );
  const digest = sum.digest().toString('base64');
  const checksum = upload.checksumAlgorithm
    ? { algorithm: upload.checksumAlgorithm, value: digest }
    : undefined;
  const { etag, lastModified } = await storePart(
    ctx,
    upload,
    n,
    tmp.tmp,
    tmp.size,
    md5.digest().toString('hex'),
    checksum,
    upload.checksumAlgorithm ? undefined : digest,
  );
  sendXml(
    ctx,
    200,
    'CopyPartResult',
    {
      ETag: etag,
      LastModified: new Date(lastModified),
      ...(checksum ? { [`Checksum${checksum.algorithm}`]: checksum.value } : {}),
    },
    { 'x-amz-copy-source-version-id': versionHeader(src.bucket, src.version.versionId) },
  );
}

export function listParts(ctx: Ctx): void {
  const bucket = requireBucket(ctx);
  const upload = requireUpload(ctx);
  const q = ctx.query;
  const marker = Number(q.get('part-number-marker') ?? '0');
  const maxRaw = q.get('max-parts');
  const max = maxRaw === null ? 1000 : Math.min(Number(maxRaw), 1000);
  if (!Number.isInteger(marker) || marker < 0)
    throw invalidArgument(
      'Invalid part number marker',
      'part-number-marker',
      String(q.get('part-number-marker')),
    );
  if (!Number.isInteger(max) || max < 0)
    throw invalidArgument('Invalid max-parts', 'max-parts', String(maxRaw));
  const { parts, truncated } = ctx.rt.multipart.listParts(upload.uploadId, marker, max);
  sendXml(ctx, 200, 'ListPartsResult', {
    Bucket: bucket.name,
    Key: upload.key,
    UploadId: upload.uploadId,
    PartNumberMarker: marker,
    NextPartNumberMarker: parts.length > 0 ? parts[parts.length - 1]?.partNumber : undefined,
    MaxParts: max,
    IsTruncated: truncated,
    Part: parts.map((p) => ({
      PartNumber: p.partNumber,
      LastModified: new Date(p.lastModified),
      ETag: p.etag,
      Size: p.size,
      ...(p.checksum ? { [`Checksum${p.checksum.algorithm}`]: p.checksum.value } : {}),
    })),
    Initiator: owner(),
    Owner: owner(),
    StorageClass: upload.storageClass,
    ChecksumAlgorithm: upload.checksumAlgorithm,
    ChecksumType: upload.checksumType,
  });
}

export async function abortMultipartUpload(ctx: Ctx): Promise<void> {
  requireBucket(ctx);
  const upload = requireUpload(ctx);
  for (const blob of ctx.rt.multipart.remove(upload.uploadId)) await ctx.rt.blobs.remove(blob);
  sendEmpty(ctx, 204);
}
