// SigV4's canonical request and string to sign: AWS URI encoding, query and header canonicalisation.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** AWS URI encoding: everything but A-Z a-z 0-9 - _ . ~ becomes %XX of its UTF-8 bytes. */
export function uriEncode(text: string, encodeSlash = true): string {
  let out: string;
  try {
    out = encodeURIComponent(text).replace(
      /[!'()*]/g,
      (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
    );
  } catch {
    // Lone surrogates: encode them as U+FFFD, as a UTF-8 encoder would.
    out = uriEncode(text.replace(/[\ud800-\udfff]/gu, '\ufffd'));
  }
  return encodeSlash ? out : out.replace(/%2F/g, '/');
}

/** Percent-decoding as S3 does for query strings: '+' stays '+'. Invalid escapes stay as is. */
export function uriDecode(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The query string as name/value pairs, in order, decoded ('+' is not a space). */
export function parseQuery(rawQuery: string): [string, string][] {
  const out: [string, string][] = [];
  if (rawQuery === '') return out;
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    out.push([uriDecode(name), uriDecode(value)]);
  }
  return out;
}

/** Canonical query string: re-encoded per AWS rules, sorted by name then value. */
export function canonicalQueryString(rawQuery: string, omit?: string): string {
  const pairs = parseQuery(rawQuery)
    .filter(([name]) => name !== omit)
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const);
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

/** A header as one string: repeated headers joined with ',' as they are signed. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(',') : v;
}

/** Header value as signed: runs of spaces/tabs collapsed, ends trimmed. */
function canonicalHeaderValue(value: string): string {
  return value.replace(/[ \t]+/g, ' ').replace(/^ | $/g, '');
}

export function canonicalRequest(
  method: string,
  canonicalUri: string,
  canonicalQuery: string,
  headers: IncomingHttpHeaders,
  signedHeaders: readonly string[],
  payloadHash: string,
): string {
  const lines = signedHeaders.map(
    (name) => `${name}:${canonicalHeaderValue(headerValue(headers, name) ?? '')}\n`,
  );
  return [
    method,
    canonicalUri,
    canonicalQuery,
    lines.join(''),
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
}
