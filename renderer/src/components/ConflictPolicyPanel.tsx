import { useId, useState } from 'react';
import type { ConflictPolicy } from '../../../main/contract/conflicts.js';
import type { FolderSummary } from '../../../main/contract/sync.js';
import { api } from '../api-instance.js';
import { POLICIES, POLICY_LABELS } from '../conflict-format.js';
import type { ContractError } from '../contract-error.js';
import { displayPath } from '../display-format.js';
import { asContractError } from '../hooks/use-live-value.js';
import { ErrorNotice } from './ErrorNotice.js';

interface Props {
  folders: readonly FolderSummary[];
}

/** Per folder: ask about each conflict, or resolve new ones by themselves (conflicts.setPolicy). */
export function ConflictPolicyPanel({ folders }: Props) {
  const id = useId();
  // What this window set, until the folder summary says so itself.
  const [chosen, setChosen] = useState<Record<string, ConflictPolicy>>({});
  const [saving, setSaving] = useState<string | null>(null);
  const [error, setError] = useState<ContractError | null>(null);
  const [confirmation, setConfirmation] = useState<string | null>(null);

  const save = async (folder: FolderSummary, policy: ConflictPolicy): Promise<void> => {
    setSaving(folder.id);
    setError(null);
    setConfirmation(null);
    try {
      const result = await api.invoke('conflicts.setPolicy', { folderId: folder.id, policy });
      setChosen((current) => ({ ...current, [folder.id]: result.policy }));
      setConfirmation(`${displayPath(folder.path)}: ${POLICY_LABELS[result.policy]}.`);
    } catch (failure) {
      setError(asContractError(failure));
    } finally {
      setSaving(null);
    }
  };

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Automatic resolution</h2>
      <p className="field-hint">
        &ldquo;Newest wins&rdquo; keeps the version written last; &ldquo;This device wins&rdquo;
        keeps this computer&apos;s. Either way the losing version is always kept as a conflict copy
        next to the file, so nothing is lost. &ldquo;Ask me&rdquo; lists every conflict here.
      </p>
      {folders.length === 0 ? (
        <p className="field-hint">No folder is watched.</p>
      ) : (
        <ul className="plain-list policy-list">
          {folders.map((folder) => {
            const value = chosen[folder.id] ?? folder.conflictPolicy ?? '';
            return (
              <li key={folder.id} className="field policy-row">
                <label htmlFor={`${id}-${folder.id}`}>
                  Conflicts in <span className="item-path">{displayPath(folder.path)}</span>
                </label>
                <select
                  id={`${id}-${folder.id}`}
                  value={value}
                  disabled={saving !== null}
                  onChange={(event) => void save(folder, event.target.value as ConflictPolicy)}
                >
                  {value === '' ? (
                    <option value="" disabled>
                      Choose a policy…
                    </option>
                  ) : null}
                  {POLICIES.map((policy) => (
                    <option key={policy} value={policy}>
                      {POLICY_LABELS[policy]}
                    </option>
                  ))}
                </select>
              </li>
            );
          })}
        </ul>
      )}
      {error ? <ErrorNotice title="The policy was not changed." error={error} /> : null}
      <p className="form-confirmation live-slot" aria-live="polite">
        {confirmation}
      </p>
    </section>
  );
}
