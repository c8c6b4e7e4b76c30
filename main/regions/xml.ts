// S3 XML bodies: building responses and parsing request documents with fast-xml-parser.
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import type { EntityDecoderOptions } from 'fast-xml-parser';
import { S3Error, xmlEscape } from './errors.js';

export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
const ATTR = '@_';
const TEXT = '#text';

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: ATTR,
  textNodeName: TEXT,
  suppressEmptyNode: false,
  // Escaping is ours: the builder's own does not cover CR/LF and control characters.
  processEntities: false,
  tagValueProcessor: (_name, value) => xmlEscape(String(value)),
  attributeValueProcessor: (_name, value) => xmlEscape(String(value)),
});

/** Turns the body into strings, objects and arrays only, so the builder sees no surprises. */
function normalize(value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) {
    const items = value.map(normalize).filter((v) => v !== undefined);
    return items.length > 0 ? items : undefined;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const n = normalize(v);
      if (n !== undefined) out[key] = n;
    }
    return out;
  }
  return String(value);
}

/**
 * `<?xml?>` plus `<root xmlns="S3">…</root>`. Arrays repeat their element, Dates become
 * ISO 8601 with milliseconds, undefined and null are skipped, numbers and booleans are
 * written as text. Keys starting with `@_` are attributes and `#text` is the text of an
 * element that also has attributes (e.g. `{ '@_xsi:type': 'CanonicalUser', ID: 'x' }`).
 */
export function buildXml(root: string, body: Record<string, unknown>): string {
  const content = (normalize(body) ?? {}) as Record<string, unknown>;
  const withNs = { [`${ATTR}xmlns`]: S3_XMLNS, ...content };
  return XML_DECLARATION + String(builder.build({ [root]: withNs }));
}

const MALFORMED =
  'The XML you provided was not well-formed or did not validate against our published schema';

function malformed(): S3Error {
  return new S3Error('MalformedXML', 400, MALFORMED);
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeReference(ref: string): string {
  const named = NAMED[ref];
  if (named !== undefined) return named;
  const m = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(ref);
  if (!m) throw malformed(); // undeclared entity: not well-formed XML
  const code = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2] ?? '', 10);
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw malformed();
  return String.fromCodePoint(code);
}

// Only the five predefined entities and character references: DOCTYPE entities are refused,
// so nothing can expand (billion laughs, external entities).
const entityDecoder: EntityDecoderOptions = {
  setExternalEntities: () => undefined,
  addInputEntities: () => {
    throw malformed();
  },
  reset: () => undefined,
  setXmlVersion: () => undefined,
  decode: (text) =>
    text.replace(/&([^;&\s]{1,10});|&/g, (_m, ref?: string) => {
      if (ref === undefined) throw malformed();
      return decodeReference(ref);
    }),
};

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  parseAttributeValue: false,
  // Keys may begin or end with spaces; whitespace between elements is dropped below.
  trimValues: false,
  processEntities: true,
  entityDecoder,
  textNodeName: TEXT,
  maxNestedTags: 64,
});

/** Drops whitespace-only text that sits between child elements (indentation). */
function clean(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clean);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  const entries = Object.entries(value);
  const hasChildren = entries.some(([k]) => k !== TEXT);
  for (const [key, v] of entries) {
    if (key === TEXT && hasChildren && typeof v === 'string' && v.trim() === '') continue;
    out[key] = clean(v);
  }
  return out;
}

/**
 * Parses an S3 request document. The result has the root element as its only key,
 * e.g. `{ Delete: { Object: [{ Key: 'a' }, { Key: 'b' }], Quiet: 'true' } }`: every value
 * is a string, an object or an array of repeated elements; empty elements are ''.
 * Attributes (xmlns) and namespace prefixes are dropped.
 */
export function parseXml(text: string): Record<string, unknown> {
  if (text.trim() === '' || XMLValidator.validate(text) !== true) throw malformed();
  let doc: unknown;
  try {
    doc = parser.parse(text);
  } catch (err) {
    if (err instanceof S3Error) throw err;
    throw malformed();
  }
  const result = clean(doc);
  if (result === null || typeof result !== 'object' || Array.isArray(result)) throw malformed();
  const roots = Object.keys(result);
  // The validator accepts several top-level elements; XML allows exactly one.
  if (roots.length !== 1 || roots[0] === TEXT) throw malformed();
  const root = (result as Record<string, unknown>)[roots[0] ?? ''];
  if (Array.isArray(root)) throw malformed();
  return result as Record<string, unknown>;
}

export function asArray<T>(v: T | T[] | undefined): T[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}
