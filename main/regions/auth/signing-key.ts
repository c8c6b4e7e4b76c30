// SigV4's signing key and signature comparison.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { sha256Hex } from './canonical-request.js';

export const SERVICE = 's3';

export function hmacSha256(key: Uint8Array | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

const keyCache = new Map<string, Buffer>();
const KEY_CACHE_MAX = 256;

/** kSigning = HMAC chain over date, region, service, "aws4_request"; cached per day and region. */
export function deriveSigningKey(
  secret: string,
  date: string,
  region: string,
  service = SERVICE,
): Buffer {
  // Keyed by a digest so the secret itself is not kept as a map key.
  const cacheKey = sha256Hex(`${secret}\n${date}\n${region}\n${service}`);
  const cached = keyCache.get(cacheKey);
  if (cached) return cached;
  const kDate = hmacSha256(`AWS4${secret}`, date);
  const kRegion = hmacSha256(kDate, region);
  const kService = hmacSha256(kRegion, service);
  const key = hmacSha256(kService, 'aws4_request');
  if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
  keyCache.set(cacheKey, key);
  return key;
}

/** Constant-time comparison of two lower-case hex signatures. */
export function signaturesEqual(expected: string, provided: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(provided) || expected.length !== provided.length) return false;
  return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(provided, 'hex'));
}
