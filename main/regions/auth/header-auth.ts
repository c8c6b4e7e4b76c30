// SigV4 in the Authorization header: its fields, x-amz-date and x-amz-content-sha256.
import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from '../errors.js';
import { accessDenied, headerMalformed } from './auth-errors.js';
import { ALGORITHM, headerValue } from './canonical-request.js';
import { checkScope, parseAmzDate, parseCredential, type ParsedAuth } from './credential.js';

export function parseAuthorizationHeader(
  authorization: string,
  headers: IncomingHttpHeaders,
): ParsedAuth {
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
