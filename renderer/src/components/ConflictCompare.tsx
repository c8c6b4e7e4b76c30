import { useEffect, useId, useRef, useState } from 'react';
import type { ConflictPreview, ConflictSummary } from '../../../main/contract/conflicts.js';
import { api } from '../api-instance.js';
import { inSentence, sideKey, sideTitles } from '../conflict-format.js';
import type { ContractError } from '../contract-error.js';
import { asContractError, isCancelled } from '../hooks/use-live-value.js';
import { ConflictSidePreview } from './ConflictSidePreview.js';
import { ErrorNotice } from './ErrorNotice.js';
import { LoadingNotice } from './LoadingNotice.js';
import { TextDiffView } from './TextDiffView.js';

interface Props {
  /** Give the component `key={conflict.id}`: another conflict starts afresh. */
  conflict: ConflictSummary;
}

type Loaded = { preview: ConflictPreview } | { error: ContractError };

/** The first side that is this device's, then the first other one. */
function defaultPair(conflict: ConflictSummary): [number, number] {
  const mine = conflict.sides.findIndex((s) => s.isLocal || s.isMine);
  const left = mine >= 0 ? mine : 0;
  const right = conflict.sides.findIndex((_, index) => index !== left);
  return [left, right >= 0 ? right : left];
}

/**
 * Two sides of a conflict next to each other: texts as a line diff, images side by side,
 * other files by what is known of them (conflicts.preview).
 */
export function ConflictCompare({ conflict }: Props) {
  const id = useId();
  const titles = sideTitles(conflict.sides);
  const [[left, right], setPair] = useState(() => defaultPair(conflict));
  const [loaded, setLoaded] = useState<Record<string, Loaded>>({});
  // What is loaded, for the effect below without making it rerun (and cancel) on each answer.
  const loadedRef = useRef(loaded);
  loadedRef.current = loaded;
  const [reloadKey, setReloadKey] = useState(0);

  const keys = conflict.sides.map(sideKey);
  const leftKey = keys[left];
  const rightKey = keys[right];
  const conflictId = conflict.id;

  // Asks for the two shown sides that are not loaded; a change of pair cancels the rest.
  useEffect(() => {
    const controller = new AbortController();
    for (const side of new Set([leftKey, rightKey])) {
      if (!side || side in loadedRef.current) continue;
      api.invoke('conflicts.preview', { id: conflictId, side }, { signal: controller.signal }).then(
        (preview) => setLoaded((current) => ({ ...current, [side]: { preview } })),
        (failure: unknown) => {
          if (!isCancelled(failure))
            setLoaded((current) => ({ ...current, [side]: { error: asContractError(failure) } }));
        },
      );
    }
    return () => controller.abort();
  }, [conflictId, leftKey, rightKey, reloadKey]);

  const retry = (): void => {
    setLoaded((current) =>
      Object.fromEntries(Object.entries(current).filter(([, value]) => 'preview' in value)),
    );
    setReloadKey((key) => key + 1);
  };

  const a = leftKey ? loaded[leftKey] : undefined;
  const b = rightKey ? loaded[rightKey] : undefined;
  const failed = [a, b].find((x): x is { error: ContractError } => x !== undefined && 'error' in x);
  const pa = a && 'preview' in a ? a.preview : null;
  const pb = b && 'preview' in b ? b.preview : null;

  return (
    <section className="conflict-compare" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Compare</h3>
      {conflict.sides.length > 1 ? (
        <div className="compare-pick">
          <div className="field">
            <label htmlFor={`${id}-left`}>Compare</label>
            <select
              id={`${id}-left`}
              value={left}
              onChange={(event) => setPair([Number(event.target.value), right])}
            >
              {titles.map((title, index) => (
                <option key={index} value={index}>
                  {title}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-right`}>with</label>
            <select
              id={`${id}-right`}
              value={right}
              onChange={(event) => setPair([left, Number(event.target.value)])}
            >
              {titles.map((title, index) => (
                <option key={index} value={index}>
                  {title}
                </option>
              ))}
            </select>
          </div>
        </div>
      ) : null}
      {failed ? (
        <ErrorNotice title="Could not read a version." error={failed.error} onRetry={retry} />
      ) : null}
      {!leftKey || !rightKey ? (
        <p className="field-hint">This version cannot be previewed: it has no version id.</p>
      ) : !pa || !pb ? (
        failed ? null : (
          <LoadingNotice label="Reading the versions…" />
        )
      ) : left === right ? (
        <ConflictSidePreview title={titles[left] ?? ''} preview={pa} />
      ) : pa.kind === 'text' && pb.kind === 'text' ? (
        <>
          <TextDiffView
            before={pa.text}
            after={pb.text}
            beforeLabel={inSentence(titles[left] ?? 'the first')}
            afterLabel={inSentence(titles[right] ?? 'the second')}
          />
          {pa.truncated || pb.truncated ? (
            <p className="field-hint">
              The previews are cut short: only the beginning of each file is compared.
            </p>
          ) : null}
        </>
      ) : (
        <div className="side-by-side">
          <ConflictSidePreview title={titles[left] ?? ''} preview={pa} />
          <ConflictSidePreview title={titles[right] ?? ''} preview={pb} />
        </div>
      )}
    </section>
  );
}
