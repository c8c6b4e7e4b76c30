// Request bodies: decode aws-chunked payloads, hash while writing to disk, and verify every
// integrity claim the client made (x-amz-content-sha256, Content-MD5, x-amz-checksum-* as a
// header or trailer, decoded length) before anything becomes visible.
import { PassThrough, type Transform } from 'node:stream';
import { createChunkedDecoder } from './auth/chunked.js';
import {
  algorithmFromHeaderName,
  CHECKSUM_ALGORITHMS,
  checksumHeaderName,
  createHasher,
  type ChecksumAlgorithm,
  type Hasher,
} from './checksums.js';
import { header, type Ctx } from './context.js';
import { S3Error } from './errors.js';
import {
  badDigest,
  entityTooLarge,
  incompleteBody,
  invalidChecksum,
  invalidDigest,
  invalidRequest,
} from './error-catalog.js';

export const MAX_PUT_SIZE = 5 * 1024 ** 3;

const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = {
  CRC32: 4,
  CRC32C: 4,
  SHA1: 20,
  SHA256: 32,
  CRC64NVME: 8,
};

export interface ChecksumClaim {
  algorithm: ChecksumAlgorithm;
  /** Where the value comes from: a request header, or the aws-chunked trailer. */
  source: 'header' | 'trailer';
  value?: string;
}

export interface ReceivedBody {
  tmp: string;
  size: number;
  md5Hex: string;
  /** base64 digests computed over the payload, for every algorithm asked for. */
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
  /** The checksum the client sent (already verified), if any. */
  claimed?: { algorithm: ChecksumAlgorithm; value: string };
}

function isValidBase64(value: string, bytes: number): boolean {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return false;
  return Buffer.from(value, 'base64').length === bytes;
}

/** Reads which checksum the client claims (header or declared trailer) and validates its form. */
export function checksumClaim(ctx: Ctx): ChecksumClaim | undefined {
  const found: ChecksumClaim[] = [];
  for (const alg of CHECKSUM_ALGORITHMS) {
    const v = header(ctx, checksumHeaderName(alg));
    if (v !== undefined) {
      if (!isValidBase64(v, DIGEST_BYTES[alg])) throw invalidChecksum(alg);
      found.push({ algorithm: alg, source: 'header', value: v });
    }
  }
  const trailer = header(ctx, 'x-amz-trailer');
  if (trailer !== undefined) {
    for (const name of trailer.split(',').map((s) => s.trim().toLowerCase())) {
      const alg = algorithmFromHeaderName(name);
      if (!alg)
        throw invalidRequest(`The value specified in the x-amz-trailer header is not supported`);
      found.push({ algorithm: alg, source: 'trailer' });
    }
    if (!ctx.auth.payloadMode.endsWith('-TRAILER')) {
      throw invalidRequest(
        'The x-amz-trailer header requires a streaming trailer payload (aws-chunked).',
      );
    }
  }
  if (found.length > 1) {
    throw invalidRequest(
      'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
    );
  }
  const sdkAlg = header(ctx, 'x-amz-sdk-checksum-algorithm');
  if (sdkAlg !== undefined) {
    const alg = sdkAlg.toUpperCase() as ChecksumAlgorithm;
    if (!CHECKSUM_ALGORITHMS.includes(alg)) {
      throw invalidRequest(
        'Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]',
      );
    }
    if (found.length === 0) {
      throw invalidRequest(
        'x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.',
      );
    }
    if (found[0]?.algorithm !== alg) {
      throw invalidRequest(`Value for x-amz-sdk-checksum-algorithm header is invalid.`);
    }
  }
  return found[0];
}

function contentMd5(ctx: Ctx): string | undefined {
  const v = header(ctx, 'content-md5');
  if (v === undefined) return undefined;
  if (!isValidBase64(v.trim(), 16)) throw invalidDigest(v);
  return Buffer.from(v.trim(), 'base64').toString('hex');
}

function expectedLength(ctx: Ctx, streaming: boolean): number | undefined {
  const raw = streaming
    ? header(ctx, 'x-amz-decoded-content-length')
    : header(ctx, 'content-length');
  if (raw === undefined) {
    if (streaming) {
      throw new S3Error(
        'MissingContentLength',
        411,
        'You must provide the Content-Length HTTP header.',
      );
    }
    return undefined;
  }
  if (!/^\d+$/.test(raw.trim())) throw invalidRequest('Invalid content length.');
  return Number(raw);
}

/**
 * The payload bytes: the body itself, or the aws-chunked decoder's output. The request is
 * piped (never pipelined) so that a failed upload does not destroy the socket: the error
 * response still goes out, and the rest of the body is drained.
 */
function payload(
  ctx: Ctx,
  decodedLength: number | undefined,
): {
  stream: AsyncIterable<Buffer>;
  trailers: () => Record<string, string>;
} {
  const req = ctx.req;
  let through: Transform;
  let trailers = (): Record<string, string> => ({});
  if (ctx.auth.payloadMode.startsWith('STREAMING-')) {
    const decoder = createChunkedDecoder(
      ctx.auth,
      decodedLength !== undefined ? { decodedContentLength: decodedLength } : {},
    );
    trailers = () => decoder.trailers;
    through = decoder;
  } else {
    through = new PassThrough();
  }
  const release = (): void => {
    req.unpipe(through);
    req.resume();
  };
  req.on('error', (err) => through.destroy(err));
  req.on('aborted', () => through.destroy(incompleteBody()));
  through.on('error', release);
  through.on('close', release);
  req.pipe(through);
  return { stream: through as AsyncIterable<Buffer>, trailers };
}

export interface ReceiveOptions {
  /** Also compute these algorithms (e.g. the multipart upload's algorithm, or the default). */
  compute?: ChecksumAlgorithm[];
  /** Largest accepted payload. */
  maxSize?: number;
  /** Whether a missing Content-Length is refused (object uploads). */
  requireLength?: boolean;
  /** False when x-amz-checksum-* headers describe something else than the body. */
  bodyChecksums?: boolean;
}

interface Verified {
  size: number;
  md5Hex: string;
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
  claimed?: { algorithm: ChecksumAlgorithm; value: string };
}

type Sink<T> = (
  stream: AsyncIterable<Buffer>,
  onChunk: (chunk: Buffer) => void,
) => Promise<{ size: number; value: T }>;

async function intake<T>(
  ctx: Ctx,
  opts: ReceiveOptions,
  sink: Sink<T>,
  cleanup: (value: T) => Promise<void>,
): Promise<{ value: T; verified: Verified }> {
  const mode = ctx.auth.payloadMode;
  const streaming = mode.startsWith('STREAMING-');
  const length = expectedLength(ctx, streaming);
  const max = opts.maxSize ?? MAX_PUT_SIZE;
  if (length === undefined && opts.requireLength) {
    throw new S3Error(
      'MissingContentLength',
      411,
      'You must provide the Content-Length HTTP header.',
    );
  }
  if (length !== undefined && length > max) throw entityTooLarge(length, max);
  const claim = opts.bodyChecksums === false ? undefined : checksumClaim(ctx);
  const md5Expected = contentMd5(ctx);
  const hashers = new Map<ChecksumAlgorithm | 'MD5', Hasher>([['MD5', createHasher('MD5')]]);
  for (const alg of [claim?.algorithm, ...(opts.compute ?? [])]) {
    if (alg && !hashers.has(alg)) hashers.set(alg, createHasher(alg));
  }
  const sha256 = mode === 'SHA256' && !hashers.has('SHA256') ? createHasher('SHA256') : undefined;
  const { stream, trailers } = payload(ctx, streaming ? length : undefined);
  let seen = 0;
  const { size, value } = await sink(stream, (chunk) => {
    seen += chunk.length;
    if (seen > max) throw entityTooLarge(seen, max);
    for (const h of hashers.values()) h.update(chunk);
    sha256?.update(chunk);
  });
  try {
    if (length !== undefined && size !== length) throw incompleteBody();
    const digests = new Map<string, Buffer>();
    for (const [alg, h] of hashers) digests.set(alg, h.digest());
    if (mode === 'SHA256') {
      const computed = (sha256 ? sha256.digest() : (digests.get('SHA256') as Buffer)).toString(
        'hex',
      );
      if (computed !== ctx.auth.payloadSha256) {
        throw new S3Error(
          'XAmzContentSHA256Mismatch',
          400,
          "The provided 'x-amz-content-sha256' header does not match what was computed.",
          {
            ClientComputedContentSHA256: ctx.auth.payloadSha256 ?? '',
            S3ComputedContentSHA256: computed,
          },
        );
      }
    }
    const md5Hex = (digests.get('MD5') as Buffer).toString('hex');
    if (md5Expected !== undefined && md5Expected !== md5Hex) throw badDigest('MD5');
    const checksums: Partial<Record<ChecksumAlgorithm, string>> = {};
    for (const [alg, d] of digests)
      if (alg !== 'MD5') checksums[alg as ChecksumAlgorithm] = d.toString('base64');
    const verified: Verified = { size, md5Hex, checksums };
    if (claim) {
      let claimed = claim.value;
      if (claim.source === 'trailer') {
        claimed = trailers()[checksumHeaderName(claim.algorithm)];
        if (claimed === undefined) {
          throw invalidRequest(`Missing trailer ${checksumHeaderName(claim.algorithm)}.`);
        }
        if (!isValidBase64(claimed, DIGEST_BYTES[claim.algorithm]))
          throw invalidChecksum(claim.algorithm);
      }
      if (claimed !== checksums[claim.algorithm]) throw badDigest(claim.algorithm);
      verified.claimed = { algorithm: claim.algorithm, value: claimed as string };
    }
    return { value, verified };
  } catch (err) {
    await cleanup(value);
    throw err;
  }
}

/** Streams the request body into a verified temp blob. */
export async function receiveBody(ctx: Ctx, opts: ReceiveOptions = {}): Promise<ReceivedBody> {
  const blobs = ctx.rt.blobs;
  const { value, verified } = await intake(
    ctx,
    opts,
    async (stream, onChunk) => {
      const r = await blobs.receive(stream, onChunk);
      return { size: r.size, value: r.tmp };
    },
    (tmp) => blobs.discard(tmp),
  );
  return { tmp: value, ...verified };
}

/** Reads a small body (XML documents) into memory, with the same integrity checks. */
export async function readSmallBody(
  ctx: Ctx,
  limit = 1024 * 1024,
  opts: Pick<ReceiveOptions, 'bodyChecksums'> = {},
): Promise<Buffer> {
  const { value } = await intake(
    ctx,
    { ...opts, maxSize: limit },
    async (stream, onChunk) => {
      const chunks: Buffer[] = [];
      for await (const chunk of stream) {
        onChunk(chunk);
        chunks.push(chunk);
      }
      const buf = Buffer.concat(chunks);
      return { size: buf.length, value: buf };
    },
    async () => undefined,
  );
  return value;
}
