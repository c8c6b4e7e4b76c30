// Digests of local content as S3 computes them (flexible checksums, ETag MD5) and the one
// read of a file that yields everything an upload needs before it starts: the sha256 for
// the lineage, the full-object CRC64NVME and the CRC64NVME of every part.
import { Crc32 } from '@aws-crypto/crc32';
import { Crc32c } from '@aws-crypto/crc32c';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';
import { createHash } from 'node:crypto';
import fs from 'node:fs';

export type S3ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256';

export interface Digest {
  update(chunk: Uint8Array): void;
  digest(): Promise<Buffer>;
}

function crc32Digest(impl: Crc32 | Crc32c): Digest {
  return {
    update: (chunk) => void impl.update(chunk),
    digest: async () => {
      const out = Buffer.alloc(4);
      out.writeUInt32BE(impl.digest() >>> 0);
      return out;
    },
  };
}

/** A digest with the byte layout S3 uses for `x-amz-checksum-*` (base64 of these bytes). */
export function createDigest(algorithm: S3ChecksumAlgorithm | 'MD5'): Digest {
  switch (algorithm) {
    case 'CRC32':
      return crc32Digest(new Crc32());
    case 'CRC32C':
      return crc32Digest(new Crc32c());
    case 'CRC64NVME': {
      const impl = new Crc64Nvme();
      return {
        update: (c) => impl.update(c),
        digest: async () => Buffer.from(await impl.digest()),
      };
    }
    default: {
      const h = createHash(algorithm === 'MD5' ? 'md5' : algorithm.toLowerCase());
      return { update: (c) => void h.update(c), digest: async () => h.digest() };
    }
  }
}

export interface FileStamp {
  size: number;
  mtimeMs: number;
  ino: number;
}

/** Size, mtime and inode: an editor that saves by replacing the file changes the inode. */
export async function stampFile(filePath: string): Promise<FileStamp> {
  const st = await fs.promises.stat(filePath);
  if (!st.isFile()) {
    throw Object.assign(new Error(`'${filePath}' is not a regular file`), { code: 'EISDIR' });
  }
  return { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
}

export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

export interface FileDigest {
  size: number;
  /** Hex. */
  sha256: string;
  /** Base64 CRC64NVME of the whole file. */
  crc64: string;
  /** Base64 CRC64NVME of each part, when a part size was given. */
  partCrc64: string[];
  /** Hex MD5 of the whole file: a single PUT's ETag on most services, checked where no checksum is verified. */
  md5: string;
  /** Hex MD5 of each part: the part's ETag. */
  partMd5: string[];
}

const READ_CHUNK = 1024 * 1024;

/** Reads the file once; with `partSize`, also the CRC64NVME of each part of that size. */
export async function digestFile(
  filePath: string,
  opts: { partSize?: number; signal?: AbortSignal } = {},
): Promise<FileDigest> {
  const sha = createHash('sha256');
  const md5 = createHash('md5');
  const whole = new Crc64Nvme();
  const parts: Promise<Uint8Array>[] = [];
  const partMd5: string[] = [];
  const partSize = opts.partSize;
  let part = partSize !== undefined ? new Crc64Nvme() : undefined;
  let partHash = createHash('md5');
  let inPart = 0;
  let size = 0;
  const stream = fs.createReadStream(filePath, {
    highWaterMark: READ_CHUNK,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  for await (const raw of stream) {
    const chunk = raw as Buffer;
    sha.update(chunk);
    md5.update(chunk);
    whole.update(chunk);
    size += chunk.length;
    if (part === undefined || partSize === undefined) continue;
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(partSize - inPart, chunk.length - offset);
      const slice = chunk.subarray(offset, offset + take);
      part.update(slice);
      partHash.update(slice);
      inPart += take;
      offset += take;
      if (inPart === partSize) {
        parts.push(part.digest());
        partMd5.push(partHash.digest('hex'));
        part = new Crc64Nvme();
        partHash = createHash('md5');
        inPart = 0;
      }
    }
  }
  if (part !== undefined && inPart > 0) {
    parts.push(part.digest());
    partMd5.push(partHash.digest('hex'));
  }
  const b64 = (u: Uint8Array): string => Buffer.from(u).toString('base64');
  return {
    size,
    sha256: sha.digest('hex'),
    crc64: b64(await whole.digest()),
    partCrc64: (await Promise.all(parts)).map(b64),
    md5: md5.digest('hex'),
    partMd5,
  };
}
