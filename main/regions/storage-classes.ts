// The storage classes the local regions accept: every one S3 names for an object write
// (x-amz-storage-class), and all of them but SNOW for a replication rule's destination.

/** StorageClass values a replication destination may name. */
export const REPLICATION_STORAGE_CLASSES: ReadonlySet<string> = new Set([
  'STANDARD',
  'REDUCED_REDUNDANCY',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER',
  'DEEP_ARCHIVE',
  'OUTPOSTS',
  'GLACIER_IR',
  'EXPRESS_ONEZONE',
]);

/** x-amz-storage-class values a write may name. */
export const STORAGE_CLASSES: ReadonlySet<string> = new Set([
  ...REPLICATION_STORAGE_CLASSES,
  'SNOW',
]);
