// CompleteMultipartUpload: check the part list against the stored parts, join the parts into
// one blob, compute the multipart ETag and the COMPOSITE or FULL_OBJECT checksum, and commit.
import { readSmallBody } from '../body.js';
import { CHECKSUM_ALGORITHMS, checksumHeaderName, createHasher } from '../checksums.js';
import { checkWriteConditions, writeConditions } from '../conditional.js';
import { header, requireBucket, requireKey, sendXml, versionHeader, type Ctx } from '../context.js';
import { S3Error } from '../errors.js';
import { badDigest, invalidRequest, malformedXml, noSuchUpload } from '../error-catalog.js';
import type { Part, Upload } from '../store/multipart.js';
import type { ChecksumType, PartLayout, StoredChecksum } from '../store/objects.js';
import { children, parseRoot, text, type XmlNode } from '../xml-read.js';
import { combineCrcs, isCombinable } from '../crc-combine.js';
import { commitVersion } from './commit.js';
import { lower, requireUpload } from './multipart.js';
import { DEFAULT_CHECKSUM } from './object-write.js';

const MIN_PART_SIZE = 5 * 1024 * 1024;
/** Uploads being completed right now: a second Complete of the same upload is refused. */
const completing = new Set<string>();

const bare = (etag: string): string => etag.trim().replace(/^"|"$/g, '');

/** The stored parts the request lists, in order, after S3's checks. */
function chooseParts(upload: Upload, requested: XmlNode[], stored: Map<number, Part>): Part[] {
  if (requested.length === 0) throw malformedXml();
  const chosen: Part[] = [];
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
  return chosen;
}

interface Joined {
  size: number;
  etag: string;
  checksum: StoredChecksum;
  layout: PartLayout[];
}

/**
 * The object made of the parts, without copying them: its layout keeps every part's blob.
 * ETag: md5 of the part md5s, `-N`. Checksum: the upload's algorithm (CRC64NVME when it named
 * none) either over the part checksums with `-N` (COMPOSITE) or over all the bytes
 * (FULL_OBJECT), combined from the part CRCs (read from disk only if a part lacks one).
 */
async function join(ctx: Ctx, upload: Upload, parts: Part[]): Promise<Joined> {
  const algorithm = upload.checksumAlgorithm ?? DEFAULT_CHECKSUM;
  const type: ChecksumType = upload.checksumType ?? 'FULL_OBJECT';
  const n = parts.length;
  const md5s = createHasher('MD5');
  for (const p of parts) md5s.update(Buffer.from(bare(p.etag), 'hex'));
  const layout: PartLayout[] = parts.map((p) =>
    type === 'COMPOSITE' && p.checksum
      ? { size: p.size, checksum: p.checksum.value, blob: p.blob }
      : { size: p.size, blob: p.blob },
  );
  let value: string;
  if (type === 'COMPOSITE') {
    const composite = createHasher(algorithm);
    for (const p of parts)
      if (p.checksum) composite.update(Buffer.from(p.checksum.value, 'base64'));
    value = `${composite.digest().toString('base64')}-${n}`;
  } else {
    const pieces = parts.map((p) => ({
      size: p.size,
      checksum: upload.checksumAlgorithm
        ? p.checksum?.algorithm === algorithm
          ? p.checksum.value
          : undefined
        : p.crc64,
    }));
    if (isCombinable(algorithm) && pieces.every((x) => x.checksum !== undefined)) {
      value = combineCrcs(algorithm, pieces as { size: number; checksum: string }[]);
    } else {
      const full = createHasher(algorithm);
      const size = parts.reduce((sum, p) => sum + p.size, 0);
      for await (const chunk of ctx.rt.blobs.readObject(
        { blob: null, parts: layout },
        0,
        size - 1,
      )) {
        full.update(chunk as Buffer);
      }
      value = full.digest().toString('base64');
    }
  }
  return {
    size: parts.reduce((sum, p) => sum + p.size, 0),
    etag: `"${md5s.digest().toString('hex')}-${n}"`,
    checksum: { algorithm, type, value },
    layout,
  };
}

/** x-amz-checksum-<alg> and x-amz-mp-object-size of the request describe the whole object. */
function checkClaims(ctx: Ctx, joined: Joined, n: number): void {
  const { algorithm, value } = joined.checksum;
  const expected = header(ctx, checksumHeaderName(algorithm));
  if (expected !== undefined && expected !== value && `${expected}-${n}` !== value) {
    throw badDigest(algorithm);
  }
  const type = header(ctx, 'x-amz-checksum-type');
  if (type !== undefined && type.toUpperCase() !== joined.checksum.type) {
    throw invalidRequest(
      `The upload was created using the ${joined.checksum.type} checksum mode. The complete request must use the same checksum mode.`,
    );
  }
  const mpSize = header(ctx, 'x-amz-mp-object-size');
  if (mpSize !== undefined && Number(mpSize) !== joined.size) {
    throw invalidRequest(
      `The provided 'x-amz-mp-object-size' header value ${mpSize} does not match what was computed: ${joined.size}`,
    );
  }
}

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
    const stored = new Map(ctx.rt.multipart.parts(upload.uploadId).map((p) => [p.partNumber, p]));
    const parts = chooseParts(upload, children(root, 'Part'), stored);
    const joined = await join(ctx, upload, parts);
    checkClaims(ctx, joined, parts.length);
    const chosen = new Set(parts.map((p) => p.blob));
    let leftovers: string[] = [];
    const { version, bucket: b } = await commitVersion(
      ctx,
      bucket.name,
      key,
      {
        deleteMarker: false,
        lastModified: Date.now(),
        size: joined.size,
        etag: joined.etag,
        ...(upload.contentType !== undefined ? { contentType: upload.contentType } : {}),
        headers: upload.headers,
        meta: upload.meta,
        tags: upload.tags,
        storageClass: upload.storageClass,
        checksum: joined.checksum,
        parts: joined.layout,
      },
      {
        conditions,
        ticket,
        // The parts' blobs now belong to the object: the upload ends in the same transaction.
        inTransaction: () => {
          const now = new Map(
            ctx.rt.multipart.parts(upload.uploadId).map((p) => [p.partNumber, p.blob]),
          );
          if (!ctx.rt.multipart.get(upload.uploadId)) throw noSuchUpload(upload.uploadId);
          for (const p of parts) {
            if (now.get(p.partNumber) !== p.blob) {
              throw new S3Error(
                'InvalidPart',
                400,
                'A part was uploaded again while the upload was being completed.',
                {
                  UploadId: upload.uploadId,
                  PartNumber: String(p.partNumber),
                },
              );
            }
          }
          leftovers = ctx.rt.multipart.remove(upload.uploadId).filter((blob) => !chosen.has(blob));
        },
      },
    );
    for (const blob of leftovers) await ctx.rt.blobs.remove(blob);
    sendXml(
      ctx,
      200,
      'CompleteMultipartUploadResult',
      {
        Location: `http://${header(ctx, 'host') ?? ''}/${bucket.name}/${encodeURIComponent(key)}`,
        Bucket: bucket.name,
        Key: key,
        ETag: version.etag,
        [`Checksum${joined.checksum.algorithm}`]: joined.checksum.value,
        ChecksumType: joined.checksum.type,
      },
      { 'x-amz-version-id': versionHeader(b, version.versionId) },
    );
  } finally {
    completing.delete(upload.uploadId);
    if (ticket) ctx.rt.writes.end(ticket);
  }
}
