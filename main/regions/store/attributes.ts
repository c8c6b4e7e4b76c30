// What an object version and a multipart upload both carry, stored alike in the versions and
// uploads tables: the content type, the headers S3 returns as they were sent, user metadata,
// tags and the storage class.
import type { Tag } from '../tags.js';

export interface ObjectAttributes {
  contentType?: string;
  headers: Record<string, string>;
  meta: Record<string, string>;
  tags: Tag[];
  storageClass: string;
}

/** The columns of ObjectAttributes, in the order of attributeValues. */
export const ATTRIBUTE_COLUMNS = 'content_type, headers, meta, tags, storage_class';

export interface AttributeRow {
  content_type: string | null;
  headers: string;
  meta: string;
  tags: string;
  storage_class: string;
}

export function attributesFromRow(r: AttributeRow): ObjectAttributes {
  const a: ObjectAttributes = {
    headers: JSON.parse(r.headers) as Record<string, string>,
    meta: JSON.parse(r.meta) as Record<string, string>,
    tags: JSON.parse(r.tags) as Tag[],
    storageClass: r.storage_class,
  };
  if (r.content_type !== null) a.contentType = r.content_type;
  return a;
}

/** The values for ATTRIBUTE_COLUMNS. */
export function attributeValues(
  a: ObjectAttributes,
): [string | null, string, string, string, string] {
  return [
    a.contentType ?? null,
    JSON.stringify(a.headers),
    JSON.stringify(a.meta),
    JSON.stringify(a.tags),
    a.storageClass,
  ];
}
