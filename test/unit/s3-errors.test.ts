import { NoSuchBucket, S3ServiceException } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cancelledError,
  classifyS3Error,
  S3OperationError,
  type S3ErrorContext,
} from '../../main/core/transfer/s3-errors.js';

const ctx: S3ErrorContext = { bucket: 'photos', region: 'us-east-1', key: 'a/b.jpg' };

function sdkError(
  name: string,
  status: number,
  headers: Record<string, string> = {},
): S3ServiceException {
  const e = new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: `${name} message`,
  });
  return Object.assign(e, { $response: { statusCode: status, headers } });
}

function netError(code: string, message = `connect ${code}`): Error {
  return Object.assign(new Error(message), { code });
}

test('5xx, throttling and dropped connections are transient and retryable', () => {
  for (const e of [
    sdkError('InternalError', 500),
    sdkError('ServiceUnavailable', 503),
    sdkError('SlowDown', 503),
    sdkError('Throttling', 400),
    sdkError('RequestTimeout', 400),
    sdkError('Whatever', 502),
    netError('ECONNRESET'),
    netError('ETIMEDOUT'),
    new Error('socket hang up'),
    Object.assign(new Error('outer'), { cause: netError('ECONNREFUSED') }),
    Object.assign(new Error('Request timed out'), { name: 'TimeoutError' }),
  ]) {
    const c = classifyS3Error(e, ctx);
    assert.equal(c.kind, 'transient', String(e.message));
    assert.equal(c.retryable, true);
  }
  assert.match(
    classifyS3Error(netError('ECONNREFUSED'), { endpoint: 'http://127.0.0.1:9' }).message,
    /Cannot reach http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\).*start the local regions/,
  );
});

test('412 is a conflict never retried as an overwrite; 409 is retried later', () => {
  const p = classifyS3Error(sdkError('PreconditionFailed', 412), ctx);
  assert.equal(p.kind, 'precondition-failed');
  assert.equal(p.retryable, false);
  assert.match(p.message, /'a\/b\.jpg' in bucket 'photos' in us-east-1 changed.*conflict/);
  const c = classifyS3Error(sdkError('ConditionalRequestConflict', 409), ctx);
  assert.equal(c.kind, 'conditional-conflict');
  assert.equal(c.retryable, true);
});

test('permanent errors name the thing and the fix', () => {
  const cases: [unknown, S3ErrorContext, RegExp][] = [
    [
      new NoSuchBucket({ $metadata: { httpStatusCode: 404 }, message: 'x' }),
      { bucket: 'x', region: 'us-east-1' },
      /^Bucket 'x' in us-east-1 does not exist: create it or pick another bucket for this folder\.$/,
    ],
    [sdkError('NotFound', 404), { bucket: 'x' }, /Bucket 'x' does not exist/],
    [sdkError('AccessDenied', 403), ctx, /Access denied to 'a\/b\.jpg'.*permission/],
    [
      sdkError('InvalidAccessKeyId', 403),
      { region: 'eu-west-1' },
      /access key id.*account settings/,
    ],
    [sdkError('SignatureDoesNotMatch', 403), {}, /secret access key.*re-enter/],
    [sdkError('ExpiredToken', 400), {}, /aws sso login/],
    [sdkError('InvalidBucketName', 400), { bucket: 'A_B' }, /'A_B' is not a valid bucket name/],
    [sdkError('RequestTimeTooSkewed', 403), {}, /clock/],
    [sdkError('KeyTooLongError', 400), ctx, /longer than S3 allows/],
    [
      sdkError('PermanentRedirect', 301, { 'x-amz-bucket-region': 'eu-west-1' }),
      { bucket: 'x', region: 'us-east-1' },
      /it is in eu-west-1\. Choose region eu-west-1/,
    ],
    [sdkError('Unknown', 403), { bucket: 'x' }, /Access denied to bucket 'x'/],
    [sdkError('WeirdCode', 400), ctx, /WeirdCode/],
    [
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
      {},
      /No usable AWS credentials.*aws sso login/,
    ],
  ];
  for (const [err, c, re] of cases) {
    const out = classifyS3Error(err, c);
    assert.equal(out.kind, 'permanent', String(re));
    assert.equal(out.retryable, false);
    assert.match(out.message, re);
    assert.equal(out.cause, err);
  }
  const redirect = classifyS3Error(
    sdkError('Unknown', 301, { 'x-amz-bucket-region': 'ap-south-1' }),
    {
      bucket: 'x',
    },
  );
  assert.equal(redirect.code, 'PermanentRedirect');
  assert.equal(redirect.bucketRegion, 'ap-south-1');
});

test('aborts are cancellations; a classified error passes through unchanged', () => {
  const abort = Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
  const c = classifyS3Error(abort, { ...ctx, operation: 'upload' });
  assert.equal(c.kind, 'cancelled');
  assert.match(c.message, /Cancelled: upload of 'a\/b\.jpg'/);
  assert.equal(classifyS3Error(c), c);
  assert.ok(cancelledError() instanceof S3OperationError);
  assert.equal(classifyS3Error('plain string').kind, 'permanent');
});
