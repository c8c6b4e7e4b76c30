// AWS Signature Version 4 verification for S3: Authorization header and presigned URLs.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from '../errors.js';

export type PayloadMode =
  | 'UNSIGNED-PAYLOAD'
  | 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD'
  | 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER'
  | 'STREAMING-UNSIGNED-PAYLOAD-TRAILER'
  | 'SHA256'; // x-amz-content-sha256 is a hex digest the body must match

export interface VerifiedAuth {
  accessKeyId: string;
  region: string;
  amzDate: string; // yyyymmddThhmmssZ
  scope: string; // date/region/s3/aws4_request
  signingKey: Buffer;
  seedSignature: string;
  payloadMode: PayloadMode;
  payloadSha256?: string; // when payloadMode === 'SHA256'
  presigned: boolean;
}

export interface AuthInput {
  method: string;
  rawPath: string; // request path exactly as received, before '?'
  rawQuery: string; // exactly as received, after '?', may be ''
  headers: IncomingHttpHeaders;
}

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const SERVICE = 's3';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** S3 refuses requests whose x-amz-date is further than this from the server clock. */
export const MAX_SKEW_MS = 15 * 60 * 1000;
/** The longest lifetime of a presigned URL: seven days. */
export const MAX_PRESIGN_SECONDS = 7 * 24 * 60 * 60;

const STREAMING_MODES: readonly string[] = [
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
];

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmacSha256(key: Uint8Array | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** AWS URI encoding: everything but A-Z a-z 0-9 - _ . ~ becomes %XX of its UTF-8 bytes. */
export function uriEncode(text: string, encodeSlash = true): string {
  let out: string;
  try {
    out = encodeURIComponent(text).replace(
      /[!'()*]/g,
      (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
    );
  } catch {
    // Lone surrogates: encode them as U+FFFD, as a UTF-8 encoder would.
    out = uriEncode(text.replace(/[\ud800-\udfff]/gu, '\ufffd'));
  }
  return encodeSlash ? out : out.replace(/%2F/g, '/');
}

/** Percent-decoding as S3 does for query strings: '+' stays '+'. Invalid escapes stay as is. */
export function uriDecode(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The query string as name/value pairs, in order, decoded ('+' is not a space). */
export function parseQuery(rawQuery: string): [string, string][] {
  const out: [string, string][] = [];
  if (rawQuery === '') return out;
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    out.push([uriDecode(name), uriDecode(value)]);
  }
  return out;
}

/** Canonical query string: re-encoded per AWS rules, sorted by name then value. */
export function canonicalQueryString(rawQuery: string, omit?: string): string {
  const pairs = parseQuery(rawQuery)
    .filter(([name]) => name !== omit)
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const);
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(',') : v;
}

/** Header value as signed: runs of spaces/tabs collapsed, ends trimmed. */
function canonicalHeaderValue(value: string): string {
  return value.replace(/[ \t]+/g, ' ').replace(/^ | $/g, '');
}

export function canonicalRequest(
  method: string,
  canonicalUri: string,
  canonicalQuery: string,
  headers: IncomingHttpHeaders,
  signedHeaders: readonly string[],
  payloadHash: string,
): string {
  const lines = signedHeaders.map(
    (name) => `${name}:${canonicalHeaderValue(headerValue(headers, name) ?? '')}\n`,
  );
  return [
    method,
    canonicalUri,
    canonicalQuery,
    lines.join(''),
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
}

const keyCache = new Map<string, Buffer>();
const KEY_CACHE_MAX = 256;

/** kSigning = HMAC chain over date, region, service, "aws4_request"; cached per day and region. */
export function deriveSigningKey(
  secret: string,
  date: string,
  region: string,
  service = SERVICE,
): Buffer {
  // Keyed by a digest so the secret itself is not kept as a map key.
  const cacheKey = sha256Hex(`${secret}\n${date}\n${region}\n${service}`);
  const cached = keyCache.get(cacheKey);
  if (cached) return cached;
  const kDate = hmacSha256(`AWS4${secret}`, date);
  const kRegion = hmacSha256(kDate, region);
  const kService = hmacSha256(kRegion, service);
  const key = hmacSha256(kService, 'aws4_request');
  if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
  keyCache.set(cacheKey, key);
  return key;
}

/** Constant-time comparison of two lower-case hex signatures. */
export function signaturesEqual(expected: string, provided: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(provided) || expected.length !== provided.length) return false;
  return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(provided, 'hex'));
}

function spacedHex(text: string): string {
  return Array.from(Buffer.from(text, 'utf8'), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** ISO 8601 basic (20130524T000000Z) to a Date, or undefined when malformed. */
export function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Rejects 20130231 and the like, which Date.UTC would roll over.
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    return undefined;
  }
  return date;
}

function toAmzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

interface Credential {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  terminator: string;
}

function parseCredential(value: string): Credential | undefined {
  const parts = value.split('/');
  if (parts.length !== 5 || parts.some((p) => p === '')) return undefined;
  const [accessKeyId, date, region, service, terminator] = parts as [
    string,
    string,
    string,
    string,
    string,
  ];
  return { accessKeyId, date, region, service, terminator };
}

function payloadModeOf(value: string): { mode: PayloadMode; sha256?: string } | undefined {
  if (value === 'UNSIGNED-PAYLOAD') return { mode: 'UNSIGNED-PAYLOAD' };
  if (STREAMING_MODES.includes(value)) return { mode: value as PayloadMode };
  if (/^[0-9a-fA-F]{64}$/.test(value)) return { mode: 'SHA256', sha256: value.toLowerCase() };
  return undefined;
}

function invalidContentSha256(value: string): S3Error {
  return new S3Error(
    'InvalidArgument',
    400,
    'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, ' +
      'STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER ' +
      'or a valid sha256 value.',
    { ArgumentName: 'x-amz-content-sha256', ArgumentValue: value },
  );
}

function accessDenied(message = 'Access Denied', fields: Record<string, string> = {}): S3Error {
  return new S3Error('AccessDenied', 403, message, fields);
}

interface Parsed {
  credential: Credential;
  amzDate: string;
  signedHeaders: string[];
  signature: string;
  payloadHash: string;
  presigned: boolean;
  expires?: number;
}

function headerMalformed(message: string, fields: Record<string, string> = {}): S3Error {
  return new S3Error(
    'AuthorizationHeaderMalformed',
    400,
    `The authorization header is malformed; ${message}`,
    fields,
  );
}

function queryMalformed(message: string, fields: Record<string, string> = {}): S3Error {
  return new S3Error('AuthorizationQueryParametersError', 400, message, fields);
}

function parseAuthorizationHeader(authorization: string, headers: IncomingHttpHeaders): Parsed {
  const space = authorization.indexOf(' ');
  const algorithm = space < 0 ? authorization : authorization.slice(0, space);
  if (algorithm !== ALGORITHM) {
    throw new S3Error(
      'InvalidRequest',
      400,
      'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
    );
  }
  const fields = new Map<string, string>();
  for (const part of authorization.slice(space + 1).split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq < 0) throw headerMalformed(`the authorization component "${item}" is malformed.`);
    fields.set(item.slice(0, eq).trim(), item.slice(eq + 1).trim());
  }
  const credentialText = fields.get('Credential');
  const signedHeadersText = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (credentialText === undefined) throw headerMalformed('the Credential is missing.');
  if (signedHeadersText === undefined || signedHeadersText === '') {
    throw headerMalformed('the SignedHeaders is missing.');
  }
  if (signature === undefined || signature === '') {
    throw headerMalformed('the Signature is missing.');
  }
  const credential = parseCredential(credentialText);
  if (!credential) {
    throw headerMalformed(
      `the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`,
    );
  }
  checkScope(credential, headerMalformed);

  const amzDate = headerValue(headers, 'x-amz-date');
  if (amzDate === undefined) {
    throw accessDenied('AWS authentication requires a valid Date or x-amz-date header');
  }
  if (!parseAmzDate(amzDate.trim())) {
    throw accessDenied('AWS authentication requires a valid Date or x-amz-date header');
  }
  if (amzDate.trim().slice(0, 8) !== credential.date) {
    throw headerMalformed('Invalid credential date. Date is not the same as X-Amz-Date.');
  }
  const signedHeaders = signedHeadersText.split(';');
  if (!signedHeaders.includes('host')) {
    throw headerMalformed('the SignedHeaders must include host.');
  }

  const contentSha = headerValue(headers, 'x-amz-content-sha256');
  if (contentSha === undefined) {
    throw new S3Error(
      'InvalidRequest',
      400,
      'Missing required header for this request: x-amz-content-sha256',
    );
  }
  return {
    credential,
    amzDate: amzDate.trim(),
    signedHeaders,
    signature: signature.toLowerCase(),
    payloadHash: contentSha.trim(),
    presigned: false,
  };
}

function checkScope(credential: Credential, fail: (message: string) => S3Error): void {
  if (!/^\d{8}$/.test(credential.date)) {
    throw fail(`incorrect date format "${credential.date}". This date should be YYYYMMDD.`);
  }
  if (credential.service !== SERVICE) {
    throw fail(`incorrect service "${credential.service}". This endpoint belongs to "s3".`);
  }
  if (credential.terminator !== 'aws4_request') {
    throw fail(`incorrect terminal "${credential.terminator}". This endpoint uses "aws4_request".`);
  }
}

const PRESIGN_PARAMS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Signature',
  'X-Amz-Date',
  'X-Amz-SignedHeaders',
  'X-Amz-Expires',
];

function parsePresigned(query: Map<string, string>, headers: IncomingHttpHeaders): Parsed {
  if (PRESIGN_PARAMS.some((p) => !query.has(p))) {
    throw queryMalformed(
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, ' +
        'X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  }
  const get = (name: string): string => query.get(name) ?? '';
  if (get('X-Amz-Algorithm') !== ALGORITHM) {
    throw queryMalformed('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  }
  const credential = parseCredential(get('X-Amz-Credential'));
  const credentialError = (message: string): S3Error =>
    queryMalformed(`Error parsing the X-Amz-Credential parameter; ${message}`);
  if (!credential) {
    throw credentialError(
      'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
    );
  }
  checkScope(credential, credentialError);
  const amzDate = get('X-Amz-Date');
  if (!parseAmzDate(amzDate)) {
    throw queryMalformed("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
  }
  if (amzDate.slice(0, 8) !== credential.date) {
    throw credentialError('Invalid credential date. Date is not the same as X-Amz-Date.');
  }
  const expiresText = get('X-Amz-Expires');
  if (!/^\d{1,10}$/.test(expiresText)) throw queryMalformed('X-Amz-Expires should be a number');
  const expires = Number(expiresText);
  if (expires > MAX_PRESIGN_SECONDS) {
    throw queryMalformed('X-Amz-Expires must be less than a week (in seconds) that is 604800');
  }
  const signedHeaders = get('X-Amz-SignedHeaders').split(';');
  if (!signedHeaders.includes('host')) {
    throw queryMalformed('X-Amz-SignedHeaders must include host.');
  }
  const signature = get('X-Amz-Signature').toLowerCase();
  // The payload is unsigned unless the client put a hash in the signed query or a header.
  let payloadHash = 'UNSIGNED-PAYLOAD';
  for (const [name, value] of query) {
    if (name.toLowerCase() === 'x-amz-content-sha256') payloadHash = value;
  }
  if (payloadHash === 'UNSIGNED-PAYLOAD') {
    payloadHash = headerValue(headers, 'x-amz-content-sha256')?.trim() ?? payloadHash;
  }
  return {
    credential,
    amzDate,
    signedHeaders,
    signature,
    payloadHash,
    presigned: true,
    expires,
  };
}

/**
 * Verifies the request's SigV4 signature (Authorization header or presigned query).
 * Throws S3Error: AccessDenied, InvalidAccessKeyId, SignatureDoesNotMatch,
 * RequestTimeTooSkewed, AuthorizationHeaderMalformed, AuthorizationQueryParametersError,
 * InvalidRequest (missing x-amz-content-sha256, unsupported algorithm) and
 * InvalidArgument (bad x-amz-content-sha256, both auth mechanisms at once).
 * The region is only read from the scope: check it with `regionMismatchError`.
 */
export function verifySigV4(
  input: AuthInput,
  secretFor: (accessKeyId: string) => string | undefined,
  now: Date = new Date(),
): VerifiedAuth {
  const authorization = headerValue(input.headers, 'authorization');
  const query = new Map(parseQuery(input.rawQuery));
  const hasQueryAuth = query.has('X-Amz-Algorithm') || query.has('X-Amz-Signature');
  if (authorization !== undefined && hasQueryAuth) {
    throw new S3Error(
      'InvalidArgument',
      400,
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature ' +
        'query string parameter or the Authorization header should be specified',
      { ArgumentName: 'Authorization', ArgumentValue: authorization },
    );
  }
  if (authorization === undefined && !hasQueryAuth) {
    if (query.has('Signature') && query.has('AWSAccessKeyId')) {
      throw new S3Error(
        'InvalidRequest',
        400,
        'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
      );
    }
    throw accessDenied();
  }
  const parsed =
    authorization !== undefined
      ? parseAuthorizationHeader(authorization.trim(), input.headers)
      : parsePresigned(query, input.headers);
  const { credential, amzDate } = parsed;

  const payload = payloadModeOf(parsed.payloadHash);
  if (!payload) throw invalidContentSha256(parsed.payloadHash);

  const secret = secretFor(credential.accessKeyId);
  if (secret === undefined) {
    throw new S3Error(
      'InvalidAccessKeyId',
      403,
      'The AWS Access Key Id you provided does not exist in our records.',
      { AWSAccessKeyId: credential.accessKeyId },
    );
  }

  const scope = `${credential.date}/${credential.region}/${SERVICE}/aws4_request`;
  const signingKey = deriveSigningKey(secret, credential.date, credential.region);
  const canonicalQuery = parsed.presigned
    ? canonicalQueryString(input.rawQuery, 'X-Amz-Signature')
    : canonicalQueryString(input.rawQuery);
  // S3 signs the path exactly as sent: no normalisation, no second encoding.
  const canonical = canonicalRequest(
    input.method.toUpperCase(),
    input.rawPath === '' ? '/' : input.rawPath,
    canonicalQuery,
    input.headers,
    parsed.signedHeaders,
    parsed.payloadHash,
  );
  const toSign = stringToSign(amzDate, scope, canonical);
  const expected = hmacSha256(signingKey, toSign).toString('hex');
  if (!signaturesEqual(expected, parsed.signature)) {
    throw new S3Error(
      'SignatureDoesNotMatch',
      403,
      'The request signature we calculated does not match the signature you provided. ' +
        'Check your key and signing method.',
      {
        AWSAccessKeyId: credential.accessKeyId,
        StringToSign: toSign,
        SignatureProvided: parsed.signature,
        StringToSignBytes: spacedHex(toSign),
        CanonicalRequest: canonical,
        CanonicalRequestBytes: spacedHex(canonical),
      },
    );
  }

  // Time is checked once the signature holds: unauthenticated callers learn nothing of our clock.
  const signedAt = parseAmzDate(amzDate) as Date;
  const nowMs = now.getTime();
  if (parsed.presigned) {
    const expiresAt = signedAt.getTime() + (parsed.expires ?? 0) * 1000;
    if (nowMs > expiresAt) {
      throw accessDenied('Request has expired', {
        'X-Amz-Expires': String(parsed.expires ?? 0),
        Expires: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        ServerTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      });
    }
    if (signedAt.getTime() - nowMs > MAX_SKEW_MS) {
      throw accessDenied('Request is not valid yet');
    }
  } else if (Math.abs(nowMs - signedAt.getTime()) > MAX_SKEW_MS) {
    throw new S3Error(
      'RequestTimeTooSkewed',
      403,
      'The difference between the request time and the current time is too large.',
      {
        RequestTime: amzDate,
        ServerTime: toAmzDate(now),
        MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS),
      },
    );
  }

  const result: VerifiedAuth = {
    accessKeyId: credential.accessKeyId,
    region: credential.region,
    amzDate,
    scope,
    signingKey,
    seedSignature: parsed.signature,
    payloadMode: payload.mode,
    presigned: parsed.presigned,
  };
  if (payload.sha256 !== undefined) result.payloadSha256 = payload.sha256;
  return result;
}

/**
 * The error S3 returns when a request is signed for another region than the bucket's
 * (the SDKs read <Region> and retry there). Use when `auth.region !== expected`.
 */
export function regionMismatchError(auth: VerifiedAuth, expected: string): S3Error {
  const message = `the region '${auth.region}' is wrong; expecting '${expected}'`;
  if (auth.presigned) {
    return queryMalformed(`Error parsing the X-Amz-Credential parameter; ${message}`, {
      Region: expected,
    });
  }
  return headerMalformed(message, { Region: expected });
}
