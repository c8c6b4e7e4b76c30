// Maps method + bucket/key (path-style or virtual-host style) + query to an S3 operation.
import { S3Error } from './errors.js';
import { methodNotAllowed } from './error-catalog.js';

export type Operation =
  | 'ListBuckets'
  | 'CreateBucket'
  | 'HeadBucket'
  | 'DeleteBucket'
  | 'GetBucketLocation'
  | 'GetBucketVersioning'
  | 'PutBucketVersioning'
  | 'GetBucketReplication'
  | 'PutBucketReplication'
  | 'DeleteBucketReplication'
  | 'GetBucketTagging'
  | 'PutBucketTagging'
  | 'DeleteBucketTagging'
  | 'GetBucketAcl'
  | 'PutBucketAcl'
  | 'GetBucketUnconfigured'
  | 'DeleteBucketUnconfigured'
  | 'ListObjects'
  | 'ListObjectsV2'
  | 'ListObjectVersions'
  | 'ListMultipartUploads'
  | 'DeleteObjects'
  | 'PutObject'
  | 'CopyObject'
  | 'GetObject'
  | 'HeadObject'
  | 'DeleteObject'
  | 'GetObjectTagging'
  | 'PutObjectTagging'
  | 'DeleteObjectTagging'
  | 'GetObjectAcl'
  | 'PutObjectAcl'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'UploadPartCopy'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListParts';

export interface Target {
  bucket?: string;
  key?: string;
  virtualHost: boolean;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new S3Error('InvalidURI', 400, "Couldn't parse the specified URI.");
  }
}

/** Finds bucket and key from the Host header (bucket.localhost:PORT) or the path (/bucket/key). */
export function resolveTarget(rawPath: string, host: string | undefined): Target {
  const hostname = (host ?? '').replace(/:\d+$/, '').toLowerCase();
  if (hostname.endsWith('.localhost') && hostname.length > '.localhost'.length) {
    const bucket = hostname.slice(0, -'.localhost'.length);
    const key = rawPath.length > 1 ? decode(rawPath.slice(1)) : undefined;
    return { bucket, key, virtualHost: true };
  }
  const rest = rawPath.replace(/^\//, '');
  if (rest === '') return { virtualHost: false };
  const slash = rest.indexOf('/');
  if (slash < 0) return { bucket: decode(rest), virtualHost: false };
  const key = rest.slice(slash + 1);
  return {
    bucket: decode(rest.slice(0, slash)),
    key: key === '' ? undefined : decode(key),
    virtualHost: false,
  };
}

// Bucket subresources that exist in S3 but are never configured here: GET answers S3's
// "not configured" error for them.
export const UNCONFIGURED: Record<string, [code: string, message: string]> = {
  policy: ['NoSuchBucketPolicy', 'The bucket policy does not exist'],
  cors: ['NoSuchCORSConfiguration', 'The CORS configuration does not exist'],
  lifecycle: ['NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist'],
  encryption: [
    'ServerSideEncryptionConfigurationNotFoundError',
    'The server side encryption configuration was not found',
  ],
  website: [
    'NoSuchWebsiteConfiguration',
    'The specified bucket does not have a website configuration',
  ],
  'object-lock': [
    'ObjectLockConfigurationNotFoundError',
    'Object Lock configuration does not exist for this bucket',
  ],
  publicAccessBlock: [
    'NoSuchPublicAccessBlockConfiguration',
    'The public access block configuration was not found',
  ],
  ownershipControls: [
    'OwnershipControlsNotFoundError',
    'The bucket ownership controls were not found',
  ],
};

const NOT_IMPLEMENTED = [
  'accelerate',
  'analytics',
  'intelligent-tiering',
  'inventory',
  'logging',
  'metrics',
  'notification',
  'requestPayment',
  'legal-hold',
  'retention',
  'torrent',
  'restore',
  'select',
  'attributes',
  'policyStatus',
  'rename',
];

function notImplemented(): S3Error {
  return new S3Error(
    'NotImplemented',
    501,
    'A header you provided implies functionality that is not implemented',
  );
}

/** The operation; copies are told apart from uploads by the x-amz-copy-source header. */
export function route(
  method: string,
  t: Target,
  q: URLSearchParams,
  copySource: boolean,
): Operation {
  const op = baseRoute(method, t, q);
  if (copySource && op === 'PutObject') return 'CopyObject';
  if (copySource && op === 'UploadPart') return 'UploadPartCopy';
  return op;
}

function baseRoute(method: string, t: Target, q: URLSearchParams): Operation {
  if (NOT_IMPLEMENTED.some((n) => q.has(n))) throw notImplemented();
  if (t.bucket === undefined) {
    if (method === 'GET') return 'ListBuckets';
    throw methodNotAllowed(method, 'SERVICE');
  }
  if (t.key === undefined) return bucketRoute(method, q);
  switch (method) {
    case 'PUT':
      if (q.has('tagging')) return 'PutObjectTagging';
      if (q.has('acl')) return 'PutObjectAcl';
      if (q.has('uploadId') || q.has('partNumber')) return 'UploadPart';
      return 'PutObject';
    case 'GET':
      if (q.has('tagging')) return 'GetObjectTagging';
      if (q.has('acl')) return 'GetObjectAcl';
      if (q.has('uploadId')) return 'ListParts';
      return 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    case 'DELETE':
      if (q.has('tagging')) return 'DeleteObjectTagging';
      if (q.has('uploadId')) return 'AbortMultipartUpload';
      return 'DeleteObject';
    case 'POST':
      if (q.has('uploads')) return 'CreateMultipartUpload';
      if (q.has('uploadId')) return 'CompleteMultipartUpload';
      throw methodNotAllowed(method, 'OBJECT');
    default:
      throw methodNotAllowed(method, 'OBJECT');
  }
}

function bucketRoute(method: string, q: URLSearchParams): Operation {
  const unconfigured = Object.keys(UNCONFIGURED).some((n) => q.has(n));
  switch (method) {
    case 'PUT':
      if (q.has('versioning')) return 'PutBucketVersioning';
      if (q.has('replication')) return 'PutBucketReplication';
      if (q.has('tagging')) return 'PutBucketTagging';
      if (q.has('acl')) return 'PutBucketAcl';
      if (unconfigured) throw notImplemented();
      return 'CreateBucket';
    case 'GET':
      if (q.has('location')) return 'GetBucketLocation';
      if (q.has('versioning')) return 'GetBucketVersioning';
      if (q.has('replication')) return 'GetBucketReplication';
      if (q.has('tagging')) return 'GetBucketTagging';
      if (q.has('acl')) return 'GetBucketAcl';
      if (unconfigured) return 'GetBucketUnconfigured';
      if (q.has('versions')) return 'ListObjectVersions';
      if (q.has('uploads')) return 'ListMultipartUploads';
      if (q.get('list-type') === '2') return 'ListObjectsV2';
      return 'ListObjects';
    case 'HEAD':
      return 'HeadBucket';
    case 'DELETE':
      if (q.has('replication')) return 'DeleteBucketReplication';
      if (q.has('tagging')) return 'DeleteBucketTagging';
      if (unconfigured) return 'DeleteBucketUnconfigured';
      return 'DeleteBucket';
    case 'POST':
      if (q.has('delete')) return 'DeleteObjects';
      throw methodNotAllowed(method, 'BUCKET');
    default:
      throw methodNotAllowed(method, 'BUCKET');
  }
}
