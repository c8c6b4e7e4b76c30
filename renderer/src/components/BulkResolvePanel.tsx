import { useEffect, useId, useRef, useState } from 'react';
import type { ConflictCommandResults, ConflictSummary } from '../../../main/contract/conflicts.js';
import { api } from '../api-instance.js';
import { countConflicts } from '../conflict-format.js';
import type { ContractError } from '../contract-error.js';
import { shortVersionId } from '../display-format.js';
import { asContractError } from '../hooks/use-live-value.js';
import { ErrorNotice } from './ErrorNotice.js';

interface Props {
  /** The ticked conflicts. */
  selected: readonly ConflictSummary[];
  /** Some were resolved: says how many, and clears the ticks. */
  onResolved: (message: string) => void;
}

type Policy = 'keep-local' | 'keep-newest';
type Plan = ConflictCommandResults['conflicts.bulkPreview'];
type Outcome = ConflictCommandResults['conflicts.bulkResolve'];

const POLICY_WORDS: Record<Policy, string> = {
  'keep-local': 'Keep all local',
  'keep-newest': 'Keep all newest',
};

/** Rows shown in the preview. */
const SHOWN = 200;

/**
 * Resolves the ticked conflicts in one go: keep every local version, or every newest one.
 * Shows what each would keep first (conflicts.bulkPreview), then resolves on confirmation.
 */
export function BulkResolvePanel({ selected, onResolved }: Props) {
  const id = useId();
  const [policy, setPolicy] = useState<Policy | null>(null);
  const [plan, setPlan] = useState<Plan | null>(null);
  const [busy, setBusy] = useState<'preview' | 'resolve' | null>(null);
  const [error, setError] = useState<ContractError | null>(null);
  const [failed, setFailed] = useState<Outcome['failed']>([]);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const ids = selected.map((c) => c.id);
  const idsKey = ids.join(',');

  // Another selection asks for a new preview.
  useEffect(() => {
    setPlan(null);
    setPolicy(null);
  }, [idsKey]);

  useEffect(() => {
    if (plan !== null) confirmRef.current?.focus();
  }, [plan]);

  const preview = async (next: Policy): Promise<void> => {
    setBusy('preview');
    setError(null);
    setFailed([]);
    setPolicy(next);
    try {
      setPlan(await api.invoke('conflicts.bulkPreview', { ids, policy: next }));
    } catch (failure) {
      setPlan(null);
      setError(asContractError(failure));
    } finally {
      setBusy(null);
    }
  };

  const resolve = async (): Promise<void> => {
    if (!policy || !plan) return;
    setBusy('resolve');
    setError(null);
    try {
      const outcome = await api.invoke('conflicts.bulkResolve', {
        ids: plan.map((p) => p.id),
        policy,
      });
      setPlan(null);
      setPolicy(null);
      setFailed(outcome.failed);
      onResolved(
        `Resolved ${countConflicts(outcome.resolved)}.${
          outcome.failed.length > 0
            ? ` ${countConflicts(outcome.failed.length)} could not be resolved.`
            : ''
        }`,
      );
    } catch (failure) {
      setError(asContractError(failure));
    } finally {
      setBusy(null);
    }
  };

  const pathOf = (conflictId: string): string =>
    selected.find((c) => c.id === conflictId)?.relPath ?? conflictId;

  return (
    <section className="panel bulk-resolve" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Resolve several at once</h2>
      <p className="field-hint">
        {selected.length === 0
          ? 'Tick conflicts in the list to resolve them together.'
          : `${countConflicts(selected.length)} selected. You see what each would keep before anything is written.`}
      </p>
      <div className="form-actions" role="group" aria-label="Bulk resolve">
        {(Object.keys(POLICY_WORDS) as Policy[]).map((p) => (
          <button
            key={p}
            type="button"
            aria-pressed={policy === p}
            disabled={selected.length === 0 || busy !== null}
            onClick={() => void preview(p)}
          >
            {busy === 'preview' && policy === p ? 'Looking…' : POLICY_WORDS[p]}
          </button>
        ))}
      </div>
      {error ? <ErrorNotice title="That did not work." error={error} /> : null}
      {failed.length > 0 ? (
        <ul className="plain-list failure-list" aria-label="Conflicts not resolved">
          {failed.map((f) => (
            <li key={f.id}>
              <span className="item-path">{pathOf(f.id)}</span>: {f.message}
            </li>
          ))}
        </ul>
      ) : null}
      {plan && policy ? (
        <div className="bulk-plan" role="group" aria-label="Confirm bulk resolve">
          <table className="simple-table">
            <caption>What {POLICY_WORDS[policy].toLowerCase()} would keep</caption>
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Keeps</th>
                <th scope="col">Version</th>
              </tr>
            </thead>
            <tbody>
              {plan.slice(0, SHOWN).map((row) => (
                <tr key={row.id}>
                  <th scope="row" className="item-path">
                    {row.relPath}
                  </th>
                  <td>{row.keep === 'local' ? 'This computer' : 'The bucket'}</td>
                  <td className="item-path">{shortVersionId(row.versionId)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {plan.length > SHOWN ? (
            <p className="field-hint">and {(plan.length - SHOWN).toLocaleString('en-US')} more.</p>
          ) : null}
          <p className="field-hint">
            The other versions stay in each bucket&apos;s history and can be restored.
          </p>
          <p className="form-actions">
            <button
              ref={confirmRef}
              type="button"
              className="button-primary"
              disabled={busy !== null || plan.length === 0}
              onClick={() => void resolve()}
            >
              {busy === 'resolve' ? 'Resolving…' : `Resolve ${countConflicts(plan.length)}`}
            </button>
            <button
              type="button"
              disabled={busy === 'resolve'}
              onClick={() => {
                setPlan(null);
                setPolicy(null);
              }}
            >
              Cancel
            </button>
          </p>
        </div>
      ) : null}
    </section>
  );
}
