// Object and bucket tags: the Tagging XML body, the x-amz-tagging header, S3's limits.
import { S3Error } from './errors.js';
import { invalidArgument } from './error-catalog.js';
import { child, children, parseRoot, text } from './xml-read.js';

export interface Tag {
  Key: string;
  Value: string;
}

const invalidTag = (message: string): S3Error => new S3Error('InvalidTag', 400, message);

export function validateTags(tags: Tag[], kind: 'object' | 'bucket'): Tag[] {
  const max = kind === 'object' ? 10 : 50;
  if (tags.length > max) {
    throw new S3Error(
      'BadRequest',
      400,
      kind === 'object'
        ? 'Object tags cannot be greater than 10'
        : 'Bucket tag count cannot be greater than 50',
    );
  }
  const seen = new Set<string>();
  for (const t of tags) {
    if (t.Key.length === 0 || [...t.Key].length > 128) {
      throw invalidTag('The TagKey you have provided is invalid');
    }
    if ([...t.Value].length > 256)
      throw invalidTag('The TagValue you have provided is too long, max 256');
    if (t.Key.toLowerCase().startsWith('aws:'))
      throw invalidTag('Your TagKey cannot be prefixed with aws:');
    if (seen.has(t.Key)) throw invalidTag('Cannot provide multiple Tags with the same key');
    seen.add(t.Key);
  }
  return tags;
}

/** Parses a `<Tagging><TagSet><Tag>…` body. */
export function parseTaggingXml(body: Buffer, kind: 'object' | 'bucket'): Tag[] {
  const root = parseRoot(body, 'Tagging');
  const set = child(root, 'TagSet') ?? {};
  const tags = children(set, 'Tag').map((t) => ({
    Key: text(t, 'Key') ?? '',
    Value: text(t, 'Value') ?? '',
  }));
  return validateTags(tags, kind);
}

/** Parses the x-amz-tagging header (URL query syntax). */
export function parseTaggingHeader(value: string | undefined): Tag[] {
  if (value === undefined || value === '') return [];
  const tags: Tag[] = [];
  const seen = new Set<string>();
  for (const pair of value.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    let key: string;
    let val: string;
    try {
      key = decodeURIComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '));
      val = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
    } catch {
      throw taggingHeaderError();
    }
    if (seen.has(key)) throw taggingHeaderError();
    seen.add(key);
    tags.push({ Key: key, Value: val });
  }
  return validateTags(tags, 'object');
}

function taggingHeaderError(): S3Error {
  return invalidArgument(
    "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.",
  );
}

export function tagSetBody(tags: Tag[]): Record<string, unknown> {
  return { TagSet: { Tag: tags.map((t) => ({ Key: t.Key, Value: t.Value })) } };
}

/** True when every required tag is present with the same value. */
export function hasAllTags(objectTags: Tag[], required: Tag[]): boolean {
  return required.every((r) => objectTags.some((t) => t.Key === r.Key && t.Value === r.Value));
}
