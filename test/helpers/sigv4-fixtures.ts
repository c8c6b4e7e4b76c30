// What the SigV4 and aws-chunked tests share: the SDK's own signer (@smithy/signature-v4) on
// node:crypto, the AWS documentation's example credentials, the chunk and trailer strings to
// sign, and a loopback HTTP server for the real client to talk to.
import { S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, SourceData } from '@smithy/types';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EMPTY_SHA256, type AuthInput, type VerifiedAuth } from '../../main/regions/auth/sigv4.js';

export function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** The hash constructor SignatureV4 wants, on node:crypto (an HMAC when given a secret). */
export class NodeSha256 {
  private readonly h: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: SourceData): void {
    this.h.update(toBuffer(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
  reset(): void {}
}

/** The SDK's signer for S3 in `region`: the path is signed as sent (no second escaping). */
export function sdkSigner(
  region: string,
  credentials: AwsCredentialIdentity,
  options: { applyChecksum?: boolean } = {},
): SignatureV4 {
  return new SignatureV4({
    credentials,
    region,
    service: 's3',
    sha256: NodeSha256,
    uriEscapePath: false,
    ...options,
  });
}

// The example credentials of the AWS SigV4 documentation.
export const DOC_KEY = 'AKIAIOSFODNN7EXAMPLE';
export const DOC_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
export const DOC_NOW = new Date('2013-05-24T00:00:00Z');
export const DOC_CREDENTIAL = `${DOC_KEY}/20130524/us-east-1/s3/aws4_request`;
export const docSecret = (id: string): string | undefined =>
  id === DOC_KEY ? DOC_SECRET : undefined;

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

type Scope = Pick<VerifiedAuth, 'amzDate' | 'scope'>;

/** The string a chunk signature signs: chained from `previous`, over the chunk's SHA-256. */
export function chunkStringToSign(auth: Scope, previous: string, chunkSha256: string): string {
  return [
    'AWS4-HMAC-SHA256-PAYLOAD',
    auth.amzDate,
    auth.scope,
    previous,
    EMPTY_SHA256,
    chunkSha256,
  ].join('\n');
}

/** The string the trailer signature signs, over the canonical trailers (`name:value\n` each). */
export function trailerStringToSign(auth: Scope, previous: string, canonical: string): string {
  return [
    'AWS4-HMAC-SHA256-TRAILER',
    auth.amzDate,
    auth.scope,
    previous,
    sha256Hex(canonical),
  ].join('\n');
}

/** What verifySigV4 is given for a request a node:http server received. */
export function authInputOf(req: IncomingMessage): AuthInput {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return {
    method: req.method ?? 'GET',
    rawPath: q < 0 ? url : url.slice(0, q),
    rawQuery: q < 0 ? '' : url.slice(q + 1),
    headers: req.headers,
  };
}

/** Runs `run` against `server` listening on a free loopback port, then closes it. */
export async function withLoopbackServer(
  server: Server,
  run: (endpoint: string) => Promise<void>,
): Promise<void> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    await run(`http://127.0.0.1:${port}`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** The real client at its defaults, path style, one attempt, against a loopback endpoint. */
export function loopbackClient(endpoint: string, credentials: AwsCredentialIdentity): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials,
    maxAttempts: 1,
  });
}
