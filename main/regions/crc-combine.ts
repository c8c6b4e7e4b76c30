// The CRC of a concatenation from the CRCs of its pieces, without reading the bytes again
// (zlib's crc32_combine method, for the reflected CRCs S3 uses as FULL_OBJECT checksums).
// Used by CompleteMultipartUpload: the object's checksum comes from the parts' checksums.
import type { ChecksumAlgorithm } from './checksums.js';

export type CombinableAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME';

interface Spec {
  width: bigint;
  poly: bigint; // reflected
  table: bigint[]; // table[k] = x^(2^k) mod p
}

const POLYS: Record<CombinableAlgorithm, [width: bigint, poly: bigint]> = {
  CRC32: [32n, 0xedb88320n],
  CRC32C: [32n, 0x82f63b78n],
  CRC64NVME: [64n, 0x9a6c9329ac4bc9b5n],
};

const specs = new Map<CombinableAlgorithm, Spec>();

export function isCombinable(alg: ChecksumAlgorithm): alg is CombinableAlgorithm {
  return alg in POLYS;
}

/** a * b modulo the CRC polynomial, both in reflected bit order (x^0 is the top bit). */
function multModP(s: Spec, a: bigint, b: bigint): bigint {
  if (a === 0n) return 0n;
  let m = 1n << (s.width - 1n);
  let p = 0n;
  let bb = b;
  for (;;) {
    if (a & m) {
      p ^= bb;
      if ((a & (m - 1n)) === 0n) break;
    }
    m >>= 1n;
    bb = bb & 1n ? (bb >> 1n) ^ s.poly : bb >> 1n;
  }
  return p;
}

function spec(alg: CombinableAlgorithm): Spec {
  let s = specs.get(alg);
  if (!s) {
    const [width, poly] = POLYS[alg];
    s = { width, poly, table: [] };
    let x = 1n << (width - 2n); // x^1
    for (let k = 0; k < 80; k++) {
      s.table.push(x);
      x = multModP(s, x, x);
    }
    specs.set(alg, s);
  }
  return s;
}

/** x^(n * 2^k) mod p. */
function xPow(s: Spec, n: bigint, k: number): bigint {
  let p = 1n << (s.width - 1n); // x^0
  let i = k;
  for (let m = n; m > 0n; m >>= 1n, i++) {
    if (m & 1n) p = multModP(s, s.table[i] as bigint, p);
  }
  return p;
}

function toBig(digest: Buffer): bigint {
  return BigInt(`0x${digest.toString('hex') || '0'}`);
}

function toDigest(v: bigint, width: bigint): Buffer {
  return Buffer.from(v.toString(16).padStart(Number(width / 4n), '0'), 'hex');
}

/**
 * The base64 CRC of the concatenated pieces, given each piece's base64 CRC (as S3 sends it,
 * big-endian) and length.
 */
export function combineCrcs(
  alg: CombinableAlgorithm,
  pieces: { checksum: string; size: number }[],
): string {
  const s = spec(alg);
  let crc = 0n;
  for (const piece of pieces) {
    // Shifting the running CRC over `size` zero bytes is multiplying it by x^(8 * size).
    crc =
      multModP(s, xPow(s, BigInt(piece.size), 3), crc) ^
      toBig(Buffer.from(piece.checksum, 'base64'));
  }
  return toDigest(crc, s.width).toString('base64');
}
