// Typed access to the loose objects parseXml returns (elements may be strings, numbers,
// objects or arrays depending on the document).
import { malformedXml } from './error-catalog.js';
import { asArray, parseXml } from './xml.js';

export type XmlNode = Record<string, unknown>;

function isNode(v: unknown): v is XmlNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses a request body and returns the named root element (MalformedXML otherwise). */
export function parseRoot(body: Buffer | string, root: string): XmlNode {
  const textBody = typeof body === 'string' ? body : body.toString('utf8');
  if (textBody.trim() === '') throw malformedXml();
  const doc = parseXml(textBody);
  const el = doc[root];
  if (el === undefined) throw malformedXml();
  return toNode(el);
}

function toNode(v: unknown): XmlNode {
  if (isNode(v)) return v;
  if (v === '' || v === null || v === undefined) return {};
  throw malformedXml();
}

/** The single child element `name` as a node, or undefined when absent. */
export function child(n: XmlNode, name: string): XmlNode | undefined {
  const v = n[name];
  if (v === undefined) return undefined;
  if (Array.isArray(v)) throw malformedXml();
  return toNode(v);
}

/** Every child element `name`, as nodes. */
export function children(n: XmlNode, name: string): XmlNode[] {
  return asArray(n[name] as unknown).map(toNode);
}

/** Text of the single child element `name`, or undefined when absent. */
export function text(n: XmlNode, name: string): string | undefined {
  const v = n[name];
  if (v === undefined) return undefined;
  return scalar(v);
}

function scalar(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === null) return '';
  if (isNode(v)) {
    const t = v['#text'];
    if (t !== undefined) return scalar(t);
    if (Object.keys(v).length === 0) return '';
  }
  throw malformedXml();
}

export function has(n: XmlNode, name: string): boolean {
  return n[name] !== undefined;
}
