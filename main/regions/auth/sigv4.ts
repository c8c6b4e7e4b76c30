// AWS Signature Version 4 verification for S3: Authorization header and presigned URLs.
// The parts live in sibling files; this module stays the one the server and chunked.ts import.
import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from '../errors.js';
import { accessDenied, headerMalformed, queryMalformed } from './auth-errors.js';
import {
  canonicalQueryString,
  canonicalRequest,
  headerValue,
  parseQuery,
  stringToSign,
} from './canonical-request.js';
import { parseAmzDate } from './credential.js';
import { parseAuthorizationHeader } from './header-auth.js';
import { parsePresigned } from './presigned.js';
import { SERVICE, deriveSigningKey, hmacSha256, signaturesEqual } from './signing-key.js';

export {
  ALGORITHM,
  EMPTY_SHA256,
  canonicalQueryString,
  canonicalRequest,
  parseQuery,
  sha256Hex,
  stringToSign,
  uriDecode,
  uriEncode,
} from './canonical-request.js';
export { parseAmzDate } from './credential.js';
export { MAX_PRESIGN_SECONDS } from './presigned.js';
export { SERVICE, deriveSigningKey, hmacSha256, signaturesEqual } from './signing-key.js';

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

/** S3 refuses requests whose x-amz-date is further than this from the server clock. */
export const MAX_SKEW_MS = 15 * 60 * 1000;

const STREAMING_MODES: readonly string[] = [
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
];

function spacedHex(text: string): string {
  return Array.from(Buffer.from(text, 'utf8'), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

function toAmzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
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
