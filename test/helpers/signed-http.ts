// Raw HTTP requests to the local regions, signed with @smithy/signature-v4 (what the SDK uses),
// for what the SDK will not send on its own: virtual-host style, wrong digests, presigned URLs.
import type { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { sdkSigner } from './sigv4-fixtures.js';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface RawRequest {
  endpoint: string; // http://127.0.0.1:PORT
  region: string;
  credentials: Credentials;
  method: string;
  /** Already URI-encoded path, e.g. /bucket/my%20key */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Host header to sign and send (virtual-host style: bucket.localhost:PORT). */
  host?: string;
  /** Value for x-amz-content-sha256 (default: the body's real SHA-256). */
  payloadHash?: string;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

function signer(region: string, credentials: Credentials): SignatureV4 {
  return sdkSigner(region, credentials, { applyChecksum: false });
}

/** The request to sign: to the endpoint's port, with the Host header `host`. */
function toSign(
  r: Pick<RawRequest, 'endpoint' | 'method' | 'path' | 'query'>,
  host: string,
  headers: Record<string, string>,
): HttpRequest {
  return {
    method: r.method,
    protocol: 'http:',
    hostname: host.replace(/:\d+$/, ''),
    port: Number(new URL(r.endpoint).port),
    path: r.path,
    query: r.query ?? {},
    headers,
  };
}

/** name=value&… with both encoded. */
function queryString(query: Record<string, unknown>): string {
  return Object.entries(query)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
}

export async function signedRequest(r: RawRequest): Promise<RawResponse> {
  const url = new URL(r.endpoint);
  const body = r.body === undefined ? Buffer.alloc(0) : Buffer.from(r.body);
  const host = r.host ?? url.host;
  const headers: Record<string, string> = {
    host,
    'x-amz-content-sha256': r.payloadHash ?? createHash('sha256').update(body).digest('hex'),
    ...r.headers,
  };
  if (body.length > 0 || r.method === 'PUT' || r.method === 'POST')
    headers['content-length'] = String(body.length);
  const signed = await signer(r.region, r.credentials).sign(toSign(r, host, headers));
  const qs = queryString(r.query ?? {});
  return send(url, r.method, r.path + (qs ? `?${qs}` : ''), signed.headers, body);
}

/** A presigned URL (query-string authentication) for a GET or PUT, as the SDK's presigner makes. */
export async function presignedUrl(
  r: Omit<RawRequest, 'body' | 'payloadHash' | 'headers'> & { expiresIn?: number },
): Promise<string> {
  const host = r.host ?? new URL(r.endpoint).host;
  const presigned = await signer(r.region, r.credentials).presign(
    toSign(r, host, { host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }),
    { expiresIn: r.expiresIn ?? 300, unsignableHeaders: new Set(['x-amz-content-sha256']) },
  );
  const qs = queryString(presigned.query ?? {});
  return `${r.endpoint}${r.path}?${qs}`;
}

export function send(
  url: URL,
  method: string,
  pathAndQuery: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: Number(url.port), method, path: pathAndQuery, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const b = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: b,
            text: b.toString('utf8'),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body && body.length > 0 ? body : undefined);
  });
}

/** GET/PUT a URL with no signing of our own (for presigned URLs). */
export function fetchUrl(method: string, href: string, body?: Buffer): Promise<RawResponse> {
  const url = new URL(href);
  const headers: Record<string, string> = body ? { 'content-length': String(body.length) } : {};
  return send(url, method, url.pathname + url.search, headers, body);
}
