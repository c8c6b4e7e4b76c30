// Conditional requests: If-Match / If-None-Match / If-(Un)Modified-Since on reads, conditional
// writes (PutObject, CompleteMultipartUpload, CopyObject), and detection of a write to the
// same key that commits while a conditional write is still in flight (409).
import type { IncomingHttpHeaders } from 'node:http';
import {
  conditionalConflict,
  noSuchKey,
  notImplemented,
  preconditionFailed,
} from './error-catalog.js';
import type { ObjectVersion } from './store/objects.js';

function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

const bare = (etag: string): string => etag.trim().replace(/^W\//, '').replace(/^"|"$/g, '');

export function etagMatches(condition: string, etag: string): boolean {
  if (condition.trim() === '*') return true;
  const want = bare(etag);
  return condition.split(',').some((c) => bare(c) === want);
}

function parseDate(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

const seconds = (ms: number): number => Math.floor(ms / 1000) * 1000;

/**
 * Evaluates read preconditions against the selected version (RFC 7232 order, as S3):
 * returns 304 when the client's copy is current, throws 412 PreconditionFailed, else 200.
 */
export function checkReadPreconditions(
  headers: IncomingHttpHeaders,
  v: ObjectVersion,
  prefix = '',
): 200 | 304 {
  const ifMatch = headerOf(headers, `${prefix}if-match`);
  const ifNoneMatch = headerOf(headers, `${prefix}if-none-match`);
  const ifModifiedSince = parseDate(headerOf(headers, `${prefix}if-modified-since`));
  const ifUnmodifiedSince = parseDate(headerOf(headers, `${prefix}if-unmodified-since`));
  const lm = seconds(v.lastModified);
  const name = (h: string): string =>
    prefix ? `${prefix}${h}` : h.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase());
  if (ifMatch !== undefined) {
    if (!etagMatches(ifMatch, v.etag)) throw preconditionFailed(name('if-match'));
  } else if (ifUnmodifiedSince !== undefined && lm > ifUnmodifiedSince) {
    throw preconditionFailed(name('if-unmodified-since'));
  }
  if (ifNoneMatch !== undefined) {
    if (etagMatches(ifNoneMatch, v.etag)) return 304;
  } else if (ifModifiedSince !== undefined && lm <= ifModifiedSince) {
    return 304;
  }
  return 200;
}

export interface WriteConditions {
  ifMatch?: string;
  ifNoneMatch?: boolean;
}

/** Reads If-Match / If-None-Match of a conditional write; undefined when the write is plain. */
export function writeConditions(headers: IncomingHttpHeaders): WriteConditions | undefined {
  const ifMatch = headerOf(headers, 'if-match');
  const ifNoneMatch = headerOf(headers, 'if-none-match');
  if (ifMatch === undefined && ifNoneMatch === undefined) return undefined;
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*')
    throw notImplemented('If-None-Match');
  const c: WriteConditions = {};
  if (ifMatch !== undefined) c.ifMatch = ifMatch;
  if (ifNoneMatch !== undefined) c.ifNoneMatch = true;
  return c;
}

/** Throws 412 (or 404 for If-Match on a missing key) when the current version fails the conditions. */
export function checkWriteConditions(
  c: WriteConditions,
  key: string,
  current: ObjectVersion | undefined,
): void {
  const live = current && !current.deleteMarker ? current : undefined;
  if (c.ifNoneMatch && live) throw preconditionFailed('If-None-Match');
  if (c.ifMatch !== undefined) {
    if (!live) throw noSuchKey(key);
    if (!etagMatches(c.ifMatch, live.etag)) throw preconditionFailed('If-Match');
  }
}

export interface WriteTicket {
  readonly id: string;
  readonly seen: number;
}

/** Counts commits per key while conditional writes on that key are in flight. */
export class WriteTracker {
  private readonly inflight = new Map<string, { refs: number; commits: number }>();

  begin(bucket: string, key: string): WriteTicket {
    const id = `${bucket}\u0000${key}`;
    const e = this.inflight.get(id) ?? { refs: 0, commits: 0 };
    e.refs++;
    this.inflight.set(id, e);
    return { id, seen: e.commits };
  }

  /** Call for every committed change of a key (write, delete, replica). */
  committed(bucket: string, key: string): void {
    const e = this.inflight.get(`${bucket}\u0000${key}`);
    if (e) e.commits++;
  }

  /** Throws 409 ConditionalRequestConflict when another write to the key committed meanwhile. */
  assertNoConflict(t: WriteTicket, key: string): void {
    const e = this.inflight.get(t.id);
    if (e && e.commits !== t.seen) throw conditionalConflict(key);
  }

  end(t: WriteTicket): void {
    const e = this.inflight.get(t.id);
    if (!e) return;
    e.refs--;
    if (e.refs <= 0) this.inflight.delete(t.id);
  }
}
