// Which versions of a key the detector must HEAD, and reading them: lineage once per version
// (replicas keep it, so one bucket suffices), and the replication status where the version was
// written, read again only while it is pending and the version is not in every bucket yet.
import { headVersion, type BucketTarget } from './bucket-reader.js';
import type { StoredFacts } from './conflict-store.js';
import { nodeId, type ListedVersion } from './version-graph.js';

export interface ReadStep {
  nodeId: string;
  versionId: string;
  /** Where to HEAD it. */
  bucket: string;
  presentIn: string[];
  everywhere: boolean;
}

export interface ReadPlan {
  steps: ReadStep[];
  /** A version never read is listed only in buckets that cannot be reached now. */
  blocked: boolean;
}

/**
 * The HEADs a key needs: versions never read (in the first reachable group bucket that has
 * them), and versions whose replication was pending or unknown and that are not everywhere yet
 * (where they were written).
 */
export function readPlan(
  versions: readonly ListedVersion[],
  facts: ReadonlyMap<string, StoredFacts>,
  buckets: readonly string[],
  reachable: ReadonlySet<string>,
): ReadPlan {
  const byNode = new Map<string, ListedVersion[]>();
  for (const v of versions) {
    if (v.deleteMarker) continue;
    const id = nodeId(v.versionId, v.bucket);
    byNode.set(id, [...(byNode.get(id) ?? []), v]);
  }
  const steps: ReadStep[] = [];
  let blocked = false;
  for (const [id, vs] of byNode) {
    const presentIn = buckets.filter((b) => vs.some((v) => v.bucket === b));
    const everywhere = presentIn.length === buckets.length;
    const versionId = (vs[0] as ListedVersion).versionId;
    const f = facts.get(id);
    if (!f) {
      const bucket = presentIn.find((b) => reachable.has(b));
      if (bucket === undefined) blocked = true;
      else steps.push({ nodeId: id, versionId, bucket, presentIn, everywhere });
    } else if (
      !everywhere &&
      (f.originStatus === null || f.originStatus === 'PENDING') &&
      f.origin !== null &&
      presentIn.includes(f.origin) &&
      reachable.has(f.origin)
    )
      steps.push({ nodeId: id, versionId, bucket: f.origin, presentIn, everywhere });
  }
  return { steps, blocked };
}

/** Where a version HEAD called a replica was written: the one other bucket that can be it. */
export function originOf(
  replicaIn: string,
  presentIn: readonly string[],
  buckets: readonly string[],
): string | null {
  const listedElsewhere = presentIn.filter((b) => b !== replicaIn);
  if (listedElsewhere.length === 1) return listedElsewhere[0] as string;
  const others = buckets.filter((b) => b !== replicaIn);
  return listedElsewhere.length === 0 && others.length === 1 ? (others[0] as string) : null;
}

export interface ReadContext {
  key: string;
  buckets: readonly string[];
  reachable: ReadonlySet<string>;
  target(bucket: string): BucketTarget;
  now(): number;
  /** Counts every HEAD sent. */
  sent(): void;
}

/**
 * Reads one step: lineage and status from the planned bucket, and when that holds a replica
 * and the version is not everywhere yet, the status where it was written. Null when the
 * version is gone (deleted since it was listed).
 */
export async function readStep(step: ReadStep, ctx: ReadContext): Promise<StoredFacts | null> {
  ctx.sent();
  const first = await headVersion(ctx.target(step.bucket), ctx.key, step.versionId);
  if (!first) return null;
  let origin: string | null = step.bucket;
  let status = first.status === 'REPLICA' ? null : first.status;
  if (first.status === 'REPLICA') {
    origin = originOf(step.bucket, step.presentIn, ctx.buckets);
    if (
      origin !== null &&
      !step.everywhere &&
      step.presentIn.includes(origin) &&
      ctx.reachable.has(origin)
    ) {
      ctx.sent();
      const there = await headVersion(ctx.target(origin), ctx.key, step.versionId);
      status = there && there.status !== 'REPLICA' ? there.status : null;
    }
  }
  return {
    nodeId: step.nodeId,
    lineage: first.lineage,
    origin,
    originStatus: status,
    checkedAt: ctx.now(),
  };
}
