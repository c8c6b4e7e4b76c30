// Keys under a folder's `.replica-sync/` are the app's own (capability probes, later the
// change feed): never shown, never synced, never pulled, never a conflict.
export const RESERVED_DIR = '.replica-sync';

/** The key prefix of the reserved area of a folder with key prefix `prefix`. */
export function reservedPrefix(prefix: string): string {
  return `${prefix}${RESERVED_DIR}/`;
}

/** Is `relPath` (relative to the folder's prefix, '/'-separated) in the reserved area? */
export function isReservedRelPath(relPath: string): boolean {
  return relPath === RESERVED_DIR || relPath.startsWith(`${RESERVED_DIR}/`);
}

/** Is the bucket key, seen by a folder with key prefix `prefix`, in its reserved area? */
export function isReservedKey(key: string, prefix: string): boolean {
  return key.startsWith(prefix) && isReservedRelPath(key.slice(prefix.length));
}
