// Streams a byte range of a file as a request body and retries the request with a fresh
// stream on transient errors: the SDK never retries a streamed body (it cannot rewind it),
// so without this a dropped connection would fail every upload at once.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { Transform, pipeline, type Readable, type TransformCallback } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { classifyS3Error } from './s3-errors.js';

/** The file no longer has the bytes the upload was planned with. */
export class FileChangedError extends Error {
  override readonly name = 'FileChangedError';
}

class RangeBody extends Transform {
  sent = 0;
  private readonly sha = createHash('sha256');

  constructor(
    private readonly expected: number,
    private readonly onBytes: (delta: number) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.sent += chunk.length;
    this.sha.update(chunk);
    this.onBytes(chunk.length);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    // A shorter file would leave the request waiting for bytes that never come.
    if (this.sent !== this.expected) {
      cb(new FileChangedError(`expected ${this.expected} bytes, the file gave ${this.sent}`));
    } else cb();
  }

  sha256(): string {
    return this.sha.digest('hex');
  }
}

export interface RangeSend<T> {
  filePath: string;
  start: number;
  length: number;
  /** The caller's cancellation (user abort, or the sibling parts failing). */
  signal: AbortSignal | undefined;
  maxAttempts: number;
  /** Bytes streamed; negative to take back an attempt that failed. */
  onBytes: (delta: number) => void;
  send: (body: Readable | Uint8Array, abortSignal: AbortSignal) => Promise<T>;
  /** Errors that are worth another attempt with a fresh stream. */
  retryable: (err: unknown) => boolean;
}

export type RangeOutcome<T> =
  | { ok: true; value: T; attempts: number; sentSha256: string }
  | { ok: false; error: unknown; attempts: number; fileChanged: boolean };

const EMPTY_SHA256 = createHash('sha256').digest('hex');

export function backoffMs(attempt: number): number {
  const cap = Math.min(200 * 2 ** (attempt - 1), 5000);
  return Math.round(cap * (0.5 + Math.random() / 2));
}

async function attemptOnce<T>(o: RangeSend<T>): Promise<RangeOutcome<T> & { sent: number }> {
  const local = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, local.signal]) : local.signal;
  if (o.length === 0) {
    try {
      const value = await o.send(new Uint8Array(0), signal);
      return { ok: true, value, attempts: 1, sentSha256: EMPTY_SHA256, sent: 0 };
    } catch (error) {
      return { ok: false, error, attempts: 1, fileChanged: false, sent: 0 };
    }
  }
  const body = new RangeBody(o.length, o.onBytes);
  let streamError: Error | undefined;
  const source = fs.createReadStream(o.filePath, {
    start: o.start,
    end: o.start + o.length - 1,
    highWaterMark: 1024 * 1024,
  });
  pipeline(source, body, (err) => {
    if (err && !signal.aborted) {
      streamError = err;
      // The SDK pipes the body without watching it for errors: abort the request instead.
      local.abort(err);
    }
  });
  try {
    const value = await o.send(body, signal);
    return { ok: true, value, attempts: 1, sentSha256: body.sha256(), sent: body.sent };
  } catch (error) {
    source.destroy();
    const e = streamError as (Error & { code?: string }) | undefined;
    const fileChanged = e instanceof FileChangedError || e?.code === 'ENOENT';
    return { ok: false, error: streamError ?? error, attempts: 1, fileChanged, sent: body.sent };
  }
}

/** Sends the range, retrying transient failures with backoff; never throws. */
export async function sendRange<T>(o: RangeSend<T>): Promise<RangeOutcome<T>> {
  for (let attempt = 1; ; attempt++) {
    const r = await attemptOnce(o);
    if (r.ok) return { ok: true, value: r.value, attempts: attempt, sentSha256: r.sentSha256 };
    o.onBytes(-r.sent);
    const again =
      !r.fileChanged && !o.signal?.aborted && attempt < o.maxAttempts && o.retryable(r.error);
    if (!again) return { ok: false, error: r.error, attempts: attempt, fileChanged: r.fileChanged };
    try {
      await sleep(backoffMs(attempt), undefined, o.signal ? { signal: o.signal } : {});
    } catch (error) {
      return { ok: false, error, attempts: attempt, fileChanged: false };
    }
  }
}

/** Transient by classification: 5xx, throttling, dropped connections. */
export function isTransient(err: unknown): boolean {
  return classifyS3Error(err).kind === 'transient';
}
