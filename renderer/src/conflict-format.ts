// How conflicts read in the Conflicts view: who wrote a side, where it is, when, and which
// arguments keep it. Pure, so it runs under Node for the unit tests.
import type { CommandArgs } from '../../main/contract/commands.js';
import type {
  ConflictKind,
  ConflictPolicy,
  ConflictSide,
  ConflictSummary,
} from '../../main/contract/conflicts.js';
import { baseName, shortVersionId } from './display-format.js';

export type ResolveArgs = CommandArgs<'conflicts.resolve'>;

/** "1 conflict" / "12 conflicts". */
export function countConflicts(count: number): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? 'conflict' : 'conflicts'}`;
}

/** The conflict's file name, marked when the conflict is only possible. */
export function conflictName(conflict: Pick<ConflictSummary, 'relPath'>): string {
  return baseName(conflict.relPath);
}

export const KIND_LABELS: Record<ConflictKind, string> = {
  'local-remote': 'Changed here and in the bucket',
  fork: 'Written in two places from the same version',
  possible: 'Possible conflict: versions without lineage',
  divergence: 'Regions disagree on the current version',
};

export const POLICY_LABELS: Record<ConflictPolicy, string> = {
  ask: 'Ask me',
  'newest-wins': 'Newest wins',
  'this-device-wins': 'This device wins',
};

export const POLICIES = Object.keys(POLICY_LABELS) as ConflictPolicy[];

/** Who wrote a side: the device's name, its id, or a tool without lineage. */
export function sideWho(side: Pick<ConflictSide, 'deviceName' | 'device' | 'isMine' | 'isLocal'>) {
  return (
    side.deviceName ?? side.device ?? (side.isMine || side.isLocal ? 'this device' : 'another tool')
  );
}

/** Where a side is: "this computer", or the region and bucket. */
export function sideWhere(side: Pick<ConflictSide, 'isLocal' | 'region' | 'bucket'>): string {
  if (side.isLocal) return 'this computer';
  if (side.region && side.bucket) return `${side.region} (${side.bucket})`;
  return side.region ?? side.bucket ?? 'an unknown bucket';
}

/**
 * A name for each side, unique within the conflict: "Version on this computer",
 * "Version from laptop in eu-west-1", with the version id added where two would read alike.
 */
export function sideTitles(sides: readonly ConflictSide[]): string[] {
  const plain = sides.map((side) =>
    side.isLocal
      ? 'Version on this computer'
      : `Version from ${sideWho(side)}${side.region ? ` in ${side.region}` : ''}`,
  );
  return plain.map((title, index) => {
    const twin = plain.some((other, k) => k !== index && other === title);
    const versionId = sides[index]?.versionId ?? null;
    return twin && versionId ? `${title} (${shortVersionId(versionId)})` : title;
  });
}

/** A side's title inside a sentence: "Version from laptop" → "the version from laptop". */
export function inSentence(title: string): string {
  return title.startsWith('Version') ? `the version${title.slice('Version'.length)}` : title;
}

/** What conflicts.preview and conflicts.open take for a side: 'local' or its version id. */
export function sideKey(side: Pick<ConflictSide, 'isLocal' | 'versionId'>): string | null {
  if (side.isLocal) return 'local';
  return side.versionId;
}

/**
 * The conflicts.resolve arguments that keep one side: the local file, the bucket's side of a
 * local–remote conflict, or else that exact version.
 */
export function keepArgs(conflict: ConflictSummary, side: ConflictSide): ResolveArgs | null {
  if (side.isLocal) return { id: conflict.id, keep: 'local' };
  const remotes = conflict.sides.filter((s) => !s.isLocal);
  if (conflict.kind === 'local-remote' && remotes.length === 1) {
    return { id: conflict.id, keep: 'remote' };
  }
  return side.versionId ? { id: conflict.id, keepVersion: side.versionId } : null;
}

/** The side written last (by lastModified); the first of equals. */
export function newestSide(sides: readonly ConflictSide[]): ConflictSide | null {
  let newest: ConflictSide | null = null;
  for (const side of sides) {
    if (newest === null || Date.parse(side.lastModified) > Date.parse(newest.lastModified))
      newest = side;
  }
  return newest;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** "2025-01-02 03:04" in local time; the raw text when it is not a date. */
export function formatWhen(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(
    date.getHours(),
  )}:${pad(date.getMinutes())}`;
}

/** A conflict's sides in one line: "this computer and laptop in eu-west-1". */
export function describeSides(sides: readonly ConflictSide[]): string {
  const words = [
    ...new Set(
      sides.map((side) =>
        side.isLocal
          ? 'this computer'
          : `${sideWho(side)}${side.region ? ` in ${side.region}` : ''}`,
      ),
    ),
  ];
  if (words.length <= 1) return words[0] ?? 'two places';
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}
