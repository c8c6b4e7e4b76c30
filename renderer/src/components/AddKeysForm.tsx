import { useId, useState, type FormEvent } from 'react';
import type { AppMode } from '../../../main/contract/state.js';
import type { AccountSummary } from '../../../main/contract/sync.js';
import {
  KEYS_FIELDS,
  addKeysArgs,
  emptyKeysDraft,
  fieldErrorsFromIssues,
  type FieldErrors,
  type KeysDraft,
  type KeysField,
} from '../account-form.js';
import { api } from '../api-instance.js';
import type { ContractError, Issue } from '../contract-error.js';
import { asContractError } from '../hooks/use-live-value.js';
import { ErrorNotice } from './ErrorNotice.js';
import { FieldError } from './FieldError.js';
import { FormInput } from './FormInput.js';
import { IssueList } from './IssueList.js';

interface Props {
  mode: AppMode;
  onAdded: (account: AccountSummary) => void;
}

function secretHint(mode: AppMode): string {
  return mode === 'browser'
    ? 'Browser mode keeps the secret key in memory only: it is gone when the app exits, and you enter it again after a restart. It is never written to disk.'
    : 'Kept encrypted with the system keychain (Electron safeStorage), never in plain text; where the system offers no keychain it stays in memory only. The account list says where it lives.';
}

/** Adds an access-key account: AWS itself, or an S3-compatible endpoint (accounts.addKeys). */
export function AddKeysForm({ mode, onAdded }: Props) {
  const [draft, setDraft] = useState<KeysDraft>(emptyKeysDraft);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors<KeysField>>({});
  const [formIssues, setFormIssues] = useState<Issue[]>([]);
  const [error, setError] = useState<ContractError | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmation, setConfirmation] = useState<string | null>(null);
  const id = useId();
  const headingId = `${id}-heading`;
  const custom = draft.endpoint.trim() !== '';

  const edit = (change: Partial<KeysDraft>): void => {
    setDraft((current) => ({ ...current, ...change }));
    setConfirmation(null);
  };

  const onSubmit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    setError(null);
    setFormIssues([]);
    setConfirmation(null);
    const { args, errors } = addKeysArgs(draft);
    setFieldErrors(errors);
    if (Object.keys(errors).length > 0) return;
    setBusy(true);
    try {
      const account = await api.invoke('accounts.addKeys', args);
      setDraft(emptyKeysDraft());
      setConfirmation(`Added ${account.label}.`);
      onAdded(account);
    } catch (failure) {
      const e = asContractError(failure);
      const { fields, other } = fieldErrorsFromIssues(e.issues ?? [], KEYS_FIELDS);
      setFieldErrors(fields);
      setFormIssues(other);
      if (Object.keys(fields).length === 0 && other.length === 0) setError(e);
    } finally {
      setBusy(false);
    }
  };

  const pathStyleDescribedBy = [
    fieldErrors.forcePathStyle ? `${id}-pathStyle-error` : '',
    `${id}-pathStyle-hint`,
  ]
    .filter(Boolean)
    .join(' ');

  return (
    <section className="account-form" aria-labelledby={headingId}>
      <h3 id={headingId}>Add access keys</h3>
      <form
        className="settings-form"
        aria-labelledby={headingId}
        noValidate
        autoComplete="off"
        onSubmit={(event) => void onSubmit(event)}
      >
        <IssueList title="The keys were not added." issues={formIssues} />
        {error ? <ErrorNotice title="The keys were not added." error={error} /> : null}
        <FormInput
          id={`${id}-name`}
          label="Account name"
          hint='What you call it, e.g. "Backup keys" or "MinIO at home".'
          value={draft.name}
          error={fieldErrors.name}
          onChange={(name) => edit({ name })}
        />
        <FormInput
          id={`${id}-accessKeyId`}
          label="Access key ID"
          value={draft.accessKeyId}
          error={fieldErrors.accessKeyId}
          onChange={(accessKeyId) => edit({ accessKeyId })}
        />
        <FormInput
          id={`${id}-secretAccessKey`}
          label="Secret access key"
          type="password"
          autoComplete="new-password"
          hint={secretHint(mode)}
          value={draft.secretAccessKey}
          error={fieldErrors.secretAccessKey}
          onChange={(secretAccessKey) => edit({ secretAccessKey })}
        />
        <FormInput
          id={`${id}-endpoint`}
          label="Custom endpoint"
          type="url"
          placeholder="https://s3.example.com"
          hint="Optional: only for an S3-compatible service (MinIO, Ceph, Wasabi…). Leave empty for AWS."
          value={draft.endpoint}
          error={fieldErrors.endpoint}
          onChange={(endpoint) => edit({ endpoint })}
        />
        <div className="field field-check">
          <input
            id={`${id}-pathStyle`}
            type="checkbox"
            checked={draft.forcePathStyle}
            disabled={!custom}
            aria-invalid={fieldErrors.forcePathStyle ? true : undefined}
            aria-describedby={pathStyleDescribedBy}
            onChange={(event) => edit({ forcePathStyle: event.target.checked })}
          />
          <label htmlFor={`${id}-pathStyle`}>Path-style addressing</label>
          <p className="field-hint field-check-hint" id={`${id}-pathStyle-hint`}>
            The bucket goes in the path (https://host/bucket/key), as most S3-compatible services
            expect. Applies to a custom endpoint only.
          </p>
          <FieldError id={`${id}-pathStyle-error`} message={fieldErrors.forcePathStyle} />
        </div>
        <FormInput
          id={`${id}-signingRegion`}
          label="Signing region"
          hint="Optional, with a custom endpoint: the region the service expects in signatures; otherwise the bucket's region."
          value={draft.signingRegion}
          disabled={!custom}
          error={fieldErrors.signingRegion}
          onChange={(signingRegion) => edit({ signingRegion })}
        />
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={busy}>
            {busy ? 'Adding…' : 'Add keys'}
          </button>
          <p className="form-confirmation" aria-live="polite">
            {confirmation}
          </p>
        </div>
      </form>
    </section>
  );
}
