// Object bytes on disk. Every blob is written to a temp file, fsynced, then renamed into
// place, so a crash never leaves a half-written blob under a name the metadata points to.
import { randomBytes } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface TempBlob {
  tmp: string;
  size: number;
}

export type ChunkListener = (chunk: Buffer) => void;

export class BlobStore {
  private readonly blobDir: string;
  private readonly tmpDir: string;

  constructor(dataDir: string) {
    this.blobDir = path.join(dataDir, 'blobs');
    this.tmpDir = path.join(dataDir, 'tmp');
  }

  /** Creates the folders and drops temp files left by a crash. */
  async init(): Promise<void> {
    await fs.mkdir(this.blobDir, { recursive: true, mode: 0o700 });
    await fs.rm(this.tmpDir, { recursive: true, force: true });
    await fs.mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
  }

  /** Writes a stream to a temp file (fsynced), calling onChunk for every chunk written. */
  async receive(
    source: AsyncIterable<Buffer | string> | Iterable<Buffer>,
    onChunk?: ChunkListener,
  ): Promise<TempBlob> {
    const tmp = path.join(this.tmpDir, randomBytes(16).toString('hex'));
    const handle = await fs.open(tmp, 'wx', 0o600);
    let size = 0;
    try {
      for await (const piece of source) {
        const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
        if (chunk.length === 0) continue;
        onChunk?.(chunk);
        size += chunk.length;
        await handle.write(chunk);
      }
      await handle.sync();
    } catch (err) {
      await handle.close().catch(() => undefined);
      await fs.rm(tmp, { force: true });
      throw err;
    }
    await handle.close();
    return { tmp, size };
  }

  /** Moves a finished temp file into the store and returns the new blob id. */
  async commit(tmp: string): Promise<string> {
    const id = randomBytes(16).toString('hex');
    const target = this.pathOf(id);
    await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    await fs.rename(tmp, target);
    return id;
  }

  async discard(tmp: string): Promise<void> {
    await fs.rm(tmp, { force: true });
  }

  read(id: string, start?: number, end?: number): ReadStream {
    const opts: { start?: number; end?: number; highWaterMark: number } = {
      highWaterMark: 256 * 1024,
    };
    if (start !== undefined) opts.start = start;
    if (end !== undefined) opts.end = end;
    return createReadStream(this.pathOf(id), opts);
  }

  /**
   * Bytes start..end (inclusive) of an object stored as one blob, or as the blobs of its parts
   * (objects made by CompleteMultipartUpload).
   */
  readObject(
    v: { blob: string | null; parts?: { size: number; blob?: string }[] },
    start: number,
    end: number,
  ): Readable {
    if (end < start) return Readable.from([]);
    if (v.blob) return this.read(v.blob, start, end);
    const parts = v.parts ?? [];
    const read = (id: string, s: number, e: number): AsyncIterable<Buffer> => this.read(id, s, e);
    async function* pieces(): AsyncGenerator<Buffer> {
      let offset = 0;
      for (const part of parts) {
        const first = Math.max(start, offset);
        const last = Math.min(end, offset + part.size - 1);
        if (first <= last) {
          if (!part.blob) throw new Error('object part without a blob');
          yield* read(part.blob, first - offset, last - offset);
        }
        offset += part.size;
        if (offset > end) break;
      }
    }
    return Readable.from(pieces(), { objectMode: false });
  }

  /** A signature of the blob file's state (size, inode, mtime, ctime): changes when it is rewritten. */
  async signature(id: string): Promise<string> {
    const st = await fs.stat(this.pathOf(id), { bigint: true });
    return `${st.size}:${st.ino}:${st.mtimeNs}:${st.ctimeNs}`;
  }

  async remove(id: string | null | undefined): Promise<void> {
    if (!id) return;
    await fs.rm(this.pathOf(id), { force: true });
  }

  /** Deletes blobs that no metadata row refers to (left by a crash between rename and commit). */
  async sweep(isReferenced: (id: string) => boolean): Promise<number> {
    let removed = 0;
    const shards = await fs.readdir(this.blobDir).catch(() => [] as string[]);
    for (const shard of shards) {
      const dir = path.join(this.blobDir, shard);
      const names = await fs.readdir(dir).catch(() => [] as string[]);
      for (const name of names) {
        if (!isReferenced(name)) {
          await fs.rm(path.join(dir, name), { force: true });
          removed++;
        }
      }
    }
    return removed;
  }

  private pathOf(id: string): string {
    if (!/^[0-9a-f]{32}$/.test(id)) throw new Error(`bad blob id ${id}`);
    return path.join(this.blobDir, id.slice(0, 2), id);
  }
}
