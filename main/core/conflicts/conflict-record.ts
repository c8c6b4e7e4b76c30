// What a conflict looks like to the rest of the app (DESIGN.md section 2, "Conflict"): its
// kind, its sides (one per version or local file involved, with where it lives) and a plain
// sentence about it; and how the detector's graph findings become those records.
import type { BucketRef } from '../replication/rules.js';
import { ROOT, type DivergenceFinding, type Finding, type VersionNode } from './version-graph.js';

/**
 * local-remote: the file changed here and in the bucket (flagged by the engine);
 * fork: two versions share a base (certain, from lineage);
 * possible: versions without lineage that may have overwritten each other (never certain);
 * divergence: buckets of the group disagree on the current version once replication settled.
 */
export type ConflictKind = 'local-remote' | 'fork' | 'possible' | 'divergence';

export const CONFLICT_KINDS: readonly ConflictKind[] = [
  'local-remote',
  'fork',
  'possible',
  'divergence',
];

export interface ConflictSide {
  /** The version; null for the local file (not in any bucket). */
  versionId: string | null;
  /** rs-device that wrote it; null without lineage (another tool, a delete marker). */
  device: string | null;
  /** Where it was written (or, when that is unknown, the first bucket that has it). */
  region: string;
  bucket: string;
  size: number;
  /** Last-Modified (ms); the local file's mtime for the local side. */
  lastModified: number;
  /** rs-sha256 (or the local file's hash); null when unknown. */
  sha256: string | null;
  /** It is the current version of at least one bucket (see currentIn). */
  isCurrent: boolean;
  /** Buckets where it is the current version. */
  currentIn: string[];
  /** rs-base of the version; null without lineage. */
  bases: string[] | null;
  deleteMarker: boolean;
  /** The local file of a local-remote conflict. */
  local: boolean;
}

export interface ConflictRecord {
  id: string;
  folderId: string;
  key: string;
  kind: ConflictKind;
  /** In version order (Last-Modified, then id); the local side first. */
  sides: ConflictSide[];
  /** Where the sides diverged: version ids, `none` for a new file; [] when unknown. */
  base: string[];
  /** Divergence: buckets of the group that hold no version of the key. */
  missing: BucketRef[];
  /** One sentence in plain words. */
  detail: string;
  foundAt: number;
  updatedAt: number;
  /** Set once the conflict went away (a resolution, or the local file synced). */
  resolvedAt: number | null;
}

/** A conflict as found by one look, before it is stored. */
export type ConflictFinding = Pick<
  ConflictRecord,
  'folderId' | 'key' | 'kind' | 'sides' | 'base' | 'missing' | 'detail'
>;

export function sideOf(node: VersionNode, group: readonly BucketRef[]): ConflictSide {
  const bucket =
    node.origin ??
    group.find((g) => node.presentIn.includes(g.bucket))?.bucket ??
    node.presentIn[0] ??
    '';
  return {
    versionId: node.versionId,
    device: node.lineage?.device ?? null,
    region: group.find((g) => g.bucket === bucket)?.region ?? '',
    bucket,
    size: node.size,
    lastModified: node.lastModified,
    sha256: node.lineage?.sha256 ?? null,
    isCurrent: node.currentIn.length > 0,
    currentIn: [...node.currentIn],
    bases: node.lineage ? [...node.lineage.bases] : null,
    deleteMarker: node.deleteMarker,
    local: false,
  };
}

const short = (id: string): string => (id === ROOT ? 'none (a new file)' : id.slice(0, 12));
const list = (items: string[]): string =>
  items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;

function describeSide(s: ConflictSide): string {
  const what = s.deleteMarker ? `a delete` : `version ${short(s.versionId ?? '')}`;
  const who = s.device !== null ? ` by ${s.device}` : '';
  return `${what}${who} in ${s.region || s.bucket}`;
}

function hidden(sides: ConflictSide[]): string {
  const lost = sides.filter((s) => !s.isCurrent);
  if (lost.length === 0) return 'each bucket shows a different one';
  return `${list(lost.map(describeSide))} ${lost.length === 1 ? 'is' : 'are'} no longer current anywhere`;
}

export function forkFinding(
  folderId: string,
  key: string,
  found: Finding,
  group: readonly BucketRef[],
  certain: boolean,
): ConflictFinding {
  const sides = found.heads.map((h) => sideOf(h, group));
  const base = found.bases.length > 0 ? list(found.bases.map(short)) : 'an unknown version';
  const detail = certain
    ? `${key}: ${list(sides.map(describeSide))} were both edited from ${base}; ${hidden(sides)}.`
    : `${key}: ${list(sides.map(describeSide))} may have overwritten each other (written without Replica Sync lineage, so this is judged from where and when they were written, not known); ${hidden(sides)}.`;
  return {
    folderId,
    key,
    kind: certain ? 'fork' : 'possible',
    sides,
    base: found.bases,
    missing: [],
    detail,
  };
}

export function divergenceFinding(
  folderId: string,
  key: string,
  found: DivergenceFinding,
  group: readonly BucketRef[],
): ConflictFinding {
  const nodes = new Map<string, VersionNode>();
  for (const c of found.currents) if (c.node) nodes.set(c.node.id, c.node);
  const sides = [...nodes.values()].map((n) => sideOf(n, group));
  const missing = found.currents
    .filter((c) => c.node === null)
    .map((c) => group.find((g) => g.bucket === c.bucket) ?? { bucket: c.bucket, region: '' });
  const parts = found.currents.map((c) => {
    const region = group.find((g) => g.bucket === c.bucket)?.region ?? c.bucket;
    if (!c.node) return `${region} has no version of it`;
    return c.node.deleteMarker
      ? `${region} shows it deleted`
      : `${region} has version ${short(c.node.versionId)} current`;
  });
  return {
    folderId,
    key,
    kind: 'divergence',
    sides,
    base: [],
    missing,
    detail: `${key}: replication has settled but the buckets disagree: ${list(parts)}.`,
  };
}
