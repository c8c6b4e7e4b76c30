// The versions of one file across the regions of its group, one entry per version id (a
// replica keeps its source's id). Pure, so it runs under Node for the unit tests.
import type { VersionEntry } from '../../main/contract/conflicts.js';

export interface VersionGroup {
  versionId: string;
  /** The newest Last-Modified among its copies. */
  lastModified: string;
  size: number;
  deleteMarker: boolean;
  device: string | null;
  deviceName: string | null;
  bases: string[];
  /** Where a copy is, and whether it is the current version there. */
  copies: { region: string; bucket: string; isLatest: boolean }[];
}

/** Versions grouped by id, newest first; copies by region name. */
export function groupVersions(entries: readonly VersionEntry[]): VersionGroup[] {
  const byId = new Map<string, VersionGroup>();
  for (const entry of entries) {
    const group = byId.get(entry.versionId);
    const copy = { region: entry.region, bucket: entry.bucket, isLatest: entry.isLatest };
    if (!group) {
      byId.set(entry.versionId, {
        versionId: entry.versionId,
        lastModified: entry.lastModified,
        size: entry.size,
        deleteMarker: entry.deleteMarker,
        device: entry.device,
        deviceName: entry.deviceName,
        bases: [...entry.bases],
        copies: [copy],
      });
      continue;
    }
    group.copies.push(copy);
    if (Date.parse(entry.lastModified) > Date.parse(group.lastModified))
      group.lastModified = entry.lastModified;
    group.deviceName ??= entry.deviceName;
    group.device ??= entry.device;
    if (group.bases.length === 0) group.bases = [...entry.bases];
  }
  const groups = [...byId.values()];
  for (const group of groups) group.copies.sort((x, y) => x.region.localeCompare(y.region));
  return groups.sort(
    (x, y) =>
      Date.parse(y.lastModified) - Date.parse(x.lastModified) ||
      x.versionId.localeCompare(y.versionId),
  );
}

/** "us-east-1 (current), eu-west-1". */
export function describeCopies(group: Pick<VersionGroup, 'copies'>): string {
  return group.copies.map((c) => (c.isLatest ? `${c.region} (current)` : c.region)).join(', ');
}
