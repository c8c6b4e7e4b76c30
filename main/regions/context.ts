// What a handler works with: the shared runtime (stores, replication, faults) and the request
// context, plus the helpers that write S3 responses.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { VerifiedAuth } from './auth/sigv4.js';
import type { WriteTracker } from './conditional.js';
import { noSuchBucket } from './error-catalog.js';
import type { Faults } from './faults.js';
import type { ReplicaChecksums } from './replica-checksum.js';
import type { Replicator } from './replication.js';
import type { BlobStore } from './store/blobs.js';
import type { Bucket, BucketStore } from './store/buckets.js';
import type { Db } from './store/db.js';
import type { MultipartStore } from './store/multipart.js';
import type { ObjectStore } from './store/objects.js';
import { buildXml } from './xml.js';

export interface RegionInfo {
  name: string;
  port: number;
  endpoint: string;
}

export interface Runtime {
  db: Db;
  blobs: BlobStore;
  buckets: BucketStore;
  objects: ObjectStore;
  multipart: MultipartStore;
  replication: Replicator;
  replicaChecksums: ReplicaChecksums;
  faults: Faults;
  writes: WriteTracker;
  credentials: { accessKeyId: string; secretAccessKey: string };
  regions: Map<string, RegionInfo>;
  log: (line: string) => void;
}

export interface Ctx {
  rt: Runtime;
  region: string;
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  method: string;
  bucket: string | undefined;
  key: string | undefined;
  query: URLSearchParams;
  auth: VerifiedAuth;
}

export function header(ctx: Ctx, name: string): string | undefined {
  const v = ctx.req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** The bucket of the request (the router guarantees it is named and lives in this region). */
export function requireBucket(ctx: Ctx): Bucket {
  const name = ctx.bucket ?? '';
  const b = ctx.rt.buckets.get(name);
  if (!b) throw noSuchBucket(name);
  return b;
}

export function requireKey(ctx: Ctx): string {
  return ctx.key ?? '';
}

export type Headers = Record<string, string | number | undefined>;

function applyHeaders(res: ServerResponse, headers: Headers): void {
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) res.setHeader(name, String(value));
  }
}

export function sendXml(
  ctx: Ctx,
  status: number,
  root: string,
  body: Record<string, unknown>,
  headers: Headers = {},
): void {
  const xml = Buffer.from(buildXml(root, body), 'utf8');
  applyHeaders(ctx.res, headers);
  ctx.res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': xml.length });
  ctx.res.end(ctx.method === 'HEAD' ? undefined : xml);
}

export function sendRawXml(ctx: Ctx, status: number, xml: string, headers: Headers = {}): void {
  const body = Buffer.from(xml, 'utf8');
  applyHeaders(ctx.res, headers);
  ctx.res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': body.length });
  ctx.res.end(body);
}

export function sendEmpty(ctx: Ctx, status: number, headers: Headers = {}): void {
  applyHeaders(ctx.res, headers);
  if (status !== 204 && status !== 304) ctx.res.setHeader('Content-Length', 0);
  ctx.res.writeHead(status);
  ctx.res.end();
}

/** RFC 7231 date, as S3 writes Last-Modified. */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/** x-amz-version-id is sent once the bucket has ever had versioning configured. */
export function versionHeader(bucket: Bucket, versionId: string): string | undefined {
  return bucket.versioning === '' ? undefined : versionId;
}
