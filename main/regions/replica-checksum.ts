// The checksum of a replica, computed from the replica's own stored bytes (never copied from the
// source): at replication time from the blob just written at the destination, and again on a
// checksum read (HEAD/GET with x-amz-checksum-mode: ENABLED) whenever the blob file changed since
// it was last hashed. So a replica whose bytes differ from the source's shows a different checksum,
// and "same version id and same checksum" really compares the bytes of both copies.
import { createHasher, type ChecksumAlgorithm } from './checksums.js';
import type { BlobStore } from './store/blobs.js';
import type { ChecksumType, PartLayout, StoredChecksum } from './store/objects.js';

export interface ReplicaHash {
  checksum: StoredChecksum;
  /** The layout with every part checksum (COMPOSITE) recomputed from the blob. */
  parts?: PartLayout[];
}

interface Shape {
  blob: string;
  size: number;
  parts?: PartLayout[];
}

/** Hashes a single-blob object: the whole content, or per part for a COMPOSITE checksum. */
async function hashBlob(
  blobs: BlobStore,
  v: Shape,
  algorithm: ChecksumAlgorithm,
  type: ChecksumType,
): Promise<ReplicaHash> {
  if (type !== 'COMPOSITE' || !v.parts || v.parts.length === 0) {
    const h = createHasher(algorithm);
    if (v.size > 0) for await (const chunk of blobs.read(v.blob)) h.update(chunk as Buffer);
    return { checksum: { algorithm, type, value: h.digest().toString('base64') } };
  }
  const composite = createHasher(algorithm);
  const parts: PartLayout[] = [];
  let offset = 0;
  for (const part of v.parts) {
    const h = createHasher(algorithm);
    if (part.size > 0) {
      for await (const chunk of blobs.read(v.blob, offset, offset + part.size - 1))
        h.update(chunk as Buffer);
    }
    offset += part.size;
    const digest = h.digest();
    composite.update(digest);
    parts.push(
      part.checksum !== undefined
        ? { size: part.size, checksum: digest.toString('base64') }
        : { size: part.size },
    );
  }
  const value = `${composite.digest().toString('base64')}-${v.parts.length}`;
  return { checksum: { algorithm, type, value }, parts };
}

const CACHE_LIMIT = 10_000;

/** Remembers each replica blob's hash with the file signature it was computed for. */
export class ReplicaChecksums {
  private readonly cache = new Map<string, { sig: string; key: string; hash: ReplicaHash }>();

  constructor(private readonly blobs: BlobStore) {}

  /** The checksum of the replica's stored bytes (rehashed only when the file changed). */
  async of(v: Shape, algorithm: ChecksumAlgorithm, type: ChecksumType): Promise<ReplicaHash> {
    const sig = await this.blobs.signature(v.blob);
    const key = `${algorithm}:${type}`;
    const hit = this.cache.get(v.blob);
    if (hit && hit.sig === sig && hit.key === key) return hit.hash;
    const hash = await hashBlob(this.blobs, v, algorithm, type);
    // The file may have changed while it was read: remember the hash only if it did not.
    if ((await this.blobs.signature(v.blob)) === sig) {
      if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value ?? '');
      this.cache.set(v.blob, { sig, key, hash });
    }
    return hash;
  }

  forget(blob: string | null): void {
    if (blob) this.cache.delete(blob);
  }
}
