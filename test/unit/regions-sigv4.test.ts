import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { test } from 'node:test';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest, QueryParameterBag } from '@smithy/types';
import { S3Error, errorXml } from '../../main/regions/errors.js';
import { buildXml, parseXml } from '../../main/regions/xml.js';
import {
  EMPTY_SHA256,
  canonicalQueryString,
  deriveSigningKey,
  parseQuery,
  regionMismatchError,
  uriEncode,
  verifySigV4,
} from '../../main/regions/auth/sigv4.js';
import type { AuthInput, VerifiedAuth } from '../../main/regions/auth/sigv4.js';
import { catchS3Error as s3Error } from '../helpers/s3-errors.js';
import {
  DOC_CREDENTIAL,
  DOC_KEY,
  DOC_NOW,
  DOC_SECRET,
  authInputOf,
  docSecret,
  loopbackClient,
  sdkSigner,
  withLoopbackServer,
} from '../helpers/sigv4-fixtures.js';

function docHeaderAuth(signedHeaders: string, signature: string): string {
  return `AWS4-HMAC-SHA256 Credential=${DOC_CREDENTIAL},SignedHeaders=${signedHeaders},Signature=${signature}`;
}

/** The GET Object example of the S3 SigV4 documentation. */
function docGetObject(): AuthInput {
  return {
    method: 'GET',
    rawPath: '/test.txt',
    rawQuery: '',
    headers: {
      host: 'examplebucket.s3.amazonaws.com',
      range: 'bytes=0-9',
      'x-amz-content-sha256': EMPTY_SHA256,
      'x-amz-date': '20130524T000000Z',
      authorization: docHeaderAuth(
        'host;range;x-amz-content-sha256;x-amz-date',
        'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
      ),
    },
  };
}

const DOC_PRESIGNED_QUERY =
  'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
  '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host' +
  '&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';

function docPresigned(query = DOC_PRESIGNED_QUERY): AuthInput {
  return {
    method: 'GET',
    rawPath: '/test.txt',
    rawQuery: query,
    headers: { host: 'examplebucket.s3.amazonaws.com' },
  };
}

test('uriEncode encodes everything but unreserved characters, as UTF-8', () => {
  assert.equal(uriEncode('A-Za-z0-9_.~'), 'A-Za-z0-9_.~');
  assert.equal(uriEncode('a b+c'), 'a%20b%2Bc');
  assert.equal(uriEncode("!'()*"), '%21%27%28%29%2A');
  assert.equal(uriEncode('=&?#%$'), '%3D%26%3F%23%25%24');
  assert.equal(uriEncode('a/b'), 'a%2Fb');
  assert.equal(uriEncode('a/b', false), 'a/b');
  assert.equal(uriEncode('ключ'), '%D0%BA%D0%BB%D1%8E%D1%87');
  assert.equal(uriEncode('😀'), '%F0%9F%98%80');
  assert.equal(uriEncode('\ud800'), '%EF%BF%BD');
});

test('parseQuery decodes names and values; + stays +; bad escapes stay raw', () => {
  assert.deepEqual(parseQuery(''), []);
  assert.deepEqual(parseQuery('delete'), [['delete', '']]);
  assert.deepEqual(parseQuery('delete='), [['delete', '']]);
  assert.deepEqual(parseQuery('a=1&&b=x%20y+z&c=%ZZ&d=%2F=%3D'), [
    ['a', '1'],
    ['b', 'x y+z'],
    ['c', '%ZZ'],
    ['d', '/=='],
  ]);
});

test('canonicalQueryString sorts by encoded name then value and re-encodes', () => {
  assert.equal(canonicalQueryString(''), '');
  assert.equal(canonicalQueryString('lifecycle'), 'lifecycle=');
  assert.equal(canonicalQueryString('prefix=J&max-keys=2'), 'max-keys=2&prefix=J');
  assert.equal(canonicalQueryString('b=2&a=x+y&a=%2B&c='), 'a=%2B&a=x%2By&b=2&c=');
  // Raw characters and their escapes are the same parameter.
  assert.equal(canonicalQueryString('p=a%20b%2Fc~'), canonicalQueryString('p=a b/c%7E'));
  // Sorting is by the encoded name: 'A' (0x41) before '_' (0x5F) before 'a' (0x61).
  assert.equal(canonicalQueryString('a=1&_=2&A=3'), 'A=3&_=2&a=1');
  assert.equal(
    canonicalQueryString('X-Amz-Signature=abc&X-Amz-Date=1', 'X-Amz-Signature'),
    'X-Amz-Date=1',
  );
});

test('deriveSigningKey matches the AWS example and is cached', () => {
  // From the AWS "derive a signing key" example (IAM, 20150830).
  const key = deriveSigningKey(
    'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    '20150830',
    'us-east-1',
    'iam',
  );
  assert.equal(
    key.toString('hex'),
    'c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9',
  );
  const a = deriveSigningKey(DOC_SECRET, '20130524', 'us-east-1');
  assert.equal(deriveSigningKey(DOC_SECRET, '20130524', 'us-east-1'), a);
  assert.notEqual(
    deriveSigningKey(DOC_SECRET, '20130525', 'us-east-1').toString('hex'),
    a.toString('hex'),
  );
  assert.notEqual(
    deriveSigningKey(DOC_SECRET, '20130524', 'eu-west-1').toString('hex'),
    a.toString('hex'),
  );
  assert.notEqual(
    deriveSigningKey('other', '20130524', 'us-east-1').toString('hex'),
    a.toString('hex'),
  );
});

test('AWS example: GET Object with Range', () => {
  const auth = verifySigV4(docGetObject(), docSecret, DOC_NOW);
  assert.deepEqual(
    { ...auth, signingKey: auth.signingKey.toString('hex') },
    {
      accessKeyId: DOC_KEY,
      region: 'us-east-1',
      amzDate: '20130524T000000Z',
      scope: '20130524/us-east-1/s3/aws4_request',
      signingKey: deriveSigningKey(DOC_SECRET, '20130524', 'us-east-1').toString('hex'),
      seedSignature: 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
      payloadMode: 'SHA256',
      payloadSha256: EMPTY_SHA256,
      presigned: false,
    },
  );
});

test('AWS example: PUT Object with an encoded key and a Date header', () => {
  const bodyHash = createHash('sha256').update('Welcome to Amazon S3.').digest('hex');
  assert.equal(bodyHash, '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072');
  const auth = verifySigV4(
    {
      method: 'PUT',
      rawPath: '/test%24file.text',
      rawQuery: '',
      headers: {
        host: 'examplebucket.s3.amazonaws.com',
        date: 'Fri, 24 May 2013 00:00:00 GMT',
        'x-amz-date': '20130524T000000Z',
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        'x-amz-content-sha256': bodyHash,
        authorization: docHeaderAuth(
          'date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class',
          '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
        ),
      },
    },
    docSecret,
    DOC_NOW,
  );
  assert.equal(auth.payloadMode, 'SHA256');
  assert.equal(auth.payloadSha256, bodyHash);
});

test('AWS examples: GET Bucket lifecycle and List Objects (query strings)', () => {
  const headers = {
    host: 'examplebucket.s3.amazonaws.com',
    'x-amz-date': '20130524T000000Z',
    'x-amz-content-sha256': EMPTY_SHA256,
  };
  const signed = 'host;x-amz-content-sha256;x-amz-date';
  verifySigV4(
    {
      method: 'GET',
      rawPath: '/',
      rawQuery: 'lifecycle',
      headers: {
        ...headers,
        authorization: docHeaderAuth(
          signed,
          'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543',
        ),
      },
    },
    docSecret,
    DOC_NOW,
  );
  const list: AuthInput = {
    method: 'GET',
    rawPath: '/',
    rawQuery: 'max-keys=2&prefix=J',
    headers: {
      ...headers,
      authorization: docHeaderAuth(
        signed,
        '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
      ),
    },
  };
  verifySigV4(list, docSecret, DOC_NOW);
  // Parameter order on the wire does not matter; values do.
  verifySigV4({ ...list, rawQuery: 'prefix=J&max-keys=2' }, docSecret, DOC_NOW);
  assert.equal(
    s3Error(() => verifySigV4({ ...list, rawQuery: 'max-keys=3&prefix=J' }, docSecret, DOC_NOW))
      .code,
    'SignatureDoesNotMatch',
  );
});

test('AWS example: presigned URL, valid for its whole lifetime and no longer', () => {
  const auth = verifySigV4(docPresigned(), docSecret, DOC_NOW);
  assert.equal(auth.presigned, true);
  assert.equal(auth.payloadMode, 'UNSIGNED-PAYLOAD');
  assert.equal(
    auth.seedSignature,
    'aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
  );
  const lastSecond = new Date(DOC_NOW.getTime() + 86400 * 1000);
  verifySigV4(docPresigned(), docSecret, lastSecond);
  const err = s3Error(() =>
    verifySigV4(docPresigned(), docSecret, new Date(lastSecond.getTime() + 1000)),
  );
  assert.equal(err.code, 'AccessDenied');
  assert.equal(err.status, 403);
  assert.equal(err.message, 'Request has expired');
  assert.equal(err.fields['X-Amz-Expires'], '86400');
  assert.equal(err.fields.Expires, '2013-05-25T00:00:00Z');
  // A URL dated well in the future is not valid yet.
  const early = s3Error(() =>
    verifySigV4(docPresigned(), docSecret, new Date(DOC_NOW.getTime() - 16 * 60 * 1000)),
  );
  assert.equal(early.code, 'AccessDenied');
});

test('a changed signature, path, method, query or signed header fails with the details S3 gives', () => {
  const base = docGetObject();
  const flipped = base.headers.authorization?.replace(/f0e8bdb8/, 'f0e8bdb9') ?? '';
  const err = s3Error(() =>
    verifySigV4(
      { ...base, headers: { ...base.headers, authorization: flipped } },
      docSecret,
      DOC_NOW,
    ),
  );
  assert.equal(err.code, 'SignatureDoesNotMatch');
  assert.equal(err.status, 403);
  assert.equal(err.fields.AWSAccessKeyId, DOC_KEY);
  assert.equal(
    err.fields.CanonicalRequest,
    'GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n' +
      `x-amz-content-sha256:${EMPTY_SHA256}\nx-amz-date:20130524T000000Z\n\n` +
      `host;range;x-amz-content-sha256;x-amz-date\n${EMPTY_SHA256}`,
  );
  assert.equal(
    err.fields.StringToSign,
    'AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n' +
      '7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972',
  );
  assert.equal(
    err.fields.SignatureProvided,
    'f0e8bdb97c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
  );
  assert.match(err.fields.StringToSignBytes ?? '', /^41 57 53 34 2d/);
  assert.match(err.fields.CanonicalRequestBytes ?? '', /^47 45 54 0a/);

  const tampered: AuthInput[] = [
    { ...base, rawPath: '/test.txT' },
    { ...base, rawPath: '/test%2Etxt' }, // same object, different bytes: S3 does not normalise
    { ...base, method: 'DELETE' },
    { ...base, rawQuery: 'versionId=1' },
    { ...base, headers: { ...base.headers, range: 'bytes=0-10' } },
    { ...base, headers: { ...base.headers, host: 'other.s3.amazonaws.com' } },
    { ...base, headers: { ...base.headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
    { ...base, headers: { ...base.headers, range: undefined } },
  ];
  for (const input of tampered) {
    assert.equal(
      s3Error(() => verifySigV4(input, docSecret, DOC_NOW)).code,
      'SignatureDoesNotMatch',
    );
  }
  // Unsigned headers may change freely.
  verifySigV4({ ...base, headers: { ...base.headers, 'user-agent': 'curl' } }, docSecret, DOC_NOW);
  // An upper-case signature is the same signature.
  const upper = base.headers.authorization?.replace(
    /Signature=(\w+)/,
    (_m, s: string) => `Signature=${s.toUpperCase()}`,
  );
  verifySigV4({ ...base, headers: { ...base.headers, authorization: upper } }, docSecret, DOC_NOW);
});

test('a wrong secret fails; an unknown key is InvalidAccessKeyId', () => {
  assert.equal(
    s3Error(() => verifySigV4(docGetObject(), () => 'not-the-secret', DOC_NOW)).code,
    'SignatureDoesNotMatch',
  );
  const err = s3Error(() => verifySigV4(docGetObject(), () => undefined, DOC_NOW));
  assert.equal(err.code, 'InvalidAccessKeyId');
  assert.equal(err.status, 403);
  assert.equal(err.fields.AWSAccessKeyId, DOC_KEY);
  assert.equal(
    s3Error(() => verifySigV4(docPresigned(), () => undefined, DOC_NOW)).code,
    'InvalidAccessKeyId',
  );
});

test('more than 15 minutes of clock skew is RequestTimeTooSkewed, 15 minutes is not', () => {
  const minutes = (m: number): Date => new Date(DOC_NOW.getTime() + m * 60 * 1000);
  verifySigV4(docGetObject(), docSecret, minutes(15));
  verifySigV4(docGetObject(), docSecret, minutes(-15));
  for (const m of [16, -16, 60 * 24]) {
    const err = s3Error(() => verifySigV4(docGetObject(), docSecret, minutes(m)));
    assert.equal(err.code, 'RequestTimeTooSkewed');
    assert.equal(err.status, 403);
    assert.equal(err.fields.RequestTime, '20130524T000000Z');
    assert.equal(err.fields.MaxAllowedSkewMilliseconds, '900000');
    assert.match(err.fields.ServerTime ?? '', /^\d{8}T\d{6}Z$/);
  }
});

test('no credentials at all is AccessDenied', () => {
  const err = s3Error(() =>
    verifySigV4(
      { method: 'GET', rawPath: '/b/k', rawQuery: 'x=1', headers: { host: 'h' } },
      docSecret,
    ),
  );
  assert.equal(err.code, 'AccessDenied');
  assert.equal(err.status, 403);
});

test('malformed Authorization headers are AuthorizationHeaderMalformed (400)', () => {
  const base = docGetObject();
  const sig = 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41';
  const signed = 'host;range;x-amz-content-sha256;x-amz-date';
  const bad = [
    `AWS4-HMAC-SHA256 SignedHeaders=${signed},Signature=${sig}`,
    `AWS4-HMAC-SHA256 Credential=${DOC_CREDENTIAL},Signature=${sig}`,
    `AWS4-HMAC-SHA256 Credential=${DOC_CREDENTIAL},SignedHeaders=${signed}`,
    `AWS4-HMAC-SHA256 Credential=${DOC_CREDENTIAL},SignedHeaders=${signed},Signature=${sig},junk`,
    `AWS4-HMAC-SHA256 Credential=${DOC_KEY}/20130524/us-east-1/s3,SignedHeaders=${signed},Signature=${sig}`,
    `AWS4-HMAC-SHA256 Credential=${DOC_KEY}/20130524/us-east-1/ec2/aws4_request,SignedHeaders=${signed},Signature=${sig}`,
    `AWS4-HMAC-SHA256 Credential=${DOC_KEY}/20130524/us-east-1/s3/aws5_request,SignedHeaders=${signed},Signature=${sig}`,
    `AWS4-HMAC-SHA256 Credential=${DOC_KEY}/2013-05-24/us-east-1/s3/aws4_request,SignedHeaders=${signed},Signature=${sig}`,
    `AWS4-HMAC-SHA256 Credential=${DOC_KEY}/20130525/us-east-1/s3/aws4_request,SignedHeaders=${signed},Signature=${sig}`,
    `AWS4-HMAC-SHA256 Credential=${DOC_CREDENTIAL},SignedHeaders=range;x-amz-date,Signature=${sig}`,
  ];
  for (const authorization of bad) {
    const err = s3Error(() =>
      verifySigV4({ ...base, headers: { ...base.headers, authorization } }, docSecret, DOC_NOW),
    );
    assert.equal(err.code, 'AuthorizationHeaderMalformed', authorization);
    assert.equal(err.status, 400);
  }
  // Spaces after the commas (as the SDKs send them) are fine.
  verifySigV4(
    {
      ...base,
      headers: {
        ...base.headers,
        authorization: `AWS4-HMAC-SHA256 Credential=${DOC_CREDENTIAL}, SignedHeaders=${signed}, Signature=${sig}`,
      },
    },
    docSecret,
    DOC_NOW,
  );
});

test('other request problems get the codes S3 uses', () => {
  const base = docGetObject();
  const withHeaders = (h: IncomingHttpHeaders): AuthInput => ({
    ...base,
    headers: { ...base.headers, ...h },
  });
  const cases: [AuthInput, string, number][] = [
    [
      withHeaders({ authorization: 'AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=' }),
      'InvalidRequest',
      400,
    ],
    [withHeaders({ 'x-amz-content-sha256': undefined }), 'InvalidRequest', 400],
    [withHeaders({ 'x-amz-content-sha256': 'not-a-hash' }), 'InvalidArgument', 400],
    [
      withHeaders({ 'x-amz-content-sha256': 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD' }),
      'InvalidArgument',
      400,
    ],
    [withHeaders({ 'x-amz-date': undefined }), 'AccessDenied', 403],
    [withHeaders({ 'x-amz-date': '2013-05-24T00:00:00Z' }), 'AccessDenied', 403],
    [withHeaders({ 'x-amz-date': '20130532T000000Z' }), 'AccessDenied', 403],
    [withHeaders({ 'x-amz-date': '20130525T000000Z' }), 'AuthorizationHeaderMalformed', 400],
    [{ ...base, rawQuery: DOC_PRESIGNED_QUERY }, 'InvalidArgument', 400],
    [
      { ...base, headers: { host: 'h' }, rawQuery: 'AWSAccessKeyId=AKID&Expires=1&Signature=abc' },
      'InvalidRequest',
      400,
    ],
  ];
  for (const [input, code, status] of cases) {
    const err = s3Error(() => verifySigV4(input, docSecret, DOC_NOW));
    assert.equal(err.code, code, JSON.stringify(input.headers));
    assert.equal(err.status, status);
  }
});

test('malformed presigned URLs are AuthorizationQueryParametersError (400)', () => {
  const drop = (name: string): string =>
    DOC_PRESIGNED_QUERY.split('&')
      .filter((p) => !p.startsWith(`${name}=`))
      .join('&');
  const replace = (name: string, value: string): string =>
    DOC_PRESIGNED_QUERY.replace(new RegExp(`${name}=[^&]*`), `${name}=${value}`);
  const bad = [
    drop('X-Amz-Credential'),
    drop('X-Amz-Date'),
    drop('X-Amz-Expires'),
    drop('X-Amz-SignedHeaders'),
    drop('X-Amz-Signature'),
    replace('X-Amz-Algorithm', 'AWS4-HMAC-SHA1'),
    replace('X-Amz-Expires', '604801'),
    replace('X-Amz-Expires', '-1'),
    replace('X-Amz-Expires', 'soon'),
    replace('X-Amz-Date', '20130524'),
    replace('X-Amz-Credential', 'AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3'),
    replace('X-Amz-Credential', 'AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fsqs%2Faws4_request'),
    replace('X-Amz-Credential', 'AKIAIOSFODNN7EXAMPLE%2F20130523%2Fus-east-1%2Fs3%2Faws4_request'),
    replace('X-Amz-SignedHeaders', 'range'),
  ];
  for (const query of bad) {
    const err = s3Error(() => verifySigV4(docPresigned(query), docSecret, DOC_NOW));
    assert.equal(err.code, 'AuthorizationQueryParametersError', query);
    assert.equal(err.status, 400);
  }
  // A changed, signed parameter breaks the signature.
  const err = s3Error(() =>
    verifySigV4(docPresigned(replace('X-Amz-Expires', '86401')), docSecret, DOC_NOW),
  );
  assert.equal(err.code, 'SignatureDoesNotMatch');
  const extra = s3Error(() =>
    verifySigV4(
      docPresigned(`${DOC_PRESIGNED_QUERY}&response-content-type=text%2Fhtml`),
      docSecret,
      DOC_NOW,
    ),
  );
  assert.equal(extra.code, 'SignatureDoesNotMatch');
});

test('regionMismatchError names the right region for header and presigned auth', () => {
  const header = regionMismatchError(verifySigV4(docGetObject(), docSecret, DOC_NOW), 'eu-west-1');
  assert.equal(header.code, 'AuthorizationHeaderMalformed');
  assert.equal(header.status, 400);
  assert.equal(header.fields.Region, 'eu-west-1');
  assert.match(header.message, /the region 'us-east-1' is wrong; expecting 'eu-west-1'/);
  const presigned = regionMismatchError(
    verifySigV4(docPresigned(), docSecret, DOC_NOW),
    'eu-west-1',
  );
  assert.equal(presigned.code, 'AuthorizationQueryParametersError');
  assert.equal(presigned.fields.Region, 'eu-west-1');
});

// ---- Round trips with the SDK's own signer (@smithy/signature-v4) ----

const KEY = 'AKIDREGIONSTEST';
const SECRET = 'regions/secret+key=42';
const secretFor = (id: string): string | undefined => (id === KEY ? SECRET : undefined);
const SIGNED_AT = new Date('2026-03-04T05:06:07Z');

const signer = (region = 'us-east-1'): SignatureV4 =>
  sdkSigner(region, { accessKeyId: KEY, secretAccessKey: SECRET });

/** Query serialisation exactly as @smithy/node-http-handler puts it on the wire. */
function wireQuery(query: QueryParameterBag): string {
  const esc = (s: string): string =>
    encodeURIComponent(s).replace(
      /[!'()*]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    );
  const parts: string[] = [];
  for (const key of Object.keys(query).sort()) {
    const value = query[key];
    if (value === null || value === undefined) parts.push(esc(key));
    else if (Array.isArray(value)) for (const v of value) parts.push(`${esc(key)}=${esc(v)}`);
    else parts.push(`${esc(key)}=${esc(value)}`);
  }
  return parts.join('&');
}

function toInput(req: HttpRequest): AuthInput {
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name.toLowerCase()] = value;
  return { method: req.method, rawPath: req.path, rawQuery: wireQuery(req.query ?? {}), headers };
}

function request(
  method: string,
  path: string,
  query: QueryParameterBag = {},
  headers: Record<string, string> = {},
): HttpRequest {
  return {
    method,
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 9000,
    path,
    query,
    headers: { host: '127.0.0.1:9000', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...headers },
  };
}

const KEY_PATH = `/bucket/${['a b+c', "ü!'()*~$&=?#%", 'd'].map((s) => uriEncode(s)).join('/')}`;

test('requests signed by @smithy/signature-v4 verify; any change breaks them', async () => {
  const cases: HttpRequest[] = [
    request('GET', '/'),
    request('GET', '/bucket', { 'list-type': '2', prefix: "a b+c/ü!'()*", delimiter: '/' }),
    request('PUT', KEY_PATH, {}, { 'content-type': 'text/plain', 'x-amz-meta-note': 'a   b\t c ' }),
    request('POST', '/bucket', { delete: '' }, { 'x-amz-content-sha256': EMPTY_SHA256 }),
    request('GET', '/bucket/k', {
      'response-content-disposition': 'attachment; filename="x y.txt"',
    }),
    request('DELETE', '/bucket/k', { versionId: 'null' }),
    request(
      'PUT',
      '/bucket/k',
      { partNumber: '1', uploadId: 'a/b+c==' },
      {
        'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        'x-amz-trailer': 'x-amz-checksum-crc32',
      },
    ),
  ];
  for (const req of cases) {
    const signed = await signer().sign(req, { signingDate: SIGNED_AT });
    const input = toInput(signed as HttpRequest);
    const auth: VerifiedAuth = verifySigV4(input, secretFor, SIGNED_AT);
    assert.equal(auth.accessKeyId, KEY);
    assert.equal(auth.region, 'us-east-1');
    assert.equal(auth.amzDate, '20260304T050607Z');
    assert.equal(auth.scope, '20260304/us-east-1/s3/aws4_request');
    assert.match(
      String(input.headers.authorization),
      new RegExp(`Signature=${auth.seedSignature}$`),
    );

    const changes: AuthInput[] = [
      { ...input, rawPath: `${input.rawPath}x` },
      { ...input, method: input.method === 'GET' ? 'HEAD' : 'GET' },
      { ...input, rawQuery: input.rawQuery === '' ? 'x=1' : `${input.rawQuery}1` },
      { ...input, headers: { ...input.headers, 'x-amz-date': '20260304T050608Z' } },
    ];
    for (const changed of changes) {
      assert.equal(
        s3Error(() => verifySigV4(changed, secretFor, SIGNED_AT)).code,
        'SignatureDoesNotMatch',
      );
    }
  }
});

test('the payload mode follows x-amz-content-sha256', async () => {
  const modes = [
    'UNSIGNED-PAYLOAD',
    'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
    'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
  ] as const;
  for (const mode of modes) {
    const signed = await signer().sign(
      request('PUT', '/b/k', {}, { 'x-amz-content-sha256': mode }),
      {
        signingDate: SIGNED_AT,
      },
    );
    const auth = verifySigV4(toInput(signed as HttpRequest), secretFor, SIGNED_AT);
    assert.equal(auth.payloadMode, mode);
    assert.equal(auth.payloadSha256, undefined);
  }
  const hash = createHash('sha256').update('body').digest('hex').toUpperCase();
  const signed = await signer().sign(request('PUT', '/b/k', {}, { 'x-amz-content-sha256': hash }), {
    signingDate: SIGNED_AT,
  });
  const auth = verifySigV4(toInput(signed as HttpRequest), secretFor, SIGNED_AT);
  assert.equal(auth.payloadMode, 'SHA256');
  assert.equal(auth.payloadSha256, hash.toLowerCase());
});

test('the signing region is reported, whatever it is', async () => {
  const signed = await signer('eu-west-1').sign(request('GET', '/b'), { signingDate: SIGNED_AT });
  const auth = verifySigV4(toInput(signed as HttpRequest), secretFor, SIGNED_AT);
  assert.equal(auth.region, 'eu-west-1');
  assert.equal(auth.scope, '20260304/eu-west-1/s3/aws4_request');
});

test('URLs presigned by @smithy/signature-v4 verify, expire, and break when changed', async () => {
  for (const req of [
    request('GET', KEY_PATH, { 'response-content-type': 'text/plain; charset=utf-8' }),
    request('PUT', '/bucket/upload', { partNumber: '2', uploadId: 'u+p/l=' }),
  ]) {
    const presigned = (await signer().presign(req, {
      signingDate: SIGNED_AT,
      expiresIn: 600,
    })) as HttpRequest;
    const input = toInput(presigned);
    assert.match(input.rawQuery, /X-Amz-Signature=[0-9a-f]{64}/);
    assert.equal(input.headers.authorization, undefined);
    // The SDK's presigner hoists x-amz-content-sha256 into the query.
    assert.match(input.rawQuery, /x-amz-content-sha256=UNSIGNED-PAYLOAD/);
    const auth = verifySigV4(input, secretFor, SIGNED_AT);
    assert.equal(auth.presigned, true);
    assert.equal(auth.payloadMode, 'UNSIGNED-PAYLOAD');
    verifySigV4(input, secretFor, new Date(SIGNED_AT.getTime() + 600_000));
    const expired = s3Error(() =>
      verifySigV4(input, secretFor, new Date(SIGNED_AT.getTime() + 601_000)),
    );
    assert.equal(expired.code, 'AccessDenied');
    assert.equal(expired.message, 'Request has expired');

    const sigAt = input.rawQuery.indexOf('X-Amz-Signature=') + 'X-Amz-Signature='.length;
    const c = input.rawQuery[sigAt] === '0' ? '1' : '0';
    const flipped = input.rawQuery.slice(0, sigAt) + c + input.rawQuery.slice(sigAt + 1);
    assert.equal(
      s3Error(() => verifySigV4({ ...input, rawQuery: flipped }, secretFor, SIGNED_AT)).code,
      'SignatureDoesNotMatch',
    );
    assert.equal(
      s3Error(() => verifySigV4({ ...input, rawPath: `${input.rawPath}2` }, secretFor, SIGNED_AT))
        .code,
      'SignatureDoesNotMatch',
    );
    assert.equal(
      s3Error(() => verifySigV4({ ...input, method: 'DELETE' }, secretFor, SIGNED_AT)).code,
      'SignatureDoesNotMatch',
    );
    // Headers outside X-Amz-SignedHeaders are free, the host is not.
    verifySigV4({ ...input, headers: { ...input.headers, 'x-extra': '1' } }, secretFor, SIGNED_AT);
    assert.equal(
      s3Error(() =>
        verifySigV4(
          { ...input, headers: { ...input.headers, host: 'evil:9000' } },
          secretFor,
          SIGNED_AT,
        ),
      ).code,
      'SignatureDoesNotMatch',
    );
  }
});

// ---- The real client, over loopback HTTP, with default settings ----

interface Seen {
  method: string;
  url: string;
  auth?: VerifiedAuth;
  error?: S3Error;
  body: Buffer;
}

async function withServer(run: (endpoint: string, seen: Seen[]) => Promise<void>): Promise<void> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      const input = authInputOf(req);
      const entry: Seen = { method: input.method, url, body: Buffer.concat(chunks) };
      seen.push(entry);
      try {
        entry.auth = verifySigV4(input, secretFor);
      } catch (err) {
        if (!(err instanceof S3Error)) throw err;
        entry.error = err;
        res.writeHead(err.status, { 'content-type': 'application/xml' });
        res.end(req.method === 'HEAD' ? undefined : errorXml(err, input.rawPath, 'REQ'));
        return;
      }
      if (input.rawQuery.includes('list-type=2')) {
        res.writeHead(200, { 'content-type': 'application/xml' });
        res.end(buildXml('ListBucketResult', { Name: 'bucket', KeyCount: 0, IsTruncated: false }));
      } else if (input.rawQuery.startsWith('delete')) {
        res.writeHead(200, { 'content-type': 'application/xml' });
        res.end(buildXml('DeleteResult', {}));
      } else {
        res.writeHead(200, { etag: '"0"', 'content-length': '0' });
        res.end();
      }
    });
  });
  await withLoopbackServer(server, (endpoint) => run(endpoint, seen));
}

const client = (endpoint: string, secret = SECRET): S3Client =>
  loopbackClient(endpoint, { accessKeyId: KEY, secretAccessKey: secret });

test('@aws-sdk/client-s3 requests verify over HTTP, odd keys and XML bodies included', async () => {
  await withServer(async (endpoint, seen) => {
    const s3 = client(endpoint);
    const key = "dir/a b+c ü!'()*~$&=?#%.txt";
    await s3.send(
      new PutObjectCommand({ Bucket: 'bucket', Key: key, Body: Buffer.from('hello world') }),
    );
    await s3.send(new HeadObjectCommand({ Bucket: 'bucket', Key: key }));
    const got = await s3.send(
      new GetObjectCommand({ Bucket: 'bucket', Key: key, Range: 'bytes=0-3' }),
    );
    await got.Body?.transformToByteArray();
    await s3.send(
      new ListObjectsV2Command({ Bucket: 'bucket', Prefix: "a b+c/ü!'()*", Delimiter: '/' }),
    );
    const oddKey = 'line\r\nbreak & <tag> "q"';
    await s3.send(
      new DeleteObjectsCommand({
        Bucket: 'bucket',
        Delete: { Objects: [{ Key: oddKey }, { Key: 'b' }] },
      }),
    );
    s3.destroy();

    assert.equal(seen.length, 5);
    for (const entry of seen) {
      assert.equal(entry.error, undefined, `${entry.method} ${entry.url}: ${entry.error?.message}`);
      assert.equal(entry.auth?.accessKeyId, KEY);
    }
    // The SDK hashes small bodies: the hash it signed is the body's.
    const put = seen[0] as Seen;
    assert.equal(put.auth?.payloadMode, 'SHA256');
    assert.equal(put.auth?.payloadSha256, createHash('sha256').update('hello world').digest('hex'));
    const del = seen[4] as Seen;
    assert.equal(del.auth?.payloadSha256, createHash('sha256').update(del.body).digest('hex'));
    const doc = parseXml(del.body.toString('utf8')) as { Delete: { Object: { Key: string }[] } };
    assert.deepEqual(
      doc.Delete.Object.map((o) => o.Key),
      [oddKey, 'b'],
    );
  });
});

test('@aws-sdk/client-s3 surfaces our SignatureDoesNotMatch and InvalidAccessKeyId errors', async () => {
  await withServer(async (endpoint, seen) => {
    const wrong = client(endpoint, 'wrong-secret');
    await assert.rejects(
      wrong.send(new ListObjectsV2Command({ Bucket: 'bucket' })),
      (err: Error & { $metadata?: { httpStatusCode?: number }; StringToSign?: string }) => {
        assert.equal(err.name, 'SignatureDoesNotMatch');
        assert.equal(err.$metadata?.httpStatusCode, 403);
        assert.match(err.StringToSign ?? '', /^AWS4-HMAC-SHA256\n/);
        return true;
      },
    );
    wrong.destroy();
    const unknown = loopbackClient(endpoint, {
      accessKeyId: 'AKIDNOBODY',
      secretAccessKey: SECRET,
    });
    await assert.rejects(unknown.send(new ListObjectsV2Command({ Bucket: 'bucket' })), {
      name: 'InvalidAccessKeyId',
    });
    unknown.destroy();
    assert.equal(seen[0]?.error?.code, 'SignatureDoesNotMatch');
    assert.equal(seen[1]?.error?.code, 'InvalidAccessKeyId');
  });
});
