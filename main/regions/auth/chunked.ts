// Decoder for aws-chunked request bodies (SigV4 streaming uploads), signed or not, with trailers.
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { S3Error } from '../errors.js';
import { EMPTY_SHA256, hmacSha256, sha256Hex, signaturesEqual } from './sigv4.js';
import type { VerifiedAuth } from './sigv4.js';

export interface ChunkedDecoder extends Transform {
  readonly trailers: Record<string, string>; // filled when the stream ends (lower-case names)
  /** Payload bytes emitted so far. */
  readonly decodedLength: number;
}

export interface ChunkedDecoderOptions {
  /** x-amz-decoded-content-length: the payload must be exactly this long. */
  decodedContentLength?: number;
  /**
   * Signed chunks up to this size are held back until their signature checks out, so only
   * verified bytes are emitted; larger ones stream through and fail at their end.
   */
  maxHeldChunk?: number;
}

const CR = 13;
const LF = 10;
const MAX_LINE = 4096; // a chunk header is ~90 bytes, a trailer line ~100
const MAX_TRAILERS = 32;
const DEFAULT_MAX_HELD_CHUNK = 8 * 1024 * 1024;
const TRAILER_SIGNATURE = 'x-amz-trailer-signature';

type State = 'header' | 'data' | 'dataEnd' | 'trailer' | 'done';

function incomplete(): S3Error {
  return new S3Error('IncompleteBody', 400, 'The request body terminated unexpectedly');
}

function invalid(detail: string): S3Error {
  return new S3Error('InvalidRequest', 400, `Invalid aws-chunked body: ${detail}`);
}

function badSignature(auth: VerifiedAuth, toSign: string, provided: string): S3Error {
  return new S3Error(
    'SignatureDoesNotMatch',
    403,
    'The request signature we calculated does not match the signature you provided. ' +
      'Check your key and signing method.',
    { AWSAccessKeyId: auth.accessKeyId, StringToSign: toSign, SignatureProvided: provided },
  );
}

class AwsChunkedDecoder extends Transform implements ChunkedDecoder {
  private readonly signed: boolean;
  private readonly withTrailer: boolean;
  private readonly maxHeld: number;
  private readonly expectedLength: number | undefined;

  private state: State = 'header';
  private line: Buffer[] = [];
  private lineLength = 0;
  private remaining = 0;
  private sawCr = false;
  private lastChunk = false;
  private chunkSignature = '';
  private previousSignature: string;
  private chunkHash: Hash | undefined;
  private held: Buffer[] | undefined;
  private emitted = 0;
  private readonly pendingTrailers: [string, string][] = [];
  private trailerSignature: string | undefined;
  private result: Record<string, string> = {};

  constructor(
    private readonly auth: VerifiedAuth,
    options: ChunkedDecoderOptions,
  ) {
    super();
    const mode = auth.payloadMode;
    if (
      mode !== 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' &&
      mode !== 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER' &&
      mode !== 'STREAMING-UNSIGNED-PAYLOAD-TRAILER'
    ) {
      throw new TypeError(`payload mode ${mode} is not aws-chunked`);
    }
    this.signed = mode !== 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
    this.withTrailer = mode !== 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
    this.previousSignature = auth.seedSignature;
    this.maxHeld = options.maxHeldChunk ?? DEFAULT_MAX_HELD_CHUNK;
    this.expectedLength = options.decodedContentLength;
  }

  get trailers(): Record<string, string> {
    return this.result;
  }

  get decodedLength(): number {
    return this.emitted;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.consume(chunk);
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      // Some SDKs end right after the last trailer line (or "0\r\n") without the closing CRLF.
      if (this.state === 'trailer' && this.lineLength === 0) this.finishTrailers();
      if (this.state !== 'done') throw incomplete();
      if (this.expectedLength !== undefined && this.emitted !== this.expectedLength) {
        throw incomplete();
      }
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  private consume(buf: Buffer): void {
    let off = 0;
    while (off < buf.length) {
      switch (this.state) {
        case 'header':
        case 'trailer': {
          const nl = buf.indexOf(LF, off);
          const end = nl < 0 ? buf.length : nl;
          if (end > off) {
            this.lineLength += end - off;
            if (this.lineLength > MAX_LINE) throw invalid('line too long');
            // Copied: a writer may reuse its buffer once the write is acknowledged.
            this.line.push(Buffer.from(buf.subarray(off, end)));
          }
          off = nl < 0 ? buf.length : nl + 1;
          if (nl >= 0) this.onLine(this.takeLine());
          break;
        }
        case 'data': {
          const n = Math.min(this.remaining, buf.length - off);
          this.onData(buf.subarray(off, off + n));
          off += n;
          this.remaining -= n;
          if (this.remaining === 0) this.endChunkData();
          break;
        }
        case 'dataEnd': {
          const byte = buf[off++];
          if (byte === CR && !this.sawCr) this.sawCr = true;
          else if (byte === LF) {
            this.sawCr = false;
            this.state = 'header';
          } else throw invalid('chunk data is not followed by CRLF');
          break;
        }
        case 'done':
          throw invalid('data after the end of the body');
      }
    }
  }

  private takeLine(): string {
    const bytes = this.line.length === 1 ? (this.line[0] as Buffer) : Buffer.concat(this.line);
    this.line = [];
    this.lineLength = 0;
    const text = bytes.toString('utf8');
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  }

  private onLine(line: string): void {
    if (this.state === 'header') this.onChunkHeader(line);
    else this.onTrailerLine(line);
  }

  private onChunkHeader(line: string): void {
    const semi = line.indexOf(';');
    const sizeText = (semi < 0 ? line : line.slice(0, semi)).trim();
    if (!/^[0-9a-fA-F]{1,13}$/.test(sizeText)) throw invalid('bad chunk size');
    const size = parseInt(sizeText, 16);
    let signature: string | undefined;
    if (semi >= 0) {
      for (const ext of line.slice(semi + 1).split(';')) {
        const eq = ext.indexOf('=');
        if (eq > 0 && ext.slice(0, eq).trim() === 'chunk-signature') {
          signature = ext.slice(eq + 1).trim();
        }
      }
    }
    if (this.signed) {
      if (signature === undefined) throw badSignature(this.auth, '', '');
      this.chunkSignature = signature.toLowerCase();
      this.chunkHash = createHash('sha256');
    }
    if (this.expectedLength !== undefined && this.emitted + size > this.expectedLength) {
      throw invalid('more data than x-amz-decoded-content-length');
    }
    this.remaining = size;
    this.held = this.signed && size > 0 && size <= this.maxHeld ? [] : undefined;
    if (size === 0) {
      this.lastChunk = true;
      this.endChunkData();
    } else {
      this.state = 'data';
    }
  }

  private onData(piece: Buffer): void {
    this.chunkHash?.update(piece);
    // Held pieces are copied too, as line pieces are.
    if (this.held) this.held.push(Buffer.from(piece));
    else this.output(piece);
  }

  private output(piece: Buffer): void {
    this.emitted += piece.length;
    this.push(piece);
  }

  private endChunkData(): void {
    if (this.signed) {
      const hash = (this.chunkHash as Hash).digest('hex');
      const toSign = [
        'AWS4-HMAC-SHA256-PAYLOAD',
        this.auth.amzDate,
        this.auth.scope,
        this.previousSignature,
        EMPTY_SHA256,
        hash,
      ].join('\n');
      const expected = hmacSha256(this.auth.signingKey, toSign).toString('hex');
      if (!signaturesEqual(expected, this.chunkSignature)) {
        throw badSignature(this.auth, toSign, this.chunkSignature);
      }
      this.previousSignature = expected;
      this.chunkHash = undefined;
    }
    if (this.held) {
      for (const piece of this.held) this.output(piece);
      this.held = undefined;
    }
    if (this.lastChunk) {
      // The zero-length chunk's CRLF doubles as the end of the (possibly empty) trailer.
      this.state = 'trailer';
    } else {
      this.state = 'dataEnd';
    }
  }

  private onTrailerLine(line: string): void {
    if (line === '') {
      this.finishTrailers();
      return;
    }
    if (!this.withTrailer) throw invalid('trailer not allowed in this payload mode');
    if (this.trailerSignature !== undefined) throw invalid('trailer after the trailer signature');
    const colon = line.indexOf(':');
    if (colon <= 0) throw invalid('bad trailer line');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === TRAILER_SIGNATURE) {
      this.trailerSignature = value.toLowerCase();
      return;
    }
    if (this.pendingTrailers.length >= MAX_TRAILERS) throw invalid('too many trailers');
    this.pendingTrailers.push([name, value]);
  }

  private finishTrailers(): void {
    if (this.signed && this.withTrailer && this.pendingTrailers.length > 0) {
      // Canonical trailers: "name:value\n" per trailer, sorted by name.
      const canonical = [...this.pendingTrailers]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, value]) => `${name}:${value}\n`)
        .join('');
      const toSign = [
        'AWS4-HMAC-SHA256-TRAILER',
        this.auth.amzDate,
        this.auth.scope,
        this.previousSignature,
        sha256Hex(canonical),
      ].join('\n');
      const expected = hmacSha256(this.auth.signingKey, toSign).toString('hex');
      const provided = this.trailerSignature ?? '';
      if (!signaturesEqual(expected, provided)) throw badSignature(this.auth, toSign, provided);
    }
    // fromEntries defines own properties, so a trailer named __proto__ stays a plain entry.
    this.result = Object.fromEntries(this.pendingTrailers);
    this.state = 'done';
  }
}

/**
 * A Transform from an aws-chunked body to the payload bytes. Signed modes verify every chunk
 * signature (chained from the seed signature) and the trailer signature; errors are S3Error
 * (SignatureDoesNotMatch, IncompleteBody, InvalidRequest) emitted as stream errors.
 * Commit what it produced only after it ends cleanly.
 */
export function createChunkedDecoder(
  auth: VerifiedAuth,
  options: ChunkedDecoderOptions = {},
): ChunkedDecoder {
  return new AwsChunkedDecoder(auth, options);
}
