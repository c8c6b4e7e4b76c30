// What the pull makes of one object it cannot bring down (issue "Nothing stops the app or a
// folder"): a bad object is that key's problem only. It gets an error row naming the key and
// the fix, its message is logged once (remembered by key, version and message, logged again
// only when one of them changes), and it is tried again on every pull. Only what stops the
// whole folder (credentials, the bucket gone, the disk full, the service unreachable) is
// thrown to the folder loop.
import { FOLDER_CODES, FOLDER_LOCAL_CODES } from './retry-policy.js';
import type { FileIndex, FileRecord } from '../index/file-index.js';
import { ChecksumMismatchError, LocalWriteError, UnsafeKeyError } from '../transfer/downloader.js';
import { isDeviceId, isVersionId, LINEAGE_KEYS, NO_BASE } from '../transfer/lineage.js';
import { S3OperationError } from '../transfer/s3-errors.js';

/** Every error row the pull writes starts with this (the folder loop tells them apart). */
export const PULL_ERROR_PREFIX = 'Cannot download ';

/** A row the pull marked: its problem is in the bucket, not in the local file. */
export function isPullErrorRow(row: FileRecord | undefined): boolean {
  return row?.state === 'error' && row.error?.startsWith(PULL_ERROR_PREFIX) === true;
}

/** What a folder's pulls remember between polls. */
export interface PullMemory {
  /** Key → `versionId \n message` last logged for it. */
  reported: Map<string, string>;
  /** Folder-marker key → the version made into a directory. */
  dirs: Map<string, string>;
  /** `key \n versionId` whose unreadable lineage was reported. */
  lineage: Set<string>;
}

const memories = new WeakMap<FileIndex, Map<string, PullMemory>>();

export function pullMemory(index: FileIndex, folderId: string): PullMemory {
  let byFolder = memories.get(index);
  if (!byFolder) {
    byFolder = new Map();
    memories.set(index, byFolder);
  }
  let m = byFolder.get(folderId);
  if (!m) {
    m = { reported: new Map(), dirs: new Map(), lineage: new Set() };
    byFolder.set(folderId, m);
  }
  return m;
}

/** True when the message for this key and version was not logged yet (and remembers it). */
export function firstReport(
  memory: PullMemory,
  key: string,
  versionId: string,
  message: string,
): boolean {
  const sig = `${versionId}\n${message}`;
  if (memory.reported.get(key) === sig) return false;
  memory.reported.set(key, sig);
  return true;
}

export type PullFault = 'folder' | 'gone' | 'key';

/**
 * folder: stops this pull and goes to the folder loop (it clears when a later pull works);
 * gone: the version vanished between the listing and the read (the next pull sees why);
 * key: that key's problem only.
 */
export function classifyPullFault(err: unknown): PullFault {
  if (err instanceof UnsafeKeyError || err instanceof ChecksumMismatchError) return 'key';
  if (err instanceof LocalWriteError) return FOLDER_LOCAL_CODES.has(err.code) ? 'folder' : 'key';
  if (err instanceof S3OperationError) {
    if (err.kind === 'transient' || err.kind === 'cancelled') return 'folder';
    if (FOLDER_CODES.has(err.code)) return 'folder';
    if (err.code === 'NoSuchKey' || err.code === 'NoSuchVersion') return 'gone';
    return 'key';
  }
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && FOLDER_LOCAL_CODES.has(code)) return 'folder';
  return 'key';
}

/** The row's (and the log's) message for a key the pull could not bring down. */
export function keyProblemMessage(key: string, versionId: string, err: unknown): string {
  const head = `${PULL_ERROR_PREFIX}'${key}'`;
  if (err instanceof UnsafeKeyError)
    return `${head}: ${err.reason}. Rename the object in the bucket (or move what is in the way here) to sync it; it is tried again on every pull.`;
  if (err instanceof ChecksumMismatchError)
    return `${head}: version ${versionId} does not match its ${err.check}, so it was not written and the local file was left unchanged. Upload the file again from the device or tool that wrote it; it is tried again on every pull.`;
  if (err instanceof LocalWriteError)
    return `${head}: ${err.message.replace(/ The download will be retried\.$/, '')} It is tried again on every pull.`;
  const text = err instanceof Error ? err.message : String(err);
  return `${head} (version ${versionId}): ${text} It is tried again on every pull.`;
}

/**
 * What is wrong with a version's lineage metadata when it has some (rs-* fields) that
 * parseLineage cannot read; undefined when there is none or it is fine.
 */
export function lineageProblem(
  metadata: Record<string, string | undefined> | undefined,
): string | undefined {
  if (!metadata) return undefined;
  const fields = new Map<string, string>();
  for (const [k, v] of Object.entries(metadata))
    if (typeof v === 'string') fields.set(k.toLowerCase().replace(/^x-amz-meta-/, ''), v.trim());
  const names = Object.values(LINEAGE_KEYS);
  if (!names.some((n) => fields.has(n))) return undefined;
  const wrong: string[] = [];
  const missing = names.filter((n) => !fields.has(n));
  if (missing.length > 0) wrong.push(`${missing.join(', ')} missing`);
  const device = fields.get(LINEAGE_KEYS.device);
  if (device !== undefined && !isDeviceId(device))
    wrong.push(`${LINEAGE_KEYS.device} '${device}' is not a device id (8-64 of a-z, 0-9, '-')`);
  const sha = fields.get(LINEAGE_KEYS.sha256);
  if (sha !== undefined && !/^[0-9a-f]{64}$/.test(sha.toLowerCase()))
    wrong.push(`${LINEAGE_KEYS.sha256} '${sha.slice(0, 80)}' is not 64 hex digits`);
  const base = fields.get(LINEAGE_KEYS.base);
  if (base !== undefined && base !== NO_BASE) {
    const bad = base
      .split(',')
      .map((b) => b.trim())
      .filter((b) => !isVersionId(b));
    if (bad.length > 0)
      wrong.push(`${LINEAGE_KEYS.base} has '${bad[0]?.slice(0, 80) ?? ''}', not a version id`);
  }
  return wrong.length > 0 ? wrong.join('; ') : undefined;
}
