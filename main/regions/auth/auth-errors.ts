// The S3 errors a malformed or refused signature gets, worded as S3 words them.
import { S3Error } from '../errors.js';

export function accessDenied(
  message = 'Access Denied',
  fields: Record<string, string> = {},
): S3Error {
  return new S3Error('AccessDenied', 403, message, fields);
}

export function headerMalformed(message: string, fields: Record<string, string> = {}): S3Error {
  return new S3Error(
    'AuthorizationHeaderMalformed',
    400,
    `The authorization header is malformed; ${message}`,
    fields,
  );
}

export function queryMalformed(message: string, fields: Record<string, string> = {}): S3Error {
  return new S3Error('AuthorizationQueryParametersError', 400, message, fields);
}
