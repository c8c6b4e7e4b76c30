// Conflicts as the UI, the tray and the CLI see them (DESIGN.md section 2).
import { array, number, object, oneOf, optional, string, type Schema } from './schema.js';

export type ConflictKind = 'local-remote' | 'fork' | 'possible' | 'divergence';

export interface ConflictSide {
  /** null for the local file that was never uploaded. */
  versionId: string | null;
  /** Installation id (rs-device), null when the version has no lineage. */
  device: string | null;
  /** Device name when known (this device's settings), else null. */
  deviceName: string | null;
  region: string | null;
  bucket: string | null;
  size: number;
  /** ISO 8601. */
  lastModified: string;
  sha256: string | null;
  isCurrent: boolean;
  isLocal: boolean;
  /** Written by this installation. */
  isMine: boolean;
}

export interface ConflictSummary {
  id: string;
  folderId: string;
  relPath: string;
  key: string;
  kind: ConflictKind;
  /** False for "possible conflict" (versions without lineage): never shown as certain. */
  certain: boolean;
  sides: ConflictSide[];
  /** The common base version where there is one. */
  base: ConflictSide | null;
  /** ISO 8601. */
  foundAt: string;
}

export type ConflictPreview =
  | { kind: 'text'; text: string; truncated: boolean }
  | { kind: 'image'; mime: string; dataBase64: string }
  | { kind: 'binary'; size: number; sha256: string | null };

export interface VersionEntry {
  versionId: string;
  region: string;
  bucket: string;
  size: number;
  lastModified: string;
  isLatest: boolean;
  deleteMarker: boolean;
  device: string | null;
  deviceName: string | null;
  bases: string[];
}

export type ConflictPolicy = 'ask' | 'newest-wins' | 'this-device-wins';

const id = string({ min: 1, max: 128, pattern: /^[A-Za-z0-9_-]+$/ });
const folderId = string({ min: 1, max: 64, pattern: /^[A-Za-z0-9_-]+$/ });
const versionId = string({ min: 1, max: 1024 });
const keep = oneOf(['local', 'remote', 'both'] as const);
const side = string({ min: 1, max: 1024 });

export const conflictCommandArgs = {
  'conflicts.list': object({ folderId: optional(folderId) }),
  /** keep: local | remote | both, or a version id (keepVersion). */
  'conflicts.resolve': object({ id, keep: optional(keep), keepVersion: optional(versionId) }),
  /** side: 'local' or a version id. */
  'conflicts.preview': object({ id, side }),
  'conflicts.open': object({ id, side }),
  'conflicts.bulkPreview': object({
    ids: array(id, { max: 10_000 }),
    policy: oneOf(['keep-local', 'keep-newest'] as const),
  }),
  'conflicts.bulkResolve': object({
    ids: array(id, { max: 10_000 }),
    policy: oneOf(['keep-local', 'keep-newest'] as const),
  }),
  'conflicts.versions': object({ folderId, relPath: string({ min: 1, max: 4096 }) }),
  'conflicts.restore': object({ folderId, relPath: string({ min: 1, max: 4096 }), versionId }),
  'conflicts.setPolicy': object({
    folderId,
    policy: oneOf(['ask', 'newest-wins', 'this-device-wins'] as const),
  }),
  'conflicts.scan': object({
    folderId: optional(folderId),
    limit: optional(number({ integer: true, min: 1 })),
  }),
} satisfies Record<string, Schema<unknown>>;

export interface ConflictCommandResults {
  'conflicts.list': ConflictSummary[];
  'conflicts.resolve': { resolved: true; versionId: string; copy: string | null };
  'conflicts.preview': ConflictPreview;
  'conflicts.open': { opened: true };
  'conflicts.bulkPreview': {
    id: string;
    relPath: string;
    keep: 'local' | 'remote';
    versionId: string | null;
  }[];
  'conflicts.bulkResolve': { resolved: number; failed: { id: string; message: string }[] };
  'conflicts.versions': VersionEntry[];
  'conflicts.restore': { versionId: string };
  'conflicts.setPolicy': { policy: ConflictPolicy };
  'conflicts.scan': { found: number };
}
