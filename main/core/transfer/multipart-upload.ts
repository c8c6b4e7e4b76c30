// The multipart path of the uploader: parts of an adapted size sent in parallel (bounded),
// each with its precomputed CRC64NVME; resumable from a persisted upload id whose parts are
// confirmed with ListParts; completed with If-Match / If-None-Match and the full-object
// CRC64NVME, so S3 verifies the assembled object too.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { digestFile, sameStamp, type FileDigest, type FileStamp } from './content-hash.js';
import { buildLineage } from './lineage.js';
import { classifyS3Error } from './s3-errors.js';
import {
  conditionHeaders,
  conflictReason,
  contextOf,
  CorruptUploadError,
  etagMd5,
  strategyOf,
  DEFAULT_PART_CONCURRENCY,
  fail,
  fileStillIs,
  findOwnWrite,
  stampOrGone,
  type DonePart,
  type UploadRequest,
  type UploadResult,
} from './upload-common.js';
import { isTransient, sendRange, type RangeOutcome } from './upload-body.js';
import { afterWrite, multipartEtag } from './write-check.js';

interface PlannedPart {
  partNumber: number;
  start: number;
  length: number;
  checksum: string;
  /** Hex MD5: the part's ETag, checked where the service verifies no checksum. */
  md5: string;
}

function planParts(
  size: number,
  partSize: number,
  checksums: string[],
  md5s: string[],
): PlannedPart[] {
  const parts: PlannedPart[] = [];
  for (let i = 0; i * partSize < size; i++) {
    const start = i * partSize;
    parts.push({
      partNumber: i + 1,
      start,
      length: Math.min(partSize, size - start),
      checksum: checksums[i] ?? '',
      md5: md5s[i] ?? '',
    });
  }
  return parts;
}

/** The service verifies CRC64NVME: parts and the whole object carry it. */
function crc(r: UploadRequest): boolean {
  return strategyOf(r).integrity === 'crc64nvme';
}

function partIntegrity(r: UploadRequest, p: PlannedPart) {
  switch (strategyOf(r).integrity) {
    case 'crc64nvme':
      return { ChecksumAlgorithm: 'CRC64NVME' as const, ChecksumCRC64NVME: p.checksum };
    case 'content-md5':
      return { ContentMD5: Buffer.from(p.md5, 'hex').toString('base64') };
    case 'self':
      return {};
  }
}

async function abortUpload(r: UploadRequest, uploadId: string): Promise<void> {
  try {
    await r.client.send(
      new AbortMultipartUploadCommand({ Bucket: r.bucket, Key: r.key, UploadId: uploadId }),
    );
  } catch {
    // Best effort: an unfinished upload left behind only costs storage until the lifecycle rule.
  }
}

/** Parts S3 holds for the upload, or undefined when the upload is gone. */
async function listServerParts(
  r: UploadRequest,
  uploadId: string,
): Promise<Map<number, DonePart> | undefined> {
  const found = new Map<number, DonePart>();
  let marker: string | undefined;
  for (;;) {
    try {
      const page = await r.client.send(
        new ListPartsCommand({
          Bucket: r.bucket,
          Key: r.key,
          UploadId: uploadId,
          ...(marker !== undefined ? { PartNumberMarker: marker } : {}),
        }),
        r.signal ? { abortSignal: r.signal } : {},
      );
      for (const p of page.Parts ?? []) {
        if (p.PartNumber === undefined || p.ETag === undefined) continue;
        found.set(p.PartNumber, {
          partNumber: p.PartNumber,
          etag: p.ETag,
          checksum: p.ChecksumCRC64NVME ?? '',
          size: p.Size ?? -1,
        });
      }
      if (!page.IsTruncated || page.NextPartNumberMarker === undefined) return found;
      marker = page.NextPartNumberMarker;
    } catch (err) {
      if (classifyS3Error(err).code === 'NoSuchUpload') return undefined;
      fail(err, r);
    }
  }
}

/** Reuses a persisted upload when it was made for exactly this content, else starts anew. */
async function openUpload(
  r: UploadRequest,
  fingerprint: string,
  metadata: Record<string, string>,
  plan: PlannedPart[],
): Promise<{ uploadId: string; done: Map<number, DonePart> }> {
  if (r.resume !== undefined) {
    if (r.resume.fingerprint === fingerprint) {
      const server = await listServerParts(r, r.resume.uploadId);
      if (server !== undefined) {
        const done = new Map<number, DonePart>();
        // S3's list is the truth: it also knows parts finished just before a crash.
        for (const p of plan) {
          const s = server.get(p.partNumber);
          if (s && s.size === p.length && s.checksum === p.checksum) done.set(p.partNumber, s);
        }
        return { uploadId: r.resume.uploadId, done };
      }
    } else {
      await abortUpload(r, r.resume.uploadId);
    }
  }
  let uploadId: string | undefined;
  try {
    const out = await r.client.send(
      new CreateMultipartUploadCommand({
        Bucket: r.bucket,
        Key: r.key,
        Metadata: metadata,
        ...(crc(r)
          ? { ChecksumAlgorithm: 'CRC64NVME' as const, ChecksumType: 'FULL_OBJECT' as const }
          : {}),
        ...(r.contentType !== undefined ? { ContentType: r.contentType } : {}),
      }),
      r.signal ? { abortSignal: r.signal } : {},
    );
    uploadId = out.UploadId;
  } catch (err) {
    fail(err, r);
  }
  if (uploadId === undefined) fail(new Error('CreateMultipartUpload returned no UploadId'), r);
  await r.onMultipartStarted?.({ uploadId, fingerprint });
  return { uploadId, done: new Map() };
}

type PartFailure = Extract<RangeOutcome<unknown>, { ok: false }>;

/** Sends the missing parts with bounded parallelism; the first failure stops the others. */
async function sendParts(
  r: UploadRequest,
  uploadId: string,
  todo: PlannedPart[],
  done: Map<number, DonePart>,
  total: number,
): Promise<PartFailure | undefined> {
  const group = new AbortController();
  const signal = r.signal ? AbortSignal.any([r.signal, group.signal]) : group.signal;
  let failure: PartFailure | undefined;
  let sent = [...done.values()].reduce((n, p) => n + p.size, 0);
  r.onProgress?.(sent, total);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (failure === undefined && !signal.aborted && next < todo.length) {
      const p = todo[next++] as PlannedPart;
      const out = await sendRange({
        filePath: r.filePath,
        start: p.start,
        length: p.length,
        signal,
        maxAttempts: r.maxAttempts ?? 3,
        onBytes: (d) => {
          sent += d;
          r.onProgress?.(sent, total);
        },
        retryable: (e) => isTransient(e) && classifyS3Error(e).code !== 'BadDigest',
        send: (body, abortSignal) =>
          r.client.send(
            new UploadPartCommand({
              Bucket: r.bucket,
              Key: r.key,
              UploadId: uploadId,
              PartNumber: p.partNumber,
              Body: body,
              ContentLength: p.length,
              ...partIntegrity(r, p),
            }),
            { abortSignal },
          ),
      });
      if (!out.ok) {
        failure ??= out;
        group.abort();
        return;
      }
      const part: DonePart = {
        partNumber: p.partNumber,
        etag: out.value.ETag ?? '',
        checksum: out.value.ChecksumCRC64NVME ?? p.checksum,
        size: p.length,
      };
      // No verified checksum: the part's ETag must be the MD5 of what was sent.
      const etag = etagMd5(part.etag);
      if (!crc(r) && etag !== undefined && etag !== p.md5) {
        failure ??= {
          ok: false,
          error: new CorruptUploadError(
            r.key,
            `part ${p.partNumber}'s ETag is not the MD5 of the bytes sent`,
          ),
          attempts: 1,
          fileChanged: false,
        };
        group.abort();
        return;
      }
      done.set(p.partNumber, part);
      try {
        await r.onPartDone?.(part);
      } catch (error) {
        failure ??= { ok: false, error, attempts: 1, fileChanged: false };
        group.abort();
      }
    }
  };
  const workers = Math.max(1, Math.min(r.partConcurrency ?? DEFAULT_PART_CONCURRENCY, todo.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return failure;
}

async function complete(
  r: UploadRequest,
  uploadId: string,
  done: Map<number, DonePart>,
  digest: FileDigest,
): Promise<UploadResult> {
  const parts = [...done.values()].sort((a, b) => a.partNumber - b.partNumber);
  try {
    const out = await r.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: r.bucket,
        Key: r.key,
        UploadId: uploadId,
        MultipartUpload: {
          Parts: parts.map((p) => ({
            PartNumber: p.partNumber,
            ETag: p.etag,
            ...(crc(r) ? { ChecksumCRC64NVME: p.checksum } : {}),
          })),
        },
        ...(crc(r)
          ? {
              ChecksumCRC64NVME: digest.crc64,
              ChecksumType: 'FULL_OBJECT' as const,
              MpuObjectSize: digest.size,
            }
          : {}),
        ...conditionHeaders(r.condition, strategyOf(r)),
      }),
      r.signal ? { abortSignal: r.signal } : {},
    );
    const written = {
      versionId: out.VersionId ?? 'null',
      etag: out.ETag ?? '',
      sha256: digest.sha256,
      size: digest.size,
    };
    const forkedWith = await afterWrite(r, written, multipartEtag(digest.partMd5)).catch(
      (e: unknown) => fail(e, r),
    );
    return { kind: 'uploaded', ...written, ...(forkedWith ? { forkedWith } : {}) };
  } catch (err) {
    if (err instanceof CorruptUploadError) throw err;
    const c = classifyS3Error(err, contextOf(r));
    const reason = conflictReason(err, r);
    // An earlier Complete may have landed (a retry, or a crash before the index was written):
    // 412 or NoSuchUpload afterwards, with our own lineage as the current version.
    if (reason !== undefined || c.code === 'NoSuchUpload') {
      const own = await findOwnWrite(r, digest.sha256, digest.size);
      if (own) return { kind: 'uploaded', ...own };
    }
    if (reason !== undefined) {
      await abortUpload(r, uploadId);
      return { kind: 'conflict', reason };
    }
    if (c.code === 'BadDigest') {
      await abortUpload(r, uploadId);
      return { kind: 'changed-during-upload' };
    }
    throw c;
  }
}

export async function uploadMultipart(
  r: UploadRequest,
  stamp: FileStamp,
  partSize: number,
): Promise<UploadResult> {
  const opts = { partSize, ...(r.signal ? { signal: r.signal } : {}) };
  const digest = await digestFile(r.filePath, opts).catch((e) => fail(e, r));
  const after = await stampOrGone(r.filePath);
  if (digest.size !== stamp.size || after === undefined || !sameStamp(stamp, after)) {
    return { kind: 'changed-during-upload' };
  }
  if (!strategyOf(r).conditional) {
    const own = await findOwnWrite(r, digest.sha256, digest.size);
    if (own) return { kind: 'uploaded', ...own };
  }
  const metadata = buildLineage({ device: r.device, bases: r.bases, sha256: digest.sha256 });
  const plan = planParts(digest.size, partSize, digest.partCrc64, digest.partMd5);
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([metadata, partSize, digest.size, r.contentType ?? '', digest.crc64]))
    .digest('hex');
  const { uploadId, done } = await openUpload(r, fingerprint, metadata, plan);
  const todo = plan.filter((p) => !done.has(p.partNumber));
  const failure = await sendParts(r, uploadId, todo, done, digest.size);
  if (failure !== undefined) {
    // On cancel the upload id stays valid: the caller keeps it to resume.
    if (r.signal?.aborted) fail(failure.error, r);
    if (failure.fileChanged || classifyS3Error(failure.error).code === 'BadDigest') {
      await abortUpload(r, uploadId);
      return { kind: 'changed-during-upload' };
    }
    // A damaged part: the next attempt starts a clean upload.
    if (failure.error instanceof CorruptUploadError) await abortUpload(r, uploadId);
    fail(failure.error, r);
  }
  // Checked before Complete, so a file that changed meanwhile leaves no version behind.
  if (!(await fileStillIs(r.filePath, stamp, digest.sha256))) {
    await abortUpload(r, uploadId);
    return { kind: 'changed-during-upload' };
  }
  return complete(r, uploadId, done, digest);
}
