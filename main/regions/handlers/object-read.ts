// GetObject and HeadObject: version selection, conditional reads, Range and partNumber.
import { pipeline } from 'node:stream/promises';
import { checkReadPreconditions } from '../conditional.js';
import {
  header,
  requireBucket,
  requireKey,
  sendEmpty,
  type Ctx,
  type Headers,
} from '../context.js';
import { S3Error } from '../errors.js';
import { invalidArgument, invalidRequest } from '../error-catalog.js';
import type { ObjectVersion } from '../store/objects.js';
import { checksumHeaders, objectHeaders, selectVersion } from './object-meta.js';

interface Slice {
  start: number;
  end: number; // inclusive
  partial: boolean;
  partNumber?: number;
}

function rangeError(range: string, size: number): S3Error {
  return new S3Error('InvalidRange', 416, 'The requested range is not satisfiable', {
    RangeRequested: range,
    ActualObjectSize: String(size),
  });
}

/** Parses `bytes=a-b`, `bytes=a-`, `bytes=-n`; undefined means "send everything". */
function parseRange(range: string, size: number): Slice | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined; // unsupported syntax or several ranges
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) throw rangeError(range, size);
    return { start: Math.max(0, size - n), end: size - 1, partial: true };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) throw rangeError(range, size);
  return { start, end, partial: true };
}

function partSlice(v: ObjectVersion, raw: string): Slice {
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 10000) {
    throw invalidArgument(
      'Part number must be an integer between 1 and 10000, inclusive',
      'partNumber',
      raw,
    );
  }
  const n = Number(raw);
  if (!v.parts) {
    if (n !== 1)
      throw new S3Error('InvalidPartNumber', 416, 'The requested partnumber is not satisfiable', {
        PartNumberRequested: raw,
        ActualPartCount: '1',
      });
    return { start: 0, end: v.size - 1, partial: false, partNumber: 1 };
  }
  if (n > v.parts.length) {
    throw new S3Error('InvalidPartNumber', 416, 'The requested partnumber is not satisfiable', {
      PartNumberRequested: raw,
      ActualPartCount: String(v.parts.length),
    });
  }
  let start = 0;
  for (let i = 0; i < n - 1; i++) start += v.parts[i]?.size ?? 0;
  const size = v.parts[n - 1]?.size ?? 0;
  return { start, end: start + size - 1, partial: true, partNumber: n };
}

function selectSlice(ctx: Ctx, v: ObjectVersion): Slice {
  const range = header(ctx, 'range');
  const partNumber = ctx.query.get('partNumber');
  if (partNumber !== null) {
    if (range !== undefined) invalidRangeAndPart();
    return partSlice(v, partNumber);
  }
  if (range !== undefined) {
    const s = parseRange(range, v.size);
    if (s) return s;
  }
  return { start: 0, end: v.size - 1, partial: false };
}

function invalidRangeAndPart(): never {
  throw invalidRequest('Cannot specify both Range header and partNumber query parameter');
}

/**
 * A replica's checksum, when asked for, is the one of its stored bytes (rehashed when the blob
 * changed since replication), so a replica whose bytes differ from the source's shows it.
 */
async function withStoredChecksum(ctx: Ctx, v: ObjectVersion): Promise<ObjectVersion> {
  const mode = (header(ctx, 'x-amz-checksum-mode') ?? '').toUpperCase();
  if (mode !== 'ENABLED' || v.replicationStatus !== 'REPLICA' || !v.blob || !v.checksum) return v;
  const shape = { blob: v.blob, size: v.size, ...(v.parts ? { parts: v.parts } : {}) };
  const hash = await ctx.rt.replicaChecksums.of(shape, v.checksum.algorithm, v.checksum.type);
  return { ...v, checksum: hash.checksum, ...(hash.parts ? { parts: hash.parts } : {}) };
}

async function read(ctx: Ctx, withBody: boolean): Promise<void> {
  const bucket = requireBucket(ctx);
  const key = requireKey(ctx);
  const v = await withStoredChecksum(ctx, selectVersion(ctx, bucket, key));
  const headers: Headers = objectHeaders(ctx, bucket, v);
  if (checkReadPreconditions(ctx.req.headers, v) === 304) {
    sendEmpty(ctx, 304, {
      ETag: v.etag,
      'Last-Modified': headers['Last-Modified'],
      'x-amz-version-id': headers['x-amz-version-id'],
    });
    return;
  }
  const slice = selectSlice(ctx, v);
  const length = Math.max(0, slice.end - slice.start + 1);
  Object.assign(headers, slice.partial ? {} : checksumHeaders(ctx, v));
  if (slice.partNumber !== undefined && v.parts) {
    headers['x-amz-mp-parts-count'] = v.parts.length;
    Object.assign(headers, checksumHeaders(ctx, v, slice.partNumber));
  }
  headers['Content-Length'] = length;
  if (slice.partial) headers['Content-Range'] = `bytes ${slice.start}-${slice.end}/${v.size}`;
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) ctx.res.setHeader(name, String(value));
  }
  ctx.res.writeHead(slice.partial ? 206 : 200);
  if (!withBody || length === 0) {
    ctx.res.end();
    return;
  }
  await pipeline(ctx.rt.blobs.readObject(v, slice.start, slice.end), ctx.res);
}

export function getObject(ctx: Ctx): Promise<void> {
  return read(ctx, true);
}

export function headObject(ctx: Ctx): Promise<void> {
  return read(ctx, false);
}
