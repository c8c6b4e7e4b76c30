// The S3 errors the handlers raise, with S3's codes, statuses and wording in one place.
import { S3Error } from './errors.js';

export const noSuchBucket = (bucket: string): S3Error =>
  new S3Error('NoSuchBucket', 404, 'The specified bucket does not exist', { BucketName: bucket });

export const noSuchKey = (key: string): S3Error =>
  new S3Error('NoSuchKey', 404, 'The specified key does not exist.', { Key: key });

export const noSuchVersion = (key: string, versionId: string): S3Error =>
  new S3Error('NoSuchVersion', 404, 'The specified version does not exist.', {
    Key: key,
    VersionId: versionId,
  });

export const invalidVersionId = (versionId: string): S3Error =>
  new S3Error('InvalidArgument', 400, 'Invalid version id specified', {
    ArgumentName: 'versionId',
    ArgumentValue: versionId,
  });

export const noSuchUpload = (uploadId: string): S3Error =>
  new S3Error(
    'NoSuchUpload',
    404,
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    { UploadId: uploadId },
  );

export const invalidArgument = (message: string, name?: string, value?: string): S3Error => {
  const fields: Record<string, string> = {};
  if (name !== undefined) fields.ArgumentName = name;
  if (value !== undefined) fields.ArgumentValue = value;
  return new S3Error('InvalidArgument', 400, message, fields);
};

export const invalidRequest = (message: string, fields: Record<string, string> = {}): S3Error =>
  new S3Error('InvalidRequest', 400, message, fields);

export const malformedXml = (): S3Error =>
  new S3Error(
    'MalformedXML',
    400,
    'The XML you provided was not well-formed or did not validate against our published schema',
  );

export const preconditionFailed = (condition: string): S3Error =>
  new S3Error(
    'PreconditionFailed',
    412,
    'At least one of the pre-conditions you specified did not hold',
    {
      Condition: condition,
    },
  );

export const conditionalConflict = (key: string): S3Error =>
  new S3Error(
    'ConditionalRequestConflict',
    409,
    'A conflicting operation occurred. If using PutObject you can retry the request. If using multipart upload you should initiate another CreateMultipartUpload request and re-upload each part.',
    { Key: key },
  );

export const notImplemented = (what: string): S3Error =>
  new S3Error(
    'NotImplemented',
    501,
    'A header you provided implies functionality that is not implemented',
    {
      Header: what,
    },
  );

export const methodNotAllowed = (method: string, resource: string): S3Error =>
  new S3Error(
    'MethodNotAllowed',
    405,
    'The specified method is not allowed against this resource.',
    {
      Method: method,
      ResourceType: resource,
    },
  );

export const badDigest = (algorithm: string): S3Error =>
  algorithm === 'MD5'
    ? new S3Error('BadDigest', 400, 'The Content-MD5 you specified did not match what we received.')
    : new S3Error(
        'BadDigest',
        400,
        `The ${algorithm} you specified did not match the calculated checksum.`,
      );

export const invalidDigest = (value: string): S3Error =>
  new S3Error('InvalidDigest', 400, 'The Content-MD5 you specified was invalid.', {
    'Content-MD5': value,
  });

export const invalidChecksum = (algorithm: string): S3Error =>
  new S3Error(
    'InvalidRequest',
    400,
    `Value for x-amz-checksum-${algorithm.toLowerCase()} header is invalid.`,
  );

export const incompleteBody = (): S3Error =>
  new S3Error(
    'IncompleteBody',
    400,
    'You did not provide the number of bytes specified by the Content-Length HTTP header',
  );

export const internalError = (): S3Error =>
  new S3Error('InternalError', 500, 'We encountered an internal error. Please try again.');

export const entityTooLarge = (size: number, max: number): S3Error =>
  new S3Error('EntityTooLarge', 400, 'Your proposed upload exceeds the maximum allowed size', {
    ProposedSize: String(size),
    MaxSizeAllowed: String(max),
  });
