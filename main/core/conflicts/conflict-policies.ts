// The per-folder automatic conflict policy, kept in a small JSON file (never by default), and
// the side each policy (and each bulk choice) keeps.
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { ConflictPolicy } from '../../contract/index.js';
import type { ConflictRecord, ConflictSide } from './detector.js';
import { newest, type Winner } from './resolution-write.js';

export class PolicyFile {
  private policies: Record<string, ConflictPolicy>;

  constructor(private readonly file: string) {
    try {
      this.policies = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, ConflictPolicy>;
    } catch {
      this.policies = {};
    }
  }

  get(folderId: string): ConflictPolicy {
    return this.policies[folderId] ?? 'ask';
  }

  set(folderId: string, policy: ConflictPolicy): void {
    this.policies[folderId] = policy;
    const tmp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.policies, null, 2), { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }
}

/** The sides a policy chooses from: the local file and every version with content. */
function candidates(r: ConflictRecord): ConflictSide[] {
  return r.sides.filter((s) => s.local || (s.versionId && !s.deleteMarker));
}

/**
 * The side an automatic policy keeps under the real name ("keep both": the loser is kept as
 * a version and as a conflict copy). newest-wins: the side written last (Last-Modified, the
 * local file's mtime); this-device-wins: the local file, else this device's newest version.
 * Undefined when the policy has nothing to choose (no side from this device).
 */
export function policyWinner(
  r: ConflictRecord,
  policy: Exclude<ConflictPolicy, 'ask'>,
  device: string,
): Winner | undefined {
  const sides = candidates(r);
  const top =
    policy === 'newest-wins'
      ? newest(sides)
      : (sides.find((s) => s.local) ?? newest(sides.filter((s) => s.device === device)));
  if (!top) return undefined;
  return top.local ? 'local' : { versionId: top.versionId as string };
}

/** The side a bulk resolution keeps (conflicts.bulkPreview / bulkResolve). */
export function bulkChoice(
  r: ConflictRecord,
  policy: 'keep-local' | 'keep-newest',
  device: string,
): { keep: 'local' | 'remote'; versionId: string | null } {
  const remote = r.sides.filter((s) => !s.local && s.versionId && !s.deleteMarker);
  if (policy === 'keep-local') {
    if (r.sides.some((s) => s.local)) return { keep: 'local', versionId: null };
    const mine = newest(remote.filter((s) => s.device === device));
    return { keep: 'remote', versionId: mine?.versionId ?? newest(remote)?.versionId ?? null };
  }
  const top = newest(r.sides);
  return top?.local
    ? { keep: 'local', versionId: null }
    : { keep: 'remote', versionId: top?.versionId ?? null };
}

/** Resolves each conflict in turn; one that fails (changed again, gone) does not stop the rest. */
export async function resolveEach(
  ids: string[],
  resolveOne: (id: string) => Promise<void>,
): Promise<{ resolved: number; failed: { id: string; message: string }[] }> {
  let resolved = 0;
  const failed: { id: string; message: string }[] = [];
  for (const id of ids) {
    try {
      await resolveOne(id);
      resolved++;
    } catch (err) {
      failed.push({ id, message: (err as Error).message });
    }
  }
  return { resolved, failed };
}

/** A policy in words, for the activity. */
export function policyWords(policy: ConflictPolicy): string {
  return policy === 'ask' ? 'ask me' : policy.replace(/-/g, ' ');
}
