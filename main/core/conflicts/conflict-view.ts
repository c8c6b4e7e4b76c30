// How a stored conflict looks to the UI, the tray and the CLI.
import type { ConflictSide as SideView, ConflictSummary } from '../../contract/index.js';
import type { ConflictRecord, ConflictSide } from './conflict-record.js';

/** This installation: its id (rs-device) and the name the user gave it. */
export interface Me {
  device: string;
  name: string;
}

export function summarize(r: ConflictRecord, relPath: string, me: Me): ConflictSummary {
  const baseId = r.base.find((b) => b !== 'none');
  return {
    id: r.id,
    folderId: r.folderId,
    relPath,
    key: r.key,
    kind: r.kind,
    certain: r.kind !== 'possible',
    sides: r.sides.map((s) => sideView(s, me)),
    // Only the base's id is known here; its other facts are in the versions browser.
    base: baseId
      ? {
          versionId: baseId,
          device: null,
          deviceName: null,
          region: null,
          bucket: null,
          size: 0,
          lastModified: new Date(0).toISOString(),
          sha256: null,
          isCurrent: false,
          isLocal: false,
          isMine: false,
        }
      : null,
    foundAt: new Date(r.foundAt).toISOString(),
  };
}

function sideView(s: ConflictSide, me: Me): SideView {
  return {
    versionId: s.versionId,
    device: s.device,
    deviceName: s.local || s.device === me.device ? me.name : null,
    region: s.local ? null : s.region,
    bucket: s.local ? null : s.bucket,
    size: s.size,
    lastModified: new Date(s.lastModified).toISOString(),
    sha256: s.sha256,
    isCurrent: s.isCurrent,
    isLocal: s.local,
    isMine: s.local || s.device === me.device,
  };
}

/** Who wrote a side, for a conflict-copy name. */
export function sideLabel(s: ConflictSide, me: Me): string {
  const label = s.local
    ? me.name
    : s.device
      ? s.device === me.device
        ? me.name
        : s.device
      : 'another tool';
  return label || 'unknown device';
}
