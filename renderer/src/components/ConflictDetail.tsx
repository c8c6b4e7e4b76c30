import { useId, useState } from 'react';
import type { ConflictSide, ConflictSummary } from '../../../main/contract/conflicts.js';
import { api } from '../api-instance.js';
import {
  formatWhen,
  inSentence,
  KIND_LABELS,
  keepArgs,
  sideKey,
  sideTitles,
  sideWhere,
  sideWho,
  type ResolveArgs,
} from '../conflict-format.js';
import type { ContractError } from '../contract-error.js';
import { displayPath, formatBytes, shortVersionId } from '../display-format.js';
import { asContractError } from '../hooks/use-live-value.js';
import { ConflictCompare } from './ConflictCompare.js';
import { ConflictSideCard } from './ConflictSideCard.js';
import { ErrorNotice } from './ErrorNotice.js';
import { StateBadge } from './StateBadge.js';
import { VersionsBrowser } from './VersionsBrowser.js';

interface Props {
  conflict: ConflictSummary;
  /** The watched folder's path. */
  folderPath: string | undefined;
  /** The conflict was resolved; says how. */
  onResolved: (message: string) => void;
  /** Something happened worth saying that leaves the conflict open (opened, restored). */
  onMessage: (message: string) => void;
}

function baseLine(base: ConflictSide): string {
  return `Version ${shortVersionId(base.versionId)} by ${sideWho(base)} in ${sideWhere(base)}, ${formatWhen(base.lastModified)}, ${formatBytes(base.size)}`;
}

/**
 * One conflict: every side with who, where, when and size, the common base, a comparison,
 * and the ways out (keep one side, keep both, restore any version).
 */
export function ConflictDetail({ conflict, folderPath, onResolved, onMessage }: Props) {
  const id = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ContractError | null>(null);
  const titles = sideTitles(conflict.sides);

  const resolve = async (args: ResolveArgs, what: string): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const result = await api.invoke('conflicts.resolve', args);
      onResolved(
        result.copy
          ? `${conflict.relPath}: ${what}; the other one is saved as ${result.copy}.`
          : `${conflict.relPath}: ${what}.`,
      );
    } catch (failure) {
      setError(asContractError(failure));
    } finally {
      setBusy(false);
    }
  };

  const open = async (side: ConflictSide, title: string): Promise<void> => {
    const key = sideKey(side);
    if (!key) return;
    setError(null);
    try {
      await api.invoke('conflicts.open', { id: conflict.id, side: key });
      onMessage(`${conflict.relPath}: opened ${inSentence(title)}.`);
    } catch (failure) {
      setError(asContractError(failure));
    }
  };

  return (
    <section className="conflict-detail" aria-labelledby={`${id}-title`}>
      <div className="conflict-detail-head">
        <h2 id={`${id}-title`} className="item-path">
          {conflict.relPath}
        </h2>
        {conflict.certain ? null : <StateBadge label="Possible conflict" tone="conflict" />}
      </div>
      <dl className="detail-facts">
        {folderPath ? (
          <div>
            <dt>Folder</dt>
            <dd className="item-path">{displayPath(folderPath)}</dd>
          </div>
        ) : null}
        <div>
          <dt>What happened</dt>
          <dd>{KIND_LABELS[conflict.kind]}</dd>
        </div>
        <div>
          <dt>Found</dt>
          <dd>
            <time dateTime={conflict.foundAt}>{formatWhen(conflict.foundAt)}</time>
          </dd>
        </div>
        <div>
          <dt>Common base</dt>
          <dd>
            {conflict.base
              ? baseLine(conflict.base)
              : 'None known: the versions carry no lineage to a shared version.'}
          </dd>
        </div>
      </dl>
      {conflict.certain ? null : (
        <p className="field-hint">
          These versions were written without lineage (by another tool), so Replica Sync cannot tell
          whether one was edited from the other. Compare them before you choose.
        </p>
      )}

      {error ? <ErrorNotice title="That did not work." error={error} /> : null}

      <ul className="conflict-sides plain-list" aria-label="Versions in conflict">
        {conflict.sides.map((side, index) => {
          const title = titles[index] ?? `Version ${index + 1}`;
          const args = keepArgs(conflict, side);
          return (
            <li key={`${side.versionId ?? 'local'}:${side.region ?? ''}:${index}`}>
              <ConflictSideCard
                side={side}
                title={title}
                canKeep={args !== null}
                canOpen={sideKey(side) !== null}
                busy={busy}
                onKeep={() => {
                  if (args) void resolve(args, `kept ${inSentence(title)}`);
                }}
                onOpen={() => void open(side, title)}
              />
            </li>
          );
        })}
      </ul>
      <div className="conflict-both">
        <button
          type="button"
          disabled={busy}
          onClick={() => void resolve({ id: conflict.id, keep: 'both' }, 'kept both versions')}
        >
          Keep both
        </button>
        <p className="field-hint">
          Keeps one version under the file&apos;s name and saves the other next to it as a conflict
          copy, named after the device and time that wrote it.
        </p>
      </div>

      <ConflictCompare key={conflict.id} conflict={conflict} />

      <VersionsBrowser
        folderId={conflict.folderId}
        relPath={conflict.relPath}
        sideVersionIds={conflict.sides.flatMap((s) => (s.versionId ? [s.versionId] : []))}
        onRestored={onMessage}
      />
    </section>
  );
}
