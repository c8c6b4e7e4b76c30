import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Crc32 } from '@aws-crypto/crc32';
import { Crc32c } from '@aws-crypto/crc32c';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';
import {
  CHECKSUM_ALGORITHMS,
  algorithmFromHeaderName,
  checksumBase64,
  checksumByteLength,
  checksumHeaderName,
  createHasher,
  parseChecksumAlgorithm,
} from '../../main/regions/checksums.js';
import type { ChecksumAlgorithm } from '../../main/regions/checksums.js';

const CHECK = Buffer.from('123456789');

function digestHex(alg: ChecksumAlgorithm | 'MD5', ...parts: Uint8Array[]): string {
  const h = createHasher(alg);
  for (const p of parts) h.update(p);
  return h.digest().toString('hex');
}

/** Feeds data in random-sized pieces (including empty ones). */
function randomSplit(data: Buffer, seed: number): Buffer[] {
  const parts: Buffer[] = [];
  let x = seed;
  let off = 0;
  while (off < data.length) {
    x = (x * 1103515245 + 12345) >>> 0;
    const n = x % 37;
    parts.push(data.subarray(off, off + n));
    off += n;
  }
  return parts;
}

test('the algorithm list and header names match S3', () => {
  assert.deepEqual([...CHECKSUM_ALGORITHMS], ['CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME']);
  assert.equal(checksumHeaderName('CRC32'), 'x-amz-checksum-crc32');
  assert.equal(checksumHeaderName('CRC32C'), 'x-amz-checksum-crc32c');
  assert.equal(checksumHeaderName('SHA1'), 'x-amz-checksum-sha1');
  assert.equal(checksumHeaderName('SHA256'), 'x-amz-checksum-sha256');
  assert.equal(checksumHeaderName('CRC64NVME'), 'x-amz-checksum-crc64nvme');
  for (const alg of CHECKSUM_ALGORITHMS) {
    assert.equal(algorithmFromHeaderName(checksumHeaderName(alg)), alg);
    assert.equal(algorithmFromHeaderName(checksumHeaderName(alg).toUpperCase()), alg);
  }
  assert.equal(algorithmFromHeaderName('X-Amz-Checksum-Crc32c'), 'CRC32C');
  assert.equal(algorithmFromHeaderName('x-amz-checksum-md5'), undefined);
  assert.equal(algorithmFromHeaderName('x-amz-checksum-type'), undefined);
  assert.equal(algorithmFromHeaderName('content-md5'), undefined);
  assert.equal(parseChecksumAlgorithm('crc64nvme'), 'CRC64NVME');
  assert.equal(parseChecksumAlgorithm('SHA256'), 'SHA256');
  assert.equal(parseChecksumAlgorithm('MD5'), undefined);
  assert.equal(parseChecksumAlgorithm('CRC16'), undefined);
});

test('CRCs match their published check values for "123456789"', () => {
  assert.equal(digestHex('CRC32', CHECK), 'cbf43926');
  assert.equal(digestHex('CRC32C', CHECK), 'e3069283');
  assert.equal(digestHex('CRC64NVME', CHECK), 'ae8b14860a799888');
});

test('SHA1, SHA256 and MD5 match their known digests', () => {
  assert.equal(digestHex('SHA1', CHECK), 'f7c3bc1d808e04732adf679965ccc34ca7ae3441');
  assert.equal(
    digestHex('SHA256', CHECK),
    '15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225',
  );
  assert.equal(digestHex('MD5', CHECK), '25f9e794323b453885f5181f1b624d0b');
  assert.equal(digestHex('MD5'), 'd41d8cd98f00b204e9800998ecf8427e');
});

test('empty input gives the initial CRC values', () => {
  assert.equal(digestHex('CRC32'), '00000000');
  assert.equal(digestHex('CRC32C'), '00000000');
  assert.equal(digestHex('CRC64NVME'), '0000000000000000');
  assert.equal(
    digestHex('SHA256'),
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  );
});

test('digests have the byte lengths S3 expects', () => {
  for (const alg of [...CHECKSUM_ALGORITHMS, 'MD5' as const]) {
    const h = createHasher(alg);
    h.update(CHECK);
    assert.equal(h.digest().length, checksumByteLength(alg), alg);
  }
  assert.equal(checksumByteLength('CRC32'), 4);
  assert.equal(checksumByteLength('CRC64NVME'), 8);
  assert.equal(checksumByteLength('SHA256'), 32);
});

test('base64 values are those S3 shows for "hello world" style inputs', () => {
  // The SDK sent x-amz-checksum-crc32: DUoRhQ== for "hello world" (captured on the wire).
  assert.equal(checksumBase64('CRC32', Buffer.from('hello world')), 'DUoRhQ==');
  assert.equal(checksumBase64('CRC32', Buffer.from('abcdefgh')), 'ru8qUA==');
  // The AWS streaming-trailer example: 66560 bytes of 'a' has CRC32C sOO8/Q==.
  assert.equal(checksumBase64('CRC32C', Buffer.alloc(66560, 'a')), 'sOO8/Q==');
  assert.equal(
    checksumBase64('SHA256', Buffer.from('hello world')),
    createHash('sha256').update('hello world').digest('base64'),
  );
});

test('results agree with the AWS packages on random data, however it is split', async () => {
  for (const size of [0, 1, 7, 8, 9, 63, 64, 65, 1000, 65536 + 3]) {
    const data = randomBytes(size);
    const parts = randomSplit(data, size + 1);
    const crc32 = new Crc32().update(data).digest();
    const crc32c = new Crc32c().update(data).digest();
    const crc64 = new Crc64Nvme();
    crc64.update(data);
    const crc64hex = Buffer.from(await crc64.digest()).toString('hex');
    for (const input of [[data], parts]) {
      assert.equal(digestHex('CRC32', ...input), crc32.toString(16).padStart(8, '0'), `${size}`);
      assert.equal(digestHex('CRC32C', ...input), crc32c.toString(16).padStart(8, '0'), `${size}`);
      assert.equal(digestHex('CRC64NVME', ...input), crc64hex, `${size}`);
      for (const [alg, name] of [
        ['SHA1', 'sha1'],
        ['SHA256', 'sha256'],
        ['MD5', 'md5'],
      ] as const) {
        assert.equal(digestHex(alg, ...input), createHash(name).update(data).digest('hex'));
      }
    }
  }
});

test('one byte at a time equals all at once', () => {
  const data = randomBytes(301);
  for (const alg of [...CHECKSUM_ALGORITHMS, 'MD5' as const]) {
    const bytes = [...data].map((b) => Uint8Array.of(b));
    assert.equal(digestHex(alg, ...bytes), digestHex(alg, data), alg);
  }
});

test('subarray views hash only their own bytes', () => {
  const backing = Buffer.from('xx123456789yy');
  const view = new Uint8Array(backing.buffer, backing.byteOffset + 2, 9);
  for (const alg of [...CHECKSUM_ALGORITHMS, 'MD5' as const]) {
    assert.equal(digestHex(alg, view), digestHex(alg, CHECK), alg);
  }
});

test('a changed byte changes every checksum', () => {
  const data = randomBytes(4096);
  const flipped = Buffer.from(data);
  flipped[1234] = (flipped[1234] as number) ^ 1;
  for (const alg of [...CHECKSUM_ALGORITHMS, 'MD5' as const]) {
    assert.notEqual(digestHex(alg, data), digestHex(alg, flipped), alg);
  }
});

test('an unknown algorithm is a programming error', () => {
  assert.throws(() => createHasher('CRC16' as ChecksumAlgorithm), TypeError);
});
