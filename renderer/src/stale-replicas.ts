// "Deleted in source, still in replica": what placing delete markers would hide, region by
// region. Pure, so it runs under Node for the unit tests.
import type { StaleReplica } from '../../main/contract/replication-commands.js';

export interface RegionLoss {
  region: string;
  bucket: string;
  /** Objects that would stop being current there. */
  count: number;
  bytes: number;
}

/** Per destination bucket: how many objects and bytes a delete marker would hide. */
export function lossByRegion(replicas: readonly StaleReplica[]): RegionLoss[] {
  const by = new Map<string, RegionLoss>();
  for (const r of replicas) {
    const key = `${r.region}\u0000${r.bucket}`;
    const loss = by.get(key) ?? { region: r.region, bucket: r.bucket, count: 0, bytes: 0 };
    loss.count += 1;
    loss.bytes += Number.isFinite(r.size) && r.size > 0 ? r.size : 0;
    by.set(key, loss);
  }
  return [...by.values()].sort(
    (a, b) => a.region.localeCompare(b.region) || a.bucket.localeCompare(b.bucket),
  );
}

/** Each key once, in order: a key may be stale in several regions. */
export function staleKeys(replicas: readonly StaleReplica[]): string[] {
  return [...new Set(replicas.map((r) => r.key))].sort();
}

/** "3 delete markers", "1 delete marker". */
export function countMarkers(count: number): string {
  return `${count.toLocaleString('en-US')} delete marker${count === 1 ? '' : 's'}`;
}
