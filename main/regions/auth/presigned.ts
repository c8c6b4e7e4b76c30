// SigV4 in the query string (presigned URLs): the X-Amz-* parameters and their expiry.
import type { IncomingHttpHeaders } from 'node:http';
import type { S3Error } from '../errors.js';
import { queryMalformed } from './auth-errors.js';
import { ALGORITHM, headerValue } from './canonical-request.js';
import { checkScope, parseAmzDate, parseCredential, type ParsedAuth } from './credential.js';

/** The longest lifetime of a presigned URL: seven days. */
export const MAX_PRESIGN_SECONDS = 7 * 24 * 60 * 60;

const PRESIGN_PARAMS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Signature',
  'X-Amz-Date',
  'X-Amz-SignedHeaders',
  'X-Amz-Expires',
];

export function parsePresigned(
  query: Map<string, string>,
  headers: IncomingHttpHeaders,
): ParsedAuth {
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
