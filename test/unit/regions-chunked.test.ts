import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { ChecksumAlgorithm as SdkChecksumAlgorithm } from '@aws-sdk/client-s3';
import type { HttpRequest } from '@smithy/types';
import { S3Error } from '../../main/regions/errors.js';
import { algorithmFromHeaderName, createHasher } from '../../main/regions/checksums.js';
import { createChunkedDecoder } from '../../main/regions/auth/chunked.js';
import type { ChunkedDecoderOptions } from '../../main/regions/auth/chunked.js';
import { EMPTY_SHA256, deriveSigningKey, verifySigV4 } from '../../main/regions/auth/sigv4.js';
import type { AuthInput, PayloadMode, VerifiedAuth } from '../../main/regions/auth/sigv4.js';
import {
  DOC_CREDENTIAL,
  DOC_NOW,
  authInputOf,
  chunkStringToSign,
  docSecret,
  loopbackClient,
  sdkSigner,
  sha256Hex,
  trailerStringToSign,
  withLoopbackServer,
} from '../helpers/sigv4-fixtures.js';

// ---- helpers ----

interface Decoded {
  data: Buffer;
  error?: S3Error;
  trailers: Record<string, string>;
  decodedLength: number;
}

/** Feeds `pieces` through a decoder; collects the payload or the S3Error. */
async function decode(
  auth: VerifiedAuth,
  pieces: Buffer[],
  options?: ChunkedDecoderOptions,
): Promise<Decoded> {
  const decoder = createChunkedDecoder(auth, options);
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.push(Buffer.from(chunk));
      done();
    },
  });
  let error: S3Error | undefined;
  try {
    await pipeline(Readable.from(pieces), decoder, sink);
  } catch (err) {
    assert.ok(err instanceof S3Error, `expected S3Error, got ${String(err)}`);
    error = err;
  }
  const result: Decoded = {
    data: Buffer.concat(out),
    trailers: decoder.trailers,
    decodedLength: decoder.decodedLength,
  };
  if (error) result.error = error;
  return result;
}

function oneByteAtATime(body: Buffer): Buffer[] {
  return Array.from({ length: body.length }, (_, i) => body.subarray(i, i + 1));
}

function randomSplits(body: Buffer, seed: number, max = 5000): Buffer[] {
  const parts: Buffer[] = [];
  let x = seed >>> 0;
  let off = 0;
  while (off < body.length) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    const n = 1 + (x % max);
    parts.push(body.subarray(off, off + n));
    off += n;
  }
  return parts;
}

function hmacHex(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text).digest('hex');
}

/** An aws-chunked body as the signed modes frame it, with chained chunk signatures. */
function signedBody(
  auth: Pick<VerifiedAuth, 'amzDate' | 'scope' | 'signingKey' | 'seedSignature'>,
  chunks: Buffer[],
  trailers?: [string, string][],
): Buffer {
  const parts: Buffer[] = [];
  let previous = auth.seedSignature;
  for (const chunk of [...chunks, Buffer.alloc(0)]) {
    const sig = hmacHex(auth.signingKey, chunkStringToSign(auth, previous, sha256Hex(chunk)));
    parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${sig}\r\n`), chunk);
    if (chunk.length > 0) parts.push(Buffer.from('\r\n'));
    previous = sig;
  }
  if (trailers) {
    const canonical = [...trailers]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([n, v]) => `${n}:${v}\n`)
      .join('');
    const sig = hmacHex(auth.signingKey, trailerStringToSign(auth, previous, canonical));
    for (const [n, v] of trailers) parts.push(Buffer.from(`${n}:${v}\r\n`));
    parts.push(Buffer.from(`x-amz-trailer-signature:${sig}\r\n`));
  }
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

function unsignedBody(chunks: Buffer[], trailers: [string, string][] = [], end = '\r\n'): Buffer {
  const parts: Buffer[] = [];
  for (const chunk of chunks) {
    parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n'));
  for (const [n, v] of trailers) parts.push(Buffer.from(`${n}:${v}\r\n`));
  parts.push(Buffer.from(end));
  return Buffer.concat(parts);
}

function fakeAuth(payloadMode: PayloadMode, seedSignature = 'a'.repeat(64)): VerifiedAuth {
  return {
    accessKeyId: 'AKID',
    region: 'us-east-1',
    amzDate: '20260304T050607Z',
    scope: '20260304/us-east-1/s3/aws4_request',
    signingKey: deriveSigningKey('secret', '20260304', 'us-east-1'),
    seedSignature,
    payloadMode,
    presigned: false,
  };
}

// ---- The AWS documentation examples (sigv4-streaming, sigv4-streaming-trailers) ----

const DOC_PAYLOAD = Buffer.alloc(66560, 'a');

function docAuth(trailer: boolean): VerifiedAuth {
  const headers: AuthInput['headers'] = trailer
    ? {
        'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
        'x-amz-date': '20130524T000000Z',
        'x-amz-decoded-content-length': '66560',
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        'x-amz-trailer': 'x-amz-checksum-crc32c',
        authorization:
          `AWS4-HMAC-SHA256 Credential=${DOC_CREDENTIAL},SignedHeaders=content-encoding;host;` +
          'x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;' +
          'x-amz-trailer,Signature=106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e',
      }
    : {
        'content-length': '66824',
        'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        'x-amz-date': '20130524T000000Z',
        'x-amz-decoded-content-length': '66560',
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        authorization:
          `AWS4-HMAC-SHA256 Credential=${DOC_CREDENTIAL},SignedHeaders=content-encoding;` +
          'content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;' +
          'x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
      };
  const input: AuthInput = {
    method: 'PUT',
    rawPath: '/examplebucket/chunkObject.txt',
    rawQuery: '',
    headers: { host: 's3.amazonaws.com', 'content-encoding': 'aws-chunked', ...headers },
  };
  return verifySigV4(input, docSecret, DOC_NOW);
}

const DOC_SIGS = [
  'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
  '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
  'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
];
const DOC_TRAILER_SIGS = [
  'b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2',
  '1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7',
  '2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992',
];
const DOC_TRAILER_SIGNATURE = 'd81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435';

function docBody(sigs: string[], trailer: string): Buffer {
  return Buffer.concat([
    Buffer.from(`10000;chunk-signature=${sigs[0]}\r\n`),
    Buffer.alloc(65536, 'a'),
    Buffer.from(`\r\n400;chunk-signature=${sigs[1]}\r\n`),
    Buffer.alloc(1024, 'a'),
    Buffer.from(`\r\n0;chunk-signature=${sigs[2]}\r\n${trailer}\r\n`),
  ]);
}

const DOC_BODY = docBody(DOC_SIGS, '');
const DOC_TRAILER_BODY = docBody(
  DOC_TRAILER_SIGS,
  `x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:${DOC_TRAILER_SIGNATURE}\r\n`,
);

test('AWS example: the 66560-byte signed upload decodes, whole, byte by byte and in random pieces', async () => {
  const auth = docAuth(false);
  assert.equal(auth.payloadMode, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD');
  assert.equal(
    auth.seedSignature,
    '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
  );
  assert.equal(DOC_BODY.length, 66824, 'the documented Content-Length');
  for (const pieces of [
    [DOC_BODY],
    oneByteAtATime(DOC_BODY),
    randomSplits(DOC_BODY, 1),
    randomSplits(DOC_BODY, 2, 70),
  ]) {
    const r = await decode(auth, pieces, { decodedContentLength: 66560 });
    assert.equal(r.error, undefined, r.error?.message);
    assert.ok(r.data.equals(DOC_PAYLOAD));
    assert.equal(r.decodedLength, 66560);
    assert.deepEqual(r.trailers, {});
  }
});

test('AWS example with a trailer: chunk and trailer signatures verify, the trailer is exposed', async () => {
  const auth = docAuth(true);
  assert.equal(auth.payloadMode, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER');
  for (const pieces of [
    [DOC_TRAILER_BODY],
    oneByteAtATime(DOC_TRAILER_BODY),
    randomSplits(DOC_TRAILER_BODY, 3),
  ]) {
    const r = await decode(auth, pieces);
    assert.equal(r.error, undefined, r.error?.message);
    assert.ok(r.data.equals(DOC_PAYLOAD));
    assert.deepEqual(r.trailers, { 'x-amz-checksum-crc32c': 'sOO8/Q==' });
  }
  // The trailer value is what a server compares with its own checksum of the payload.
  const h = createHasher('CRC32C');
  h.update(DOC_PAYLOAD);
  assert.equal(h.digest().toString('base64'), 'sOO8/Q==');
});

test('AWS example: any flipped byte, signature or chunk order fails with SignatureDoesNotMatch', async () => {
  const auth = docAuth(false);
  const flippedData = Buffer.from(DOC_BODY);
  flippedData[100] = 'b'.charCodeAt(0);
  const flippedLast = Buffer.from(DOC_BODY);
  const lastDataByte = DOC_BODY.length - 2 - 2 - 86 - 2 - 1; // inside the 1 KiB chunk
  flippedLast[lastDataByte] = 'b'.charCodeAt(0);
  const bodies = [
    flippedData,
    flippedLast,
    docBody([DOC_SIGS[0] ?? '', DOC_SIGS[1] ?? '', '0'.repeat(64)], ''),
    docBody([DOC_SIGS[1] ?? '', DOC_SIGS[0] ?? '', DOC_SIGS[2] ?? ''], ''),
    docBody(['short', DOC_SIGS[1] ?? '', DOC_SIGS[2] ?? ''], ''),
    Buffer.from(
      DOC_BODY.toString('latin1').replace(';chunk-signature=ad80', ';chunk-signature=ad81'),
      'latin1',
    ),
    Buffer.from(DOC_BODY.toString('latin1').replace(/;chunk-signature=[0-9a-f]{64}/, ''), 'latin1'),
  ];
  for (const body of bodies) {
    const r = await decode(auth, [body]);
    assert.equal(r.error?.code, 'SignatureDoesNotMatch');
    assert.equal(r.error?.status, 403);
  }
  // Another request's seed cannot be spliced in.
  const other = { ...auth, seedSignature: 'f'.repeat(64) };
  assert.equal((await decode(other, [DOC_BODY])).error?.code, 'SignatureDoesNotMatch');
});

test('AWS example with a trailer: a changed, missing or unsigned trailer fails', async () => {
  const auth = docAuth(true);
  const text = DOC_TRAILER_BODY.toString('latin1');
  const bodies = [
    text.replace('sOO8/Q==', 'sOO8/Q=A'),
    text.replace('x-amz-checksum-crc32c', 'x-amz-checksum-crc32'),
    text.replace(`x-amz-trailer-signature:${DOC_TRAILER_SIGNATURE}\r\n`, ''),
    text.replace(DOC_TRAILER_SIGNATURE, DOC_TRAILER_SIGNATURE.replace('d81f', 'd81e')),
    text.replace(
      'x-amz-checksum-crc32c:sOO8/Q==\r\n',
      'x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-meta-x:1\r\n',
    ),
  ];
  for (const body of bodies) {
    const r = await decode(auth, [Buffer.from(body, 'latin1')]);
    assert.equal(r.error?.code, 'SignatureDoesNotMatch', body.slice(-200));
  }
  // A trailer after the signature is refused outright.
  const late = text.replace(/\r\n\r\n$/, '\r\nx-amz-meta-late:1\r\n\r\n');
  assert.equal((await decode(auth, [Buffer.from(late, 'latin1')])).error?.code, 'InvalidRequest');
});

test('a truncated body fails with IncompleteBody wherever it stops', async () => {
  const auth = docAuth(false);
  const cuts = [
    0,
    1,
    10,
    86,
    87,
    1000,
    65536 + 87,
    65536 + 88,
    65536 + 89,
    DOC_BODY.length - 90,
    DOC_BODY.length - 3,
  ];
  for (const cut of cuts) {
    const r = await decode(auth, [DOC_BODY.subarray(0, cut)]);
    assert.equal(r.error?.code, 'IncompleteBody', `cut at ${cut}`);
    assert.equal(r.error?.status, 400);
  }
  const trailerAuth = docAuth(true);
  for (const cut of [DOC_TRAILER_BODY.length - 50, DOC_TRAILER_BODY.length - 100]) {
    const r = await decode(trailerAuth, [DOC_TRAILER_BODY.subarray(0, cut)]);
    assert.equal(r.error?.code, 'IncompleteBody', `cut at ${cut}`);
  }
});

test('signed chunks are held back until verified; huge ones stream and still fail', async () => {
  const auth = docAuth(false);
  const bad = docBody([DOC_SIGS[0] ?? '', '0'.repeat(64), DOC_SIGS[2] ?? ''], '');
  const held = await decode(auth, [bad]);
  assert.equal(held.error?.code, 'SignatureDoesNotMatch');
  assert.equal(held.data.length, 65536, 'the good first chunk only, nothing of the bad one');
  const streamed = await decode(auth, [bad], { maxHeldChunk: 512 });
  assert.equal(streamed.error?.code, 'SignatureDoesNotMatch');
  assert.equal(streamed.data.length, 65536 + 1024);
});

test('x-amz-decoded-content-length must match the payload', async () => {
  const auth = docAuth(false);
  const less = await decode(auth, [DOC_BODY], { decodedContentLength: 66561 });
  assert.equal(less.error?.code, 'IncompleteBody');
  const more = await decode(auth, [DOC_BODY], { decodedContentLength: 66559 });
  assert.equal(more.error?.code, 'InvalidRequest');
  assert.ok(more.data.length < 66559, 'stopped before passing the declared length');
});

// ---- Unsigned trailer mode, as the JS SDK and the AWS CLI send it ----

test('STREAMING-UNSIGNED-PAYLOAD-TRAILER decodes with and without trailers and final CRLF', async () => {
  const auth = fakeAuth('STREAMING-UNSIGNED-PAYLOAD-TRAILER');
  const chunks = [Buffer.from('abc'), Buffer.from('defgh')];
  const variants: [Buffer, Record<string, string>][] = [
    [
      Buffer.from('3\r\nabc\r\n5\r\ndefgh\r\n0\r\nx-amz-checksum-crc32:ru8qUA==\r\n\r\n'),
      { 'x-amz-checksum-crc32': 'ru8qUA==' },
    ],
    [
      unsignedBody(chunks, [['X-Amz-Checksum-CRC32', ' ru8qUA== ']]),
      { 'x-amz-checksum-crc32': 'ru8qUA==' },
    ],
    [
      unsignedBody(chunks, [['x-amz-checksum-crc32', 'ru8qUA==']], ''),
      { 'x-amz-checksum-crc32': 'ru8qUA==' },
    ],
    [unsignedBody(chunks), {}],
    [unsignedBody(chunks, [], ''), {}], // the SDK without a checksum ends right after "0\r\n"
    [Buffer.from('3;ext=1\r\nabc\r\n5\r\ndefgh\r\n0\r\n\r\n'), {}],
    [Buffer.from('3\nabc\n5\ndefgh\n0\n\n'), {}],
  ];
  for (const [body, trailers] of variants) {
    for (const pieces of [[body], oneByteAtATime(body)]) {
      const r = await decode(auth, pieces, { decodedContentLength: 8 });
      assert.equal(r.error, undefined, `${JSON.stringify(body.toString())}: ${r.error?.message}`);
      assert.equal(r.data.toString(), 'abcdefgh');
      assert.deepEqual(r.trailers, trailers);
    }
  }
  const empty = await decode(auth, [Buffer.from('0\r\n\r\n')], { decodedContentLength: 0 });
  assert.equal(empty.error, undefined);
  assert.equal(empty.data.length, 0);
});

test('malformed framing is InvalidRequest; a short body is IncompleteBody', async () => {
  const unsigned = fakeAuth('STREAMING-UNSIGNED-PAYLOAD-TRAILER');
  const invalid = [
    'zz\r\nabc\r\n0\r\n\r\n',
    '\r\n',
    '-3\r\nabc\r\n0\r\n\r\n',
    '3\r\nabcX\r\n0\r\n\r\n',
    '3\r\nabc\r\r\n0\r\n\r\n',
    '3\r\nabc\r\n0\r\n\r\nextra',
    '3\r\nabc\r\n0\r\nno-colon-here\r\n\r\n',
    '3\r\nabc\r\n0\r\n:empty-name\r\n\r\n',
    `${'0'.repeat(5000)}3\r\nabc\r\n0\r\n\r\n`,
    '100000000000000\r\n',
  ];
  for (const text of invalid) {
    const r = await decode(unsigned, [Buffer.from(text)]);
    assert.equal(r.error?.code, 'InvalidRequest', JSON.stringify(text.slice(0, 40)));
    assert.equal(r.error?.status, 400);
  }
  for (const text of [
    '',
    '3\r\nab',
    '3\r\nabc',
    '3\r\nabc\r\n',
    '3\r\nabc\r\n0',
    '3\r\nabc\r\n0\r\nx-amz-checksum-crc32:AAAA',
  ]) {
    const r = await decode(unsigned, [Buffer.from(text)]);
    assert.equal(r.error?.code, 'IncompleteBody', JSON.stringify(text));
  }
  // Trailers in the signed mode without trailers would be unauthenticated: refused.
  const signedAuth = fakeAuth('STREAMING-AWS4-HMAC-SHA256-PAYLOAD');
  const body = signedBody(signedAuth, [Buffer.from('abc')])
    .toString('latin1')
    .replace(/\r\n$/, 'x-amz-checksum-crc32:AAAA\r\n\r\n');
  assert.equal(
    (await decode(signedAuth, [Buffer.from(body, 'latin1')])).error?.code,
    'InvalidRequest',
  );
});

test('only aws-chunked payload modes are accepted', () => {
  assert.throws(() => createChunkedDecoder(fakeAuth('UNSIGNED-PAYLOAD')), TypeError);
  assert.throws(() => createChunkedDecoder(fakeAuth('SHA256')), TypeError);
});

test('signed trailers: several trailers are signed sorted by name', async () => {
  const auth = fakeAuth('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER');
  const data = randomBytes(10_000);
  const trailers: [string, string][] = [
    ['x-amz-checksum-sha256', createHash('sha256').update(data).digest('base64')],
    ['x-amz-checksum-crc32', createHasher('CRC32').digest().toString('base64')],
  ];
  const body = signedBody(auth, [data.subarray(0, 4096), data.subarray(4096)], trailers);
  const r = await decode(auth, randomSplits(body, 9, 300));
  assert.equal(r.error, undefined, r.error?.message);
  assert.ok(r.data.equals(data));
  assert.deepEqual(r.trailers, Object.fromEntries(trailers));
  // No trailers at all is fine in the trailer mode: there is nothing to trust.
  const bare = signedBody(auth, [data]);
  const r2 = await decode(auth, [bare]);
  assert.equal(r2.error, undefined, r2.error?.message);
  assert.deepEqual(r2.trailers, {});
});

test('memory stays bounded while 1 GiB streams through, signed and unsigned', async () => {
  const GiB = 1024 * 1024 * 1024;
  const chunkSize = 1024 * 1024;
  const chunk = Buffer.alloc(chunkSize, 'z');
  const chunkHash = sha256Hex(chunk);
  for (const mode of [
    'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
    'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  ] as const) {
    const auth = fakeAuth(mode);
    const signed = mode === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
    async function* body(): AsyncGenerator<Buffer> {
      let previous = auth.seedSignature;
      const sign = (hash: string): string => {
        previous = hmacHex(auth.signingKey, chunkStringToSign(auth, previous, hash));
        return previous;
      };
      for (let sent = 0; sent < GiB; sent += chunkSize) {
        const header = signed ? `100000;chunk-signature=${sign(chunkHash)}\r\n` : '100000\r\n';
        // Header, data and CRLF arrive in one piece, split in the middle of the data.
        const framed = Buffer.concat([Buffer.from(header), chunk, Buffer.from('\r\n')]);
        yield framed.subarray(0, 1000);
        yield framed.subarray(1000);
      }
      yield Buffer.from(signed ? `0;chunk-signature=${sign(EMPTY_SHA256)}\r\n\r\n` : '0\r\n\r\n');
    }
    const decoder = createChunkedDecoder(auth, { decodedContentLength: GiB });
    let received = 0;
    let peak = 0;
    const before = process.memoryUsage().arrayBuffers;
    const sink = new Writable({
      highWaterMark: 4 * chunkSize,
      write(piece: Buffer, _enc, done) {
        received += piece.length;
        if ((received & (64 * chunkSize - 1)) < piece.length) {
          peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
        }
        done();
      },
    });
    await pipeline(Readable.from(body()), decoder, sink);
    assert.equal(received, GiB);
    assert.equal(decoder.decodedLength, GiB);
    assert.ok(peak < 256 * 1024 * 1024, `${mode}: ${Math.round(peak / 1048576)} MiB held`);
  }
});

// ---- Round trips with the SDK's signer, and with the real client over HTTP ----

const KEY = 'AKIDCHUNKED';
const SECRET = 'chunked/secret';
const secretFor = (id: string): string | undefined => (id === KEY ? SECRET : undefined);

test('bodies signed with @smithy/signature-v4 decode; one flipped byte fails', async () => {
  const signingDate = new Date('2026-05-06T07:08:09Z');
  const signer = sdkSigner('eu-west-1', { accessKeyId: KEY, secretAccessKey: SECRET });
  const data = randomBytes(200_000);
  const chunks = [0, 65536, 131072, 196608].map((o) => data.subarray(o, o + 65536));
  for (const mode of [
    'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
  ] as const) {
    const trailer = mode.endsWith('TRAILER');
    const crc = createHasher('CRC32');
    crc.update(data);
    const checksum = crc.digest().toString('base64');
    const req: HttpRequest = {
      method: 'PUT',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 9000,
      path: '/bucket/big%20object',
      query: {},
      headers: {
        host: '127.0.0.1:9000',
        'content-encoding': 'aws-chunked',
        'x-amz-content-sha256': mode,
        'x-amz-decoded-content-length': String(data.length),
        ...(trailer ? { 'x-amz-trailer': 'x-amz-checksum-crc32' } : {}),
      },
    };
    const signed = (await signer.sign(req, { signingDate })) as HttpRequest;
    const auth = verifySigV4(
      { method: 'PUT', rawPath: signed.path, rawQuery: '', headers: { ...signed.headers } },
      secretFor,
      signingDate,
    );
    assert.equal(auth.payloadMode, mode);
    // Chunk and trailer signatures from the SDK's signString, chained from its seed.
    let previous = auth.seedSignature;
    const parts: Buffer[] = [];
    for (const chunk of [...chunks, Buffer.alloc(0)]) {
      previous = await signer.sign(chunkStringToSign(auth, previous, sha256Hex(chunk)), {
        signingDate,
      });
      parts.push(
        Buffer.from(`${chunk.length.toString(16)};chunk-signature=${previous}\r\n`),
        chunk,
      );
      if (chunk.length > 0) parts.push(Buffer.from('\r\n'));
    }
    if (trailer) {
      const canonical = `x-amz-checksum-crc32:${checksum}\n`;
      const sig = await signer.sign(trailerStringToSign(auth, previous, canonical), {
        signingDate,
      });
      parts.push(
        Buffer.from(`x-amz-checksum-crc32:${checksum}\r\nx-amz-trailer-signature:${sig}\r\n`),
      );
    }
    parts.push(Buffer.from('\r\n'));
    const body = Buffer.concat(parts);

    const ok = await decode(auth, randomSplits(body, 42, 9000), {
      decodedContentLength: data.length,
    });
    assert.equal(ok.error, undefined, ok.error?.message);
    assert.ok(ok.data.equals(data));
    assert.deepEqual(ok.trailers, trailer ? { 'x-amz-checksum-crc32': checksum } : {});

    for (const at of [200, 70_000, body.length - 200]) {
      const flipped = Buffer.from(body);
      flipped[at] = (flipped[at] as number) ^ 0x01;
      const r = await decode(auth, [flipped]);
      assert.ok(r.error, `flip at ${at}`);
      assert.ok(['SignatureDoesNotMatch', 'InvalidRequest'].includes(r.error.code), r.error.code);
    }
  }
});

test('@aws-sdk/client-s3 streaming uploads decode and their checksum trailers match', async () => {
  const received: {
    auth: VerifiedAuth;
    data: Buffer;
    trailers: Record<string, string>;
    trailerHeader: string;
  }[] = [];
  const server = createServer((req, res) => {
    const fail = (status: number, message: string): void => {
      res.writeHead(status);
      res.end(message);
    };
    let auth: VerifiedAuth;
    try {
      auth = verifySigV4({ ...authInputOf(req), method: req.method ?? '' }, secretFor);
    } catch (err) {
      fail(403, String(err));
      return;
    }
    const decoder = createChunkedDecoder(auth, {
      decodedContentLength: Number(req.headers['x-amz-decoded-content-length']),
    });
    const out: Buffer[] = [];
    decoder.on('data', (c: Buffer) => out.push(c));
    pipeline(req, decoder).then(
      () => {
        received.push({
          auth,
          data: Buffer.concat(out),
          trailers: decoder.trailers,
          trailerHeader: String(req.headers['x-amz-trailer']),
        });
        res.writeHead(200, { etag: '"0"', 'content-length': '0' });
        res.end();
      },
      (err: unknown) => fail(400, String(err)),
    );
  });
  await withLoopbackServer(server, async (endpoint) => {
    const s3 = loopbackClient(endpoint, { accessKeyId: KEY, secretAccessKey: SECRET });
    try {
      const data = randomBytes(300_000);
      const algorithms: (SdkChecksumAlgorithm | undefined)[] = [
        undefined,
        'CRC32C',
        'SHA1',
        'SHA256',
        'CRC64NVME',
      ];
      for (const alg of algorithms) {
        const pieces = randomSplits(data, 7, 70_000);
        await s3.send(
          new PutObjectCommand({
            Bucket: 'bucket',
            Key: 'streamed',
            Body: Readable.from(pieces),
            ContentLength: data.length,
            ...(alg ? { ChecksumAlgorithm: alg } : {}),
          }),
        );
      }
    } finally {
      s3.destroy();
    }
  });
  assert.equal(received.length, 5);
  const seenAlgorithms: string[] = [];
  for (const r of received) {
    assert.equal(r.auth.payloadMode, 'STREAMING-UNSIGNED-PAYLOAD-TRAILER');
    assert.equal(r.data.length, 300_000);
    // How a server uses the trailer: x-amz-trailer names it, the hasher checks it.
    const alg = algorithmFromHeaderName(r.trailerHeader);
    assert.ok(alg, r.trailerHeader);
    seenAlgorithms.push(alg);
    const h = createHasher(alg);
    h.update(r.data);
    assert.equal(r.trailers[r.trailerHeader], h.digest().toString('base64'), alg);
  }
  assert.deepEqual(seenAlgorithms, ['CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME']);
});
