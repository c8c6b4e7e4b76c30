// Which sides a resolution keeps, decided from the conflict's sides, and the write that
// makes it (resolve.ts): the service asks for "local", "remote", "both" or a version id.
import { ContractError } from '../../contract/index.js';
import type { ConflictRecord, ConflictSide } from './detector.js';
import {
  ConflictChangedError,
  resolveKeep,
  resolveKeepBoth,
  type KeepSide,
  type Resolution,
  type ResolveRequest,
} from './resolve.js';

export type Keep = 'local' | 'remote' | 'both';

/** Which side "keep both" makes current under the real name: the local file or a version. */
export type Winner = 'local' | { versionId: string };

export interface ResolutionInput {
  record: ConflictRecord;
  keep: Keep | string;
  /** For 'both': the side kept under the real name (default: the other device's version). */
  winner?: Winner;
  device: string;
  /** Who wrote a side, in words (the conflict copy's name). */
  labelOf: (side: ConflictSide) => string;
  /** The folder's source bucket and how this service takes writes. */
  target: Omit<ResolveRequest, 'heads' | 'keep'>;
}

export async function writeResolution(
  input: ResolutionInput,
): Promise<Resolution & { conflictCopy?: string }> {
  const { record: r, keep, device, target } = input;
  const remote = r.sides.filter((s) => !s.local && s.versionId && !s.deleteMarker);
  const local = r.sides.find((s) => s.local);
  const heads = r.sides
    .filter((s) => !s.local && s.versionId)
    .map((s) => ({ versionId: s.versionId as string }));
  const current = remote.find((s) => s.currentIn.includes(target.bucket)) ?? newest(remote);
  const theirs =
    remote.find((s) => s.device !== device && s.currentIn.includes(target.bucket)) ??
    newest(remote.filter((s) => s.device !== device)) ??
    current;
  const base = { ...target, heads };
  try {
    if (keep === 'both') {
      const { side, win, loser } = keepBothSides(input.winner, local, remote, theirs ?? current);
      if (!loser || loser === win) throw invalid('keep', 'There is only one side to keep.');
      return await resolveKeepBoth({
        ...base,
        keep: side,
        other: {
          ...(loser.local ? { local: true as const } : { versionId: loser.versionId as string }),
          deviceLabel: input.labelOf(loser),
          lastModified: new Date(loser.lastModified),
        },
      });
    }
    const side: KeepSide =
      keep === 'local'
        ? local
          ? { kind: 'local' }
          : { kind: 'version', versionId: mineOrFail(remote, device) }
        : keep === 'remote'
          ? { kind: 'version', versionId: (theirs ?? current)?.versionId ?? failNoRemote() }
          : { kind: 'version', versionId: sideOf(r, keep).versionId as string };
    return await resolveKeep({ ...base, keep: side });
  } catch (err) {
    rethrowChanged(err);
  }
}

/** "Keep both": the winner (kept under the real name) and the loser (the conflict copy). */
function keepBothSides(
  winner: Winner | undefined,
  local: ConflictSide | undefined,
  remote: ConflictSide[],
  theirs: ConflictSide | undefined,
): { side: KeepSide; win: ConflictSide | undefined; loser: ConflictSide | undefined } {
  if (winner === 'local') {
    if (!local) throw invalid('keep', 'There is no local file to keep.');
    return { side: { kind: 'local' }, win: local, loser: theirs ?? newest(remote) };
  }
  const win = winner ? remote.find((s) => s.versionId === winner.versionId) : theirs;
  if (!win?.versionId)
    throw invalid(
      'keep',
      winner
        ? `Version ${winner.versionId} is not a side of this conflict.`
        : 'There is no version in the bucket to keep beside the local file.',
    );
  const loser = local ?? newest(remote.filter((s) => s !== win));
  return { side: { kind: 'version', versionId: win.versionId }, win, loser };
}

export function sideOf(r: ConflictRecord, versionId: string): ConflictSide {
  const s = r.sides.find((x) => x.versionId === versionId);
  if (!s) throw invalid('side', `Version ${versionId} is not a side of this conflict.`);
  return s;
}

export function newest<T extends { lastModified: number }>(sides: T[]): T | undefined {
  return sides.reduce<T | undefined>(
    (a, b) => (!a || b.lastModified > a.lastModified ? b : a),
    undefined,
  );
}

function mineOrFail(remote: ConflictSide[], device: string): string {
  const mine = newest(remote.filter((s) => s.device === device));
  if (!mine?.versionId)
    throw invalid('keep', 'No side was written on this computer; keep a version instead.');
  return mine.versionId;
}

function failNoRemote(): never {
  throw invalid('keep', 'There is no version in the bucket to keep.');
}

export function invalid(field: string, message: string): ContractError {
  return new ContractError({
    code: 'InvalidArguments',
    message,
    issues: [{ path: field, message }],
  });
}

/** A conflict that moved on while the user decided: a typed error with a retry action. */
export function rethrowChanged(err: unknown): never {
  if (err instanceof ConflictChangedError)
    throw new ContractError({
      code: 'Unavailable',
      message: err.message,
      action: { kind: 'retry' },
    });
  throw err;
}
