// Deleted in the source, still in a replica (DESIGN.md section 1, "Safe deletes"): a local
// delete writes a delete marker in the source bucket, and a rule without delete-marker
// replication leaves the replicas showing the file. This finds them, previews what each
// region would lose, and places delete markers there: DeleteObject WITHOUT a version id, so
// every version stays recoverable; never a version delete. The engine's mass-delete guard
// applies the same way.
import { DeleteObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ContractError, type StaleReplica } from '../../contract/index.js';
import type { FileIndex, FileRecord } from '../index/file-index.js';
import { checkMassDelete, type MassDeleteOptions } from '../sync/mass-delete-guard.js';
import { classifyS3Error } from '../transfer/s3-errors.js';
import { limitConcurrency } from '../watch/scanner.js';
import type { DestinationsFor, ReplicaDestination } from './tracker-config.js';

export interface StaleFolder {
  id: string;
  /** How the user knows the folder, for messages. */
  localPath: string;
  bucket: string;
  region: string;
}

export interface StaleReplicaInput {
  files: FileIndex;
  folder: StaleFolder;
  /** The S3 client of the folder's account in a region. */
  clientFor: (region: string) => S3Client;
  destinationsFor: DestinationsFor;
  /** The folder's mass-delete thresholds (engine tuning massDeleteFiles / massDeletePercent). */
  massDelete?: MassDeleteOptions;
  concurrency?: number;
  /** Only these keys (placeDeleteMarkers checks again exactly what it is asked to delete). */
  keys?: readonly string[];
}

export interface FoundStaleReplica extends StaleReplica {
  relPath: string;
  /** ETag of the replica's current version: the delete marker is conditional on it. */
  etag: string | null;
  ruleId: string | null;
}

/** What one destination would lose: its current versions of these keys become non-current. */
export interface RegionLoss {
  bucket: string;
  region: string;
  count: number;
  bytes: number;
  /** The first keys, for the preview. */
  sample: string[];
}

export interface StaleReplicaReport {
  replicas: FoundStaleReplica[];
  preview: RegionLoss[];
  /** Set when placing the markers needs the user's confirmation. */
  massDelete: { count: number; message: string } | null;
  /** Keys that could not be checked (region down, no permission), with the reason. */
  unchecked: { key: string; bucket: string; region: string; message: string }[];
}

const SAMPLE = 20;
const PAGE = 1000;

/**
 * The folder's deleted files whose replicas still show a current version, in destinations
 * whose rule does not replicate delete markers. A replica counts only while the source key
 * is still deleted and the replica's current version is a version of the source (a newer
 * write made in the destination region is not stale, it is kept).
 */
export async function findStaleReplicas(input: StaleReplicaInput): Promise<StaleReplicaReport> {
  const { folder } = input;
  const wanted = input.keys ? new Set(input.keys) : undefined;
  const rows = deletedRows(input.files, folder.id).filter((r) => !wanted || wanted.has(r.key));
  const limit = limitConcurrency(input.concurrency ?? 8);
  const replicas: FoundStaleReplica[] = [];
  const unchecked: StaleReplicaReport['unchecked'] = [];
  await Promise.all(
    rows.map((row) =>
      limit(async () => {
        const found = await checkRow(input, row, unchecked);
        replicas.push(...found);
      }),
    ),
  );
  replicas.sort((a, b) => a.key.localeCompare(b.key) || a.region.localeCompare(b.region));
  const keys = [...new Set(replicas.map((r) => r.key))];
  const live = input.files.count(folder.id) - input.files.count(folder.id, { state: 'deleted' });
  return {
    replicas,
    preview: previewByRegion(replicas),
    massDelete: guard(keys, live + keys.length, folder.localPath, input.massDelete),
    unchecked: unchecked.sort((a, b) => a.key.localeCompare(b.key)),
  };
}

export interface PlaceResult {
  placed: number;
  failed: { key: string; message: string }[];
  /** The delete markers written. */
  markers: { key: string; bucket: string; region: string; versionId: string }[];
}

/**
 * Places a delete marker on each of `keys` in every destination that still shows it (found
 * again now, never from an old preview). Refused unless confirmed when the count trips the
 * mass-delete guard.
 */
export async function placeDeleteMarkers(
  input: StaleReplicaInput & { keys: readonly string[]; confirmMassDelete: boolean },
): Promise<PlaceResult> {
  const report = await findStaleReplicas(input);
  if (report.massDelete && !input.confirmMassDelete)
    throw new ContractError({
      code: 'Forbidden',
      message: report.massDelete.message,
      action: { kind: 'none' },
    });
  const failed: PlaceResult['failed'] = report.unchecked.map((u) => ({
    key: u.key,
    message: u.message,
  }));
  const deleted = new Set(deletedRows(input.files, input.folder.id).map((r) => r.key));
  for (const key of new Set(input.keys))
    if (!deleted.has(key))
      failed.push({ key, message: `'${key}' is not deleted in ${input.folder.localPath}.` });
  const markers: PlaceResult['markers'] = [];
  const limit = limitConcurrency(input.concurrency ?? 8);
  await Promise.all(
    report.replicas.map((r) =>
      limit(async () => {
        try {
          const out = await input.clientFor(r.region).send(
            new DeleteObjectCommand({
              Bucket: r.bucket,
              Key: r.key,
              ...(r.etag !== null ? { IfMatch: r.etag } : {}),
            }),
          );
          markers.push({
            key: r.key,
            bucket: r.bucket,
            region: r.region,
            versionId: out.VersionId ?? 'null',
          });
        } catch (err) {
          const c = classifyS3Error(err, {
            bucket: r.bucket,
            region: r.region,
            key: r.key,
            operation: 'place a delete marker on',
          });
          failed.push({
            key: r.key,
            message:
              c.kind === 'precondition-failed'
                ? `'${r.key}' changed in '${r.bucket}' (${r.region}) since it was checked: left as it is.`
                : c.message,
          });
        }
      }),
    ),
  );
  markers.sort((a, b) => a.key.localeCompare(b.key) || a.region.localeCompare(b.region));
  return { placed: markers.length, failed, markers };
}

function deletedRows(files: FileIndex, folderId: string): FileRecord[] {
  const out: FileRecord[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = files.list(folderId, { state: 'deleted', limit: PAGE, offset });
    out.push(...page);
    if (page.length < PAGE) return out;
  }
}

type Head =
  | { kind: 'found'; versionId: string; size: number; etag: string | null }
  | { kind: 'absent' }
  | { kind: 'error'; message: string };

async function head(
  client: S3Client,
  bucket: string,
  key: string,
  versionId?: string,
): Promise<Head> {
  try {
    const h = await client.send(
      new HeadObjectCommand({
        Bucket: bucket,
        Key: key,
        ...(versionId !== undefined ? { VersionId: versionId } : {}),
      }),
    );
    return {
      kind: 'found',
      versionId: h.VersionId ?? 'null',
      size: h.ContentLength ?? 0,
      etag: h.ETag ?? null,
    };
  } catch (err) {
    const c = classifyS3Error(err, { bucket, key, operation: 'check' });
    // 404: no current version (a delete marker, or nothing); 405: a delete marker by id.
    if (c.status === 404 || c.status === 405) return { kind: 'absent' };
    return { kind: 'error', message: c.message };
  }
}

async function checkRow(
  input: StaleReplicaInput,
  row: FileRecord,
  unchecked: StaleReplicaReport['unchecked'],
): Promise<FoundStaleReplica[]> {
  const { folder } = input;
  let dests: ReplicaDestination[];
  try {
    dests = (
      await input.destinationsFor(folder.bucket, row.key, {
        folderId: folder.id,
        region: folder.region,
      })
    ).filter((d) => d.deletesFollow !== true);
  } catch (err) {
    const message = `Cannot read the replication rules of '${folder.bucket}': ${err instanceof Error ? err.message : String(err)}`;
    unchecked.push({ key: row.key, bucket: folder.bucket, region: folder.region, message });
    return [];
  }
  if (dests.length === 0) return [];
  const source = input.clientFor(folder.region);
  const now = await head(source, folder.bucket, row.key);
  if (now.kind === 'found') return []; // written again since: not deleted in the source
  if (now.kind === 'error') {
    unchecked.push({
      key: row.key,
      bucket: folder.bucket,
      region: folder.region,
      message: now.message,
    });
    return [];
  }
  const found: FoundStaleReplica[] = [];
  for (const d of dests) {
    const replica = await head(input.clientFor(d.region), d.bucket, row.key);
    if (replica.kind === 'absent') continue;
    if (replica.kind === 'error') {
      unchecked.push({
        key: row.key,
        bucket: d.bucket,
        region: d.region,
        message: replica.message,
      });
      continue;
    }
    // Only a copy of a version the source has; a write made in that region stays.
    const origin = await head(source, folder.bucket, row.key, replica.versionId);
    if (origin.kind === 'absent') continue;
    if (origin.kind === 'error') {
      unchecked.push({
        key: row.key,
        bucket: folder.bucket,
        region: folder.region,
        message: origin.message,
      });
      continue;
    }
    found.push({
      key: row.key,
      relPath: row.relPath,
      bucket: d.bucket,
      region: d.region,
      versionId: replica.versionId,
      size: replica.size,
      etag: replica.etag,
      ruleId: d.ruleId ?? null,
    });
  }
  return found;
}

function previewByRegion(replicas: readonly FoundStaleReplica[]): RegionLoss[] {
  const by = new Map<string, RegionLoss>();
  for (const r of replicas) {
    const id = `${r.region}\n${r.bucket}`;
    let loss = by.get(id);
    if (!loss) {
      loss = { bucket: r.bucket, region: r.region, count: 0, bytes: 0, sample: [] };
      by.set(id, loss);
    }
    loss.count++;
    loss.bytes += r.size;
    if (loss.sample.length < SAMPLE) loss.sample.push(r.key);
  }
  return [...by.values()].sort(
    (a, b) => a.region.localeCompare(b.region) || a.bucket.localeCompare(b.bucket),
  );
}

function guard(
  keys: readonly string[],
  fileCount: number,
  folder: string,
  options: MassDeleteOptions | undefined,
): StaleReplicaReport['massDelete'] {
  const verdict = checkMassDelete(keys, fileCount, folder, options);
  if (verdict.verdict === 'ok') return null;
  const files = (k: number) => `${k} file${k === 1 ? '' : 's'}`;
  const share = verdict.deletes === verdict.fileCount ? 'all' : `${verdict.percent}%`;
  return {
    count: verdict.deletes,
    message:
      `Placing delete markers on ${files(verdict.deletes)} (${share} of ${files(verdict.fileCount)}) ` +
      `in the replicas of ${folder} needs your confirmation. The replicas keep every version ` +
      `(a delete marker hides the file, it can be undone), but check the preview first.`,
  };
}
