// Sorts SDK and network errors into what the engine does next (DESIGN.md section 7):
// transient → retry later (the SDK already retried in standard mode, except streamed
// bodies, which the uploader retries itself); precondition-failed → a conflict, never an
// overwrite; conditional-conflict → retry later; permanent → wait for the user, with a
// message that names the thing and the fix; cancelled → the user stopped it.

export type S3ErrorKind =
  'transient' | 'precondition-failed' | 'conditional-conflict' | 'permanent' | 'cancelled';

/** What the failing request was about, to name it in the message. */
export interface S3ErrorContext {
  bucket?: string;
  region?: string;
  key?: string;
  endpoint?: string;
  /** Short verb phrase: "upload", "download", "check versioning of". */
  operation?: string;
}

export class S3OperationError extends Error {
  override readonly name = 'S3OperationError';
  readonly kind: S3ErrorKind;
  /** S3 error code, Node error code, or SDK error name. */
  readonly code: string;
  readonly status: number | undefined;
  /** True when trying again later may succeed without the user doing anything. */
  readonly retryable: boolean;
  /** Region reported by S3 for a bucket addressed in the wrong region (301). */
  readonly bucketRegion: string | undefined;

  constructor(
    init: {
      kind: S3ErrorKind;
      code: string;
      status?: number;
      message: string;
      bucketRegion?: string;
    },
    options?: { cause?: unknown },
  ) {
    super(init.message, options);
    this.kind = init.kind;
    this.code = init.code;
    this.status = init.status;
    this.retryable =
      init.kind === 'transient' ||
      init.kind === 'conditional-conflict' ||
      init.kind === 'cancelled';
    this.bucketRegion = init.bucketRegion;
  }
}

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
  cause?: unknown;
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

const TRANSIENT_CODES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
  'NetworkingError',
]);

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

const quote = (s: string | undefined): string => (s === undefined ? '' : `'${s}'`);

function describeBucket(c: S3ErrorContext): string {
  const b = c.bucket !== undefined ? `Bucket '${c.bucket}'` : 'The bucket';
  return c.region !== undefined ? `${b} in ${c.region}` : b;
}

function describeTarget(c: S3ErrorContext): string {
  if (c.key !== undefined)
    return `'${c.key}' in ${describeBucket(c).replace(/^Bucket /, 'bucket ')}`;
  return describeBucket(c).replace(/^Bucket /, 'bucket ');
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function where(c: S3ErrorContext): string {
  return c.endpoint ?? (c.region !== undefined ? `S3 in ${c.region}` : 'S3');
}

/** Finds a Node/undici error code anywhere in the cause chain. */
function networkCode(err: ErrorShape): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e !== null && typeof e === 'object'; depth++) {
    const code = str((e as ErrorShape).code);
    if (code !== undefined && NETWORK_CODES.has(code)) return code;
    const msg = str((e as ErrorShape).message);
    if (msg !== undefined && /socket hang up/i.test(msg)) return 'ECONNRESET';
    e = (e as ErrorShape).cause;
  }
  return undefined;
}

function isAbort(err: ErrorShape): boolean {
  return err.name === 'AbortError' || err.code === 'ABORT_ERR';
}

/** The error for work the user (or shutdown) cancelled. */
export function cancelledError(context: S3ErrorContext = {}, cause?: unknown): S3OperationError {
  return new S3OperationError(
    {
      kind: 'cancelled',
      code: 'Cancelled',
      message: `Cancelled: ${context.operation ?? 'request'} of ${describeTarget(context)}`,
    },
    { cause },
  );
}

/** Turns any error from an S3 call into an S3OperationError (returned as is if it already is one). */
export function classifyS3Error(err: unknown, context: S3ErrorContext = {}): S3OperationError {
  if (err instanceof S3OperationError) return err;
  const e = (
    err !== null && typeof err === 'object' ? err : { message: String(err) }
  ) as ErrorShape;
  const status = e.$metadata?.httpStatusCode;
  const sdkName = str(e.name);
  const code = str(e.Code) ?? (sdkName !== 'Unknown' && sdkName !== 'Error' ? sdkName : undefined);
  const raw = str(e.message) ?? 'unknown error';
  const make = (
    kind: S3ErrorKind,
    message: string,
    extra: { code?: string; bucketRegion?: string } = {},
  ): S3OperationError =>
    new S3OperationError(
      {
        kind,
        code: extra.code ?? code ?? (status !== undefined ? String(status) : 'Unknown'),
        ...(status !== undefined ? { status } : {}),
        message,
        ...(extra.bucketRegion !== undefined ? { bucketRegion: extra.bucketRegion } : {}),
      },
      { cause: err },
    );

  if (isAbort(e)) return cancelledError(context, err);

  const net = networkCode(e);
  if (net !== undefined) {
    const hint =
      net === 'ECONNREFUSED'
        ? 'nothing answers there: check the endpoint, or start the local regions'
        : net === 'ENOTFOUND' || net === 'EAI_AGAIN'
          ? 'the host name does not resolve: check the network connection and the endpoint'
          : 'the connection dropped: check the network connection';
    return make('transient', `Cannot reach ${where(context)} (${net}): ${hint}. Will retry.`, {
      code: net,
    });
  }
  if (sdkName === 'CredentialsProviderError' || sdkName === 'TokenProviderError') {
    return make(
      'permanent',
      `No usable AWS credentials: ${raw}. Check the account in Settings (for an SSO profile run 'aws sso login').`,
      { code: sdkName },
    );
  }

  switch (code) {
    case 'PreconditionFailed':
      return make(
        'precondition-failed',
        `${cap(describeTarget(context))} changed in the bucket since this device last synced it: kept as a conflict, nothing was overwritten.`,
      );
    case 'ConditionalRequestConflict':
      return make(
        'conditional-conflict',
        `Another write to ${describeTarget(context)} was in progress at the same time: will retry.`,
      );
    case 'NoSuchBucket':
    case 'NotFound':
      if (code === 'NoSuchBucket' || context.key === undefined) {
        return make(
          'permanent',
          `${describeBucket(context)} does not exist: create it or pick another bucket for this folder.`,
          { code: 'NoSuchBucket' },
        );
      }
      return make('permanent', `${cap(describeTarget(context))} does not exist (any more).`, {
        code: 'NoSuchKey',
      });
    case 'NoSuchKey':
      return make('permanent', `${cap(describeTarget(context))} does not exist (any more).`);
    case 'NoSuchVersion':
      return make(
        'permanent',
        `That version of ${describeTarget(context)} does not exist (any more).`,
      );
    case 'NoSuchUpload':
      return make(
        'permanent',
        `The unfinished upload of ${describeTarget(context)} is gone (aborted or expired): it will start again from the beginning.`,
      );
    case 'InvalidAccessKeyId':
      return make(
        'permanent',
        `${where(context)} does not know this access key id: check the access key in the account settings.`,
      );
    case 'SignatureDoesNotMatch':
      return make(
        'permanent',
        `${where(context)} rejected the secret access key (signature mismatch): re-enter the secret key in the account settings.`,
      );
    case 'ExpiredToken':
    case 'TokenRefreshRequired':
    case 'InvalidToken':
      return make(
        'permanent',
        `The session credentials expired or are invalid: sign in again (for an SSO profile run 'aws sso login').`,
      );
    case 'AccessDenied':
    case 'Forbidden':
    case 'AllAccessDisabled':
      return make(
        'permanent',
        `Access denied to ${describeTarget(context)}${context.operation !== undefined ? ` (${context.operation})` : ''}: these credentials lack the permission; ask the bucket owner for it or use other credentials.`,
        { code: code === 'Forbidden' ? 'AccessDenied' : code },
      );
    case 'RequestTimeTooSkewed':
      return make(
        'permanent',
        `This computer's clock is too far off for ${where(context)} to accept requests: set the date and time correctly.`,
      );
    case 'InvalidBucketName':
      return make(
        'permanent',
        `${quote(context.bucket) || 'The bucket name'} is not a valid bucket name: use 3-63 lower-case letters, digits, dots or hyphens.`,
      );
    case 'PermanentRedirect':
    case 'AuthorizationHeaderMalformed':
    case 'IllegalLocationConstraintException': {
      const actual = e.$response?.headers?.['x-amz-bucket-region'];
      return make(
        'permanent',
        actual !== undefined
          ? `${describeBucket(context)} is not there: it is in ${actual}. Choose region ${actual} for this folder.`
          : `${describeBucket(context)} is in another region: choose the bucket's own region for this folder.`,
        actual !== undefined ? { bucketRegion: actual } : {},
      );
    }
    case 'KeyTooLongError':
      return make(
        'permanent',
        `The name ${quote(context.key)} is longer than S3 allows (1024 bytes): shorten the file's path.`,
      );
    case 'EntityTooLarge':
      return make(
        'permanent',
        `${cap(describeTarget(context))} is larger than S3 accepts in one request: it must be uploaded in parts.`,
      );
    case 'BadDigest':
    case 'InvalidDigest':
    case 'XAmzContentSHA256Mismatch':
      return make(
        'transient',
        `The data of ${describeTarget(context)} arrived damaged or changed while it was sent (${code}): will retry.`,
      );
    case 'MethodNotAllowed':
      return make(
        'permanent',
        `${cap(describeTarget(context))} is a delete marker or refuses this request (${context.operation ?? 'request'}).`,
      );
    default:
      break;
  }
  if (
    (code !== undefined && TRANSIENT_CODES.has(code)) ||
    (status !== undefined && status >= 500)
  ) {
    return make(
      'transient',
      `${where(context)} is busy or failing (${code ?? status}) for ${describeTarget(context)}: will retry.`,
    );
  }
  if (status === 301) {
    const actual = e.$response?.headers?.['x-amz-bucket-region'];
    return make(
      'permanent',
      actual !== undefined
        ? `${describeBucket(context)} is not there: it is in ${actual}. Choose region ${actual} for this folder.`
        : `${describeBucket(context)} is in another region: choose the bucket's own region for this folder.`,
      { code: 'PermanentRedirect', ...(actual !== undefined ? { bucketRegion: actual } : {}) },
    );
  }
  if (status === 403) {
    return make(
      'permanent',
      `Access denied to ${describeTarget(context)}: check the credentials and the bucket's permissions.`,
      { code: 'AccessDenied' },
    );
  }
  return make(
    'permanent',
    `${context.operation !== undefined ? `Could not ${context.operation} ` : 'Request failed for '}${describeTarget(context)}: ${code ?? status ?? ''} ${raw}`.trim(),
  );
}

/** True for an S3OperationError (or raw SDK error) of the given kind. */
export function isS3ErrorKind(err: unknown, kind: S3ErrorKind): boolean {
  return classifyS3Error(err).kind === kind;
}
