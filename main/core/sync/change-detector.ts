// Decides what a batch of settled local changes means for the bucket: compare with the
// index by size and mtime first, hash only when those cannot decide, and recognise a
// rename by content so a moved file is not uploaded again.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { FileIndex, FileRecord } from '../index/file-index.js';
import type { SettledChange } from '../watch/aggregator.js';
import type { ScanEntry } from '../watch/scanner.js';
import { limitConcurrency } from '../watch/scanner.js';

export type LocalEntry = ScanEntry;

export interface DetectInput {
  /** Files that exist now (settled adds and changes, or a full scan). */
  present: LocalEntry[];
  /** Paths whose file is gone. */
  removed: string[];
}

export type Decision =
  | {
      kind: 'upload';
      /** edit: the row has a synced version to base on (If-Match); new: it has none. */
      reason: 'new' | 'edit';
      relPath: string;
      size: number;
      mtimeMs: number;
      /** Known when hashing was needed to decide; otherwise the uploader computes it. */
      sha256: string | null;
      record: FileRecord | null;
    }
  | { kind: 'touch'; relPath: string; size: number; mtimeMs: number; sha256: string }
  | {
      kind: 'rename';
      from: string;
      to: string;
      size: number;
      mtimeMs: number;
      sha256: string;
      /** The row of `from`: its version is the content now at `to`. */
      record: FileRecord;
    }
  | { kind: 'delete'; relPath: string; record: FileRecord }
  | { kind: 'unreadable'; relPath: string; message: string };

export interface DetectDeps {
  getRecord: (relPath: string) => FileRecord | undefined;
  /** Hex sha256 of a file's content; see fileHasher. */
  hash: (relPath: string) => Promise<string>;
  hashConcurrency?: number;
}

/** Streams a file through sha256. */
export function hashFile(absPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(absPath, { highWaterMark: 1024 * 1024 })
      .on('data', (chunk) => h.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

export function fileHasher(root: string): (relPath: string) => Promise<string> {
  return (relPath) => hashFile(path.join(root, relPath));
}

/** The detector's input from an aggregator batch (folder events need no decision). */
export function fromBatch(changes: readonly SettledChange[]): DetectInput {
  const input: DetectInput = { present: [], removed: [] };
  for (const c of changes) {
    if (c.type === 'add' || c.type === 'change') {
      input.present.push({ relPath: c.relPath, size: c.size, mtimeMs: c.mtimeMs });
    } else if (c.type === 'unlink') {
      input.removed.push(c.relPath);
    }
  }
  return input;
}

/** The detector's input from a full scan: what the index has and the disk lacks is gone. */
export function fromScan(
  entries: readonly ScanEntry[],
  indexed: Iterable<FileRecord>,
): DetectInput {
  const onDisk = new Set(entries.map((e) => e.relPath));
  const removed: string[] = [];
  for (const r of indexed)
    if (r.state !== 'deleted' && !onDisk.has(r.relPath)) removed.push(r.relPath);
  return { present: [...entries], removed };
}

const live = (r: FileRecord | undefined): r is FileRecord =>
  r !== undefined && r.state !== 'deleted';

export async function detectChanges(input: DetectInput, deps: DetectDeps): Promise<Decision[]> {
  const limit = limitConcurrency(Math.max(1, deps.hashConcurrency ?? 4));
  const decisions: Decision[] = [];

  // Only a synced file with a known hash can be the source of a rename.
  const removedRecords = input.removed.map((p) => deps.getRecord(p)).filter(live);
  const sources = new Map<number, FileRecord[]>();
  for (const r of removedRecords) {
    if (r.state !== 'synced' || r.sha256 === null) continue;
    const list = sources.get(r.size) ?? [];
    list.push(r);
    sources.set(r.size, list);
  }

  const hashed = new Map<string, string>();
  const failed = new Set<string>();
  const needsHash = (e: LocalEntry, rec: FileRecord | undefined) =>
    live(rec) ? rec.size === e.size : sources.has(e.size);
  const work = input.present
    .map((e) => ({ e, rec: deps.getRecord(e.relPath) }))
    .filter(({ e, rec }) => !(live(rec) && rec.size === e.size && rec.mtimeMs === e.mtimeMs));

  await Promise.all(
    work
      .filter(({ e, rec }) => needsHash(e, rec))
      .map(({ e }) =>
        limit(async () => {
          try {
            hashed.set(e.relPath, await deps.hash(e.relPath));
          } catch (err) {
            failed.add(e.relPath);
            const code = (err as NodeJS.ErrnoException).code;
            // Gone since it settled: the unlink that follows is the news.
            if (code === 'ENOENT' || code === 'ENOTDIR') return;
            decisions.push({
              kind: 'unreadable',
              relPath: e.relPath,
              message:
                `cannot read "${e.relPath}" (${code ?? String(err)}); give read permission ` +
                `or add it to .syncignore; it stays queued`,
            });
          }
        }),
      ),
  );

  const consumed = new Set<FileRecord>();
  for (const { e, rec } of work.sort((a, b) => cmp(a.e.relPath, b.e.relPath))) {
    if (failed.has(e.relPath)) continue;
    const sha = hashed.get(e.relPath) ?? null;
    const base = { relPath: e.relPath, size: e.size, mtimeMs: e.mtimeMs };
    if (live(rec)) {
      if (sha !== null && sha === rec.sha256) {
        decisions.push({ kind: 'touch', ...base, sha256: sha });
      } else {
        const reason = rec.versionId !== null ? 'edit' : 'new';
        decisions.push({ kind: 'upload', reason, ...base, sha256: sha, record: rec });
      }
      continue;
    }
    const source =
      sha === null ? undefined : pickSource(e.relPath, sha, sources.get(e.size) ?? [], consumed);
    if (source && sha !== null) {
      consumed.add(source);
      decisions.push({
        kind: 'rename',
        from: source.relPath,
        to: e.relPath,
        size: e.size,
        mtimeMs: e.mtimeMs,
        sha256: sha,
        record: source,
      });
    } else {
      decisions.push({ kind: 'upload', reason: 'new', ...base, sha256: sha, record: rec ?? null });
    }
  }

  for (const r of removedRecords) {
    if (!consumed.has(r)) decisions.push({ kind: 'delete', relPath: r.relPath, record: r });
  }
  return decisions.sort((a, b) => cmp(pathOf(a), pathOf(b)));
}

/** Of the gone files with this content, the likeliest origin: same name, then same folder. */
function pickSource(
  to: string,
  sha: string,
  candidates: FileRecord[],
  consumed: Set<FileRecord>,
): FileRecord | undefined {
  const free = candidates
    .filter((r) => r.sha256 === sha && !consumed.has(r))
    .sort((a, b) => cmp(a.relPath, b.relPath));
  return (
    free.find((r) => path.posix.basename(r.relPath) === path.posix.basename(to)) ??
    free.find((r) => path.posix.dirname(r.relPath) === path.posix.dirname(to)) ??
    free[0]
  );
}

/** Writes the new mtime of touched files (content unchanged) in one transaction. */
export function applyTouches(index: FileIndex, folderId: string, decisions: readonly Decision[]) {
  let n = 0;
  index.transaction(() => {
    for (const d of decisions) {
      if (d.kind !== 'touch') continue;
      if (index.update(folderId, d.relPath, { mtimeMs: d.mtimeMs, size: d.size })) n++;
    }
  });
  return n;
}

const pathOf = (d: Decision) => (d.kind === 'rename' ? d.to : d.relPath);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
