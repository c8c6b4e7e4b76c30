// The version graph of one key across the buckets of a replication group (DESIGN.md sections
// 1 and 2). Pure: the detector feeds it the listings and the lineage it read. Replicas keep
// version ids, so the versions of every bucket dedupe into one set of nodes; lineage (rs-base)
// gives the edges. Heads are versions no other version names as a base: more than one head is
// a fork, decided by the graph and never by clocks. Versions without lineage (other tools,
// delete markers) get guessed edges from what is knowable (where each was written, when the
// detector first saw it in each bucket, the replication window) and can only ever make a
// "possible" conflict. Divergence: once replication settled, the buckets disagree on the
// current version.
import type { Lineage } from '../transfer/lineage.js';

/** The virtual root every new file (rs-base `none`) descends from. */
export const ROOT = 'none';

/** x-amz-replication-status of a version where it was written; NONE: not replicated. */
export type OriginStatus = 'PENDING' | 'COMPLETED' | 'FAILED' | 'NONE';

/** One entry of ListObjectVersions in one bucket. */
export interface ListedVersion {
  bucket: string;
  versionId: string;
  isLatest: boolean;
  lastModified: number;
  size: number;
  deleteMarker: boolean;
  /** When the detector first listed this version in this bucket (ms), if it knows. */
  firstSeen?: number;
}

/** What a HEAD of the version told (absent for delete markers and unread versions). */
export interface VersionFacts {
  /** null: the version carries no valid lineage (written by another tool). */
  lineage: Lineage | null;
  /** Bucket the version was written to (its replication source), when known. */
  origin: string | null;
  /** Replication status at the origin as last read; null when not read there. */
  originStatus: OriginStatus | null;
  /** True when that status was read before this look's listings began. */
  statusBeforeListing: boolean;
}

export interface KeyInput {
  /** Bucket names of the replication group. */
  buckets: readonly string[];
  listed: readonly ListedVersion[];
  /** By node id (see nodeId). */
  facts: ReadonlyMap<string, VersionFacts>;
  now: number;
  /** How long a replica may take to arrive (judging versions without lineage). */
  windowMs: number;
}

export interface VersionNode {
  /** The version id, except `null@bucket` for the per-bucket `null` version. */
  id: string;
  versionId: string;
  lastModified: number;
  size: number;
  deleteMarker: boolean;
  lineage: Lineage | null;
  /** A HEAD was read (delete markers never are). */
  read: boolean;
  origin: string | null;
  presentIn: string[];
  currentIn: string[];
  /** Node ids (ROOT, or ids of versions no bucket lists any more). */
  parents: string[];
  /** Parents guessed from order and visibility, not named by lineage. */
  inferred: boolean;
  /** Versions written before this one that its writer may not have seen. */
  unseen: string[];
}

export interface Finding {
  heads: VersionNode[];
  /** Where the heads diverged: version ids, `none` for a new file. */
  bases: string[];
}

export interface DivergenceFinding {
  /** The current version of each bucket of the group, null where the key is absent. */
  currents: { bucket: string; node: VersionNode | null }[];
}

export interface KeyAnalysis {
  /** In version order (Last-Modified, then id). */
  nodes: VersionNode[];
  heads: VersionNode[];
  /** Heads that are certainly concurrent (lineage on both sides). */
  fork: Finding | null;
  /** Several heads, at least one judged without lineage: every head, never certain. */
  possible: Finding | null;
  divergence: DivergenceFinding | null;
  /** Replication of every version has settled (divergence is only judged then). */
  settled: boolean;
}

export function nodeId(versionId: string, bucket: string): string {
  return versionId === 'null' ? `null@${bucket}` : versionId;
}

const byOrder = (a: VersionNode, b: VersionNode): number =>
  a.lastModified - b.lastModified || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function buildNodes(input: KeyInput): VersionNode[] {
  const nodes = new Map<string, VersionNode>();
  for (const v of input.listed) {
    const id = nodeId(v.versionId, v.bucket);
    let n = nodes.get(id);
    if (!n) {
      const facts = input.facts.get(id);
      n = {
        id,
        versionId: v.versionId,
        lastModified: v.lastModified,
        size: v.size,
        deleteMarker: v.deleteMarker,
        lineage: facts?.lineage ?? null,
        read: facts !== undefined,
        origin: facts?.origin ?? null,
        presentIn: [],
        currentIn: [],
        parents: [],
        inferred: false,
        unseen: [],
      };
      nodes.set(id, n);
    }
    if (!n.presentIn.includes(v.bucket)) n.presentIn.push(v.bucket);
    if (v.isLatest && !n.currentIn.includes(v.bucket)) n.currentIn.push(v.bucket);
  }
  return [...nodes.values()].sort(byOrder);
}

type SeenAt = Map<string, number>;
const seenKey = (bucket: string, id: string): string => `${bucket}\u0000${id}`;

function seenAt(input: KeyInput): SeenAt {
  const out: SeenAt = new Map();
  for (const v of input.listed)
    if (v.firstSeen !== undefined)
      out.set(seenKey(v.bucket, nodeId(v.versionId, v.bucket)), v.firstSeen);
  return out;
}

/** The bucket a version without a read origin was written to, when the listings tell. */
function guessOrigin(n: VersionNode, seen: SeenAt): string | null {
  if (n.presentIn.length === 1) return n.presentIn[0] ?? null;
  const times = n.presentIn
    .map((bucket) => ({ bucket, at: seen.get(seenKey(bucket, n.id)) }))
    .filter((t): t is { bucket: string; at: number } => t.at !== undefined)
    .sort((a, b) => a.at - b.at);
  const [first, second] = times;
  // Listed in one bucket before any other: that is where it was written.
  return first && second && first.at < second.at ? first.bucket : null;
}

/** Could the writer of x (in its origin bucket) have seen y, written earlier? */
function visible(y: VersionNode, x: VersionNode, input: KeyInput, seen: SeenAt): boolean {
  const where = x.origin;
  if (where === null || y.origin === where) return true;
  if (!y.presentIn.includes(where)) return false;
  const fy = seen.get(seenKey(where, y.id));
  const fx = seen.get(seenKey(where, x.id));
  // Listed there while y was not: y arrived after x was written.
  if (fy !== undefined && fx !== undefined && fy > fx) return false;
  if (y.origin === null) return true;
  return x.lastModified - y.lastModified >= input.windowMs;
}

function linkParents(nodes: VersionNode[], input: KeyInput, seen: SeenAt): void {
  const nullIds = nodes.filter((n) => n.versionId === 'null').map((n) => n.id);
  nodes.forEach((x, i) => {
    if (x.lineage) {
      x.parents =
        x.lineage.bases.length === 0
          ? [ROOT]
          : x.lineage.bases.flatMap((b) => (b === 'null' && nullIds.length > 0 ? nullIds : [b]));
      return;
    }
    x.inferred = true;
    for (let j = i - 1; j >= 0; j--) {
      const y = nodes[j] as VersionNode;
      if (y.lastModified < x.lastModified && visible(y, x, input, seen)) {
        x.parents = [y.id];
        return;
      }
      x.unseen.push(y.id);
    }
    x.parents = [ROOT];
  });
}

function ancestors(id: string, byId: Map<string, VersionNode>): Set<string> {
  const out = new Set<string>();
  const stack = [...(byId.get(id)?.parents ?? [])];
  while (stack.length > 0) {
    const p = stack.pop() as string;
    if (out.has(p)) continue;
    out.add(p);
    for (const q of byId.get(p)?.parents ?? []) stack.push(q);
  }
  return out;
}

/**
 * Neither head can descend from the other: both carry lineage, and no guessed node among
 * one's ancestors (no lineage, or not listed) could have been based on the other.
 */
function certainPair(
  a: VersionNode,
  b: VersionNode,
  anc: Map<string, Set<string>>,
  byId: Map<string, VersionNode>,
): boolean {
  if (!a.lineage || !b.lineage) return false;
  const threatens = (from: VersionNode, to: VersionNode): boolean => {
    const mine = anc.get(from.id) as Set<string>;
    const theirs = anc.get(to.id) as Set<string>;
    for (const id of mine) {
      if (id === ROOT || theirs.has(id)) continue;
      const f = byId.get(id);
      if (!f || (!f.lineage && f.lastModified > to.lastModified)) return true;
    }
    return false;
  };
  return !threatens(a, b) && !threatens(b, a);
}

/** The nearest common ancestors of the heads (where they diverged). */
function forkBases(heads: VersionNode[], anc: Map<string, Set<string>>): string[] {
  const [first, ...rest] = heads;
  if (!first) return [];
  const common = [...(anc.get(first.id) as Set<string>)].filter((id) =>
    rest.every((h) => (anc.get(h.id) as Set<string>).has(id)),
  );
  // Not nearest: another common ancestor descends from it.
  return common
    .filter((id) => !common.some((other) => other !== id && (anc.get(other)?.has(id) ?? false)))
    .sort();
}

function settledNode(n: VersionNode, input: KeyInput): boolean {
  if (input.buckets.every((b) => n.presentIn.includes(b))) return true;
  if (n.deleteMarker) return input.now - n.lastModified >= input.windowMs;
  const facts = input.facts.get(n.id);
  if (!facts || facts.originStatus === null || facts.originStatus === 'PENDING') return false;
  return facts.statusBeforeListing && n.origin !== null && n.presentIn.includes(n.origin);
}

export function analyzeKey(input: KeyInput): KeyAnalysis {
  const nodes = buildNodes(input);
  const seen = seenAt(input);
  for (const n of nodes) if (n.origin === null) n.origin = guessOrigin(n, seen);
  linkParents(nodes, input, seen);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const named = new Set(nodes.flatMap((n) => n.parents));
  const heads = nodes.filter((n) => !named.has(n.id));
  const anc = new Map<string, Set<string>>();
  for (const n of nodes) anc.set(n.id, ancestors(n.id, byId));

  let fork: Finding | null = null;
  let possible: Finding | null = null;
  if (heads.length > 1) {
    const certain = new Set<VersionNode>();
    let doubt = false;
    heads.forEach((a, i) =>
      heads.slice(i + 1).forEach((b) => {
        // Two deletes agree: the file is gone either way, nothing to choose between.
        if (a.deleteMarker && b.deleteMarker) return;
        if (certainPair(a, b, anc, byId)) certain.add(a).add(b);
        else doubt = true;
      }),
    );
    const inFork = heads.filter((h) => certain.has(h));
    if (inFork.length > 1) fork = { heads: inFork, bases: forkBases(inFork, anc) };
    if (doubt) possible = { heads, bases: forkBases(heads, anc) };
  }

  const settled = nodes.every((n) => settledNode(n, input));
  let divergence: DivergenceFinding | null = null;
  if (settled && nodes.length > 0) {
    const currents = input.buckets.map((bucket) => ({
      bucket,
      node: nodes.find((n) => n.currentIn.includes(bucket)) ?? null,
    }));
    if (new Set(currents.map((c) => c.node?.id ?? null)).size > 1) divergence = { currents };
  }
  return { nodes, heads, fork, possible, divergence, settled };
}
