// The mass-delete guard at the folder loop: deletes go ahead, or are held (with the ones
// already held) behind one question to the user.
import type { MassDeleteQuestion } from '../../contract/index.js';
import type { DeleteDecision } from './apply-local.js';
import type { FolderConfig, FolderDeps } from './folder-types.js';
import { checkMassDelete } from './mass-delete-guard.js';

/** Null: apply `deletes` now. Otherwise the question to ask; `held` has gained the new ones. */
export function holdDeletes(
  folder: FolderConfig,
  deps: FolderDeps,
  deletes: DeleteDecision[],
  held: DeleteDecision[],
): MassDeleteQuestion | null {
  const counts = deps.index.countsByState(folder.id);
  const live = Object.values(counts).reduce((a, b) => a + b, 0) - counts.deleted;
  const verdict = checkMassDelete(
    deletes.map((d) => d.relPath),
    live,
    folder.localPath,
    { maxFiles: deps.tuning.massDeleteFiles, maxPercent: deps.tuning.massDeletePercent },
  );
  if (verdict.verdict === 'ok' && held.length === 0) return null;
  held.push(...deletes.filter((d) => !held.some((h) => h.relPath === d.relPath)));
  const n = held.length;
  return {
    count: n,
    percent: Math.round((n / Math.max(live, n)) * 100),
    message:
      verdict.verdict === 'ask' ? verdict.message : `${n} deletes are waiting for your answer`,
  };
}
