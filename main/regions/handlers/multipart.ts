// Multipart uploads: Create, UploadPart, UploadPartCopy, ListParts, Complete, Abort.
import { checksumClaim, readSmallBody, receiveBody, MAX_PUT_SIZE } from '../body.js';
import {
  CHECKSUM_ALGORITHMS,
  checksumHeaderName,
  createHasher,
  type ChecksumAlgorithm,
} from '../checksums.js';
import { checkWriteConditions, writeConditions } from '../conditional.js';
import {
  header,
  requireBucket,
  requireKey,
  sendEmpty,
  sendXml,
  versionHeader,
  type Ctx,
} from '../context.js';
import { S3Error } from '../errors.js';
import {
  badDigest,
  invalidArgument,
  invalidRequest,
  malformedXml,
  noSuchUpload,
} from '../error-catalog.js';
import { newUploadId, OWNER } from '../ids.js';
import type { Upload } from '../store/multipart.js';
import type { ChecksumType, PartLayout, StoredChecksum } from '../store/objects.js';
import { parseTaggingHeader } from '../tags.js';
import { children, parseRoot, text } from '../xml-read.js';
import { commitVersion } from './commit.js';
import { metadataFromRequest, storageClassFromRequest } from './object-meta.js';
import { DEFAULT_CHECKSUM, resolveCopySource } from './object-write.js';

const MIN_PART_SIZE = 5 * 1024 * 1024;
const owner = (): Record<string, string> => ({ ID: OWNER.ID, DisplayName: OWNER.DisplayName });
const completing = new Set<string>();

function lower(alg: string): string {
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

function requireUpload(ctx: Ctx): Upload {
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
  const body = await receiveBody(ctx, {
    compute: upload.checksumAlgorithm ? [upload.checksumAlgorithm] : [],
    requireLength: true,
  });
  const alg = upload.checksumAlgorithm ?? body.claimed?.algorithm;
  const checksum = alg ? { algorithm: alg, value: body.checksums[alg] as string } : undefined;
  const { etag } = await storePart(ctx, upload, n, body.tmp, body.size, body.md5Hex, checksum);
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
  const sum = upload.checksumAlgorithm ? createHasher(upload.checksumAlgorithm) : undefined;
  const tmp = await ctx.rt.blobs.copyRange(src.version.blob ?? '', start, end, (chunk) => {
    md5.update(chunk);
    sum?.update(chunk);
  });
  const checksum =
    upload.checksumAlgorithm && sum
      ? { algorithm: upload.checksumAlgorithm, value: sum.digest().toString('base64') }
      : undefined;
  const { etag, lastModified } = await storePart(
    ctx,
    upload,
    n,
    tmp.tmp,
    tmp.size,
    md5.digest().toString('hex'),
    checksum,
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

const bare = (etag: string): string => etag.trim().replace(/^"|"$/g, '');

export async function completeMultipartUpload(ctx: Ctx): Promise<void> {
  const bucket = requireBucket(ctx);
  const key = requireKey(ctx);
  const upload = requireUpload(ctx);
  const conditions = writeConditions(ctx.req.headers);
  if (completing.has(upload.uploadId)) throw noSuchUpload(upload.uploadId);
  completing.add(upload.uploadId);
  const ticket = conditions ? ctx.rt.writes.begin(bucket.name, key) : undefined;
  try {
    // The x-amz-checksum-* headers of this request describe the whole object, not the body.
    const body = await readSmallBody(ctx, 4 * 1024 * 1024, { bodyChecksums: false });
    const root = parseRoot(body, 'CompleteMultipartUpload');
    if (conditions) checkWriteConditions(conditions, key, ctx.rt.objects.current(bucket.name, key));
    const requested = children(root, 'Part');
    if (requested.length === 0) throw malformedXml();
    const stored = new Map(ctx.rt.multipart.parts(upload.uploadId).map((p) => [p.partNumber, p]));
    const chosen = [];
    let previous = 0;
    for (const r of requested) {
      const n = Number(text(r, 'PartNumber'));
      const etag = text(r, 'ETag') ?? '';
      if (!Number.isInteger(n)) throw malformedXml();
      if (n <= previous) {
        throw new S3Error(
          'InvalidPartOrder',
          400,
          'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
          { UploadId: upload.uploadId },
        );
      }
      previous = n;
      const part = stored.get(n);
      const invalidPart = (): S3Error =>
        new S3Error(
          'InvalidPart',
          400,
          "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
          { UploadId: upload.uploadId, PartNumber: String(n), ETag: etag },
        );
      if (!part || bare(part.etag) !== bare(etag)) throw invalidPart();
      for (const alg of CHECKSUM_ALGORITHMS) {
        const given = text(r, `Checksum${alg}`);
        if (given === undefined) continue;
        if (upload.checksumAlgorithm && alg !== upload.checksumAlgorithm) {
          throw invalidRequest(
            `Checksum Type mismatch occurred, expected checksum Type: ${lower(upload.checksumAlgorithm)}, actual checksum Type: ${lower(alg)}`,
          );
        }
        if (part.checksum?.algorithm === alg && part.checksum.value !== given) throw invalidPart();
      }
      chosen.push(part);
    }
    chosen.forEach((p, i) => {
      if (i < chosen.length - 1 && p.size < MIN_PART_SIZE) {
        throw new S3Error(
          'EntityTooSmall',
          400,
          'Your proposed upload is smaller than the minimum allowed object size.',
          {
            ProposedSize: String(p.size),
            MinSizeAllowed: String(MIN_PART_SIZE),
            PartNumber: String(p.partNumber),
            ETag: p.etag,
          },
        );
      }
    });
    const algorithm = upload.checksumAlgorithm ?? DEFAULT_CHECKSUM;
    const type: ChecksumType = upload.checksumType ?? 'FULL_OBJECT';
    const full = type === 'FULL_OBJECT' ? createHasher(algorithm) : undefined;
    const tmp = await ctx.rt.blobs.concat(
      chosen.map((p) => p.blob),
      (chunk) => full?.update(chunk),
    );
    const md5s = createHasher('MD5');
    const composite = createHasher(algorithm);
    for (const p of chosen) {
      md5s.update(Buffer.from(bare(p.etag), 'hex'));
      if (p.checksum) composite.update(Buffer.from(p.checksum.value, 'base64'));
    }
    const checksum: StoredChecksum = {
      algorithm,
      type,
      value: full
        ? full.digest().toString('base64')
        : `${composite.digest().toString('base64')}-${chosen.length}`,
    };
    const expected = header(ctx, checksumHeaderName(algorithm));
    if (
      expected !== undefined &&
      expected !== checksum.value &&
      `${expected}-${chosen.length}` !== checksum.value
    ) {
      await ctx.rt.blobs.discard(tmp.tmp);
      throw badDigest(algorithm);
    }
    const mpSize = header(ctx, 'x-amz-mp-object-size');
    if (mpSize !== undefined && Number(mpSize) !== tmp.size) {
      await ctx.rt.blobs.discard(tmp.tmp);
      throw invalidRequest(
        `The provided 'x-amz-mp-object-size' header value ${mpSize} does not match what was computed: ${tmp.size}`,
      );
    }
    const layout: PartLayout[] = chosen.map((p) =>
      p.checksum && type === 'COMPOSITE'
        ? { size: p.size, checksum: p.checksum.value }
        : { size: p.size },
    );
    const { version, bucket: b } = await commitVersion(
      ctx,
      bucket.name,
      key,
      {
        deleteMarker: false,
        lastModified: Date.now(),
        size: tmp.size,
        etag: `"${md5s.digest().toString('hex')}-${chosen.length}"`,
        ...(upload.contentType !== undefined ? { contentType: upload.contentType } : {}),
        headers: upload.headers,
        meta: upload.meta,
        tags: upload.tags,
        storageClass: upload.storageClass,
        checksum,
        parts: layout,
      },
      { tmp: tmp.tmp, conditions, ticket },
    );
    for (const blob of ctx.rt.multipart.remove(upload.uploadId)) await ctx.rt.blobs.remove(blob);
    sendXml(
      ctx,
      200,
      'CompleteMultipartUploadResult',
      {
        Location: `http://${header(ctx, 'host') ?? ''}/${bucket.name}/${encodeURIComponent(key)}`,
        Bucket: bucket.name,
        Key: key,
        ETag: version.etag,
        [`Checksum${algorithm}`]: checksum.value,
        ChecksumType: checksum.type,
      },
      { 'x-amz-version-id': versionHeader(b, version.versionId) },
    );
  } finally {
    completing.delete(upload.uploadId);
    if (ticket) ctx.rt.writes.end(ticket);
  }
}

export async function abortMultipartUpload(ctx: Ctx): Promise<void> {
  requireBucket(ctx);
  const upload = requireUpload(ctx);
  for (const blob of ctx.rt.multipart.remove(upload.uploadId)) await ctx.rt.blobs.remove(blob);
  sendEmpty(ctx, 204);
}
