import { useEffect, useId, useState, type FormEvent } from 'react';
import type { FolderSummary } from '../../../main/contract/sync.js';
import { api } from '../api-instance.js';
import type { ContractError, Issue } from '../contract-error.js';
import { displayPath } from '../display-format.js';
import {
  addFailureView,
  addFolderArgs,
  emptyFolderDraft,
  versioningTarget,
  type AddFolderArgs,
  type FolderDraft,
  type FolderField,
  type FolderFieldErrors,
} from '../folder-form.js';
import { useAccounts } from '../hooks/use-accounts.js';
import { asContractError } from '../hooks/use-live-value.js';
import { ErrorNotice } from './ErrorNotice.js';
import { FieldError } from './FieldError.js';
import { TextField } from './TextField.js';

interface Props {
  /** The folders watched already: their buckets and regions are offered as suggestions. */
  folders: readonly FolderSummary[];
  onAdded: (folder: FolderSummary) => void;
}

type Busy = 'add' | 'versioning' | null;

const TEXT_FIELDS: { field: Exclude<FolderField, 'accountId'>; label: string; hint: string }[] = [
  {
    field: 'path',
    label: 'Local folder',
    hint: 'The full path of a folder on this computer, e.g. /home/ann/Documents.',
  },
  {
    field: 'bucket',
    label: 'Bucket',
    hint: 'The versioned bucket this folder syncs to; other folders may share it under another prefix.',
  },
  {
    field: 'prefix',
    label: 'Key prefix',
    hint: 'Optional: the keys of this folder start with it, e.g. laptop/.',
  },
  {
    field: 'region',
    label: 'Region',
    hint: "The bucket's region, e.g. us-east-1; optional with the local regions.",
  },
];

/** Adds a watched folder (folders.add); offers to enable versioning when the bucket lacks it. */
function distinct(values: readonly string[]): string[] {
  return [...new Set(values.filter((v) => v !== ''))].sort();
}

export function AddFolderForm({ folders, onAdded }: Props) {
  const accounts = useAccounts();
  const [draft, setDraft] = useState<FolderDraft>(() => emptyFolderDraft());
  const [fieldErrors, setFieldErrors] = useState<FolderFieldErrors>({});
  const [formIssues, setFormIssues] = useState<Issue[]>([]);
  const [error, setError] = useState<ContractError | null>(null);
  const [sent, setSent] = useState<AddFolderArgs | null>(null);
  const [busy, setBusy] = useState<Busy>(null);
  const [confirmation, setConfirmation] = useState<string | null>(null);
  const id = useId();
  const headingId = `${id}-heading`;

  // The first account is the default choice once the list is known.
  const firstAccount = accounts.value?.[0]?.id;
  useEffect(() => {
    if (firstAccount === undefined) return;
    setDraft((d) => (d.accountId === '' ? { ...d, accountId: firstAccount } : d));
  }, [firstAccount]);

  const edit = (change: Partial<FolderDraft>): void => {
    setDraft((current) => ({ ...current, ...change }));
    setConfirmation(null);
  };

  const clearErrors = (): void => {
    setFieldErrors({});
    setFormIssues([]);
    setError(null);
  };

  const add = async (args: AddFolderArgs): Promise<void> => {
    setBusy('add');
    clearErrors();
    setConfirmation(null);
    try {
      const folder = await api.invoke('folders.add', args);
      onAdded(folder);
      setSent(null);
      setDraft((d) => emptyFolderDraft(d.accountId));
      setConfirmation(`Now watching ${displayPath(folder.path)}.`);
    } catch (failure) {
      const e = asContractError(failure);
      setSent(args);
      const view = addFailureView(e);
      setFieldErrors(view.fields);
      setFormIssues(view.other);
      if (view.notice) setError(e);
    } finally {
      setBusy(null);
    }
  };

  const onSubmit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    if (busy) return;
    const { args, errors } = addFolderArgs(draft);
    if (Object.keys(errors).length > 0) {
      clearErrors();
      setFieldErrors(errors);
      return;
    }
    void add(args);
  };

  const target = error && sent ? versioningTarget(error.action, sent) : null;

  const enableVersioning = async (): Promise<void> => {
    if (!target || !sent) return;
    setBusy('versioning');
    try {
      await api.invoke('folders.enableVersioning', target);
    } catch (failure) {
      setError(asContractError(failure));
      setBusy(null);
      return;
    }
    await add(sent);
  };

  const suggestions: Partial<Record<FolderField, string[]>> = {
    bucket: distinct(folders.map((f) => f.bucket)),
    region: distinct(folders.map((f) => f.region)),
  };

  const textField = ({ field, label, hint }: (typeof TEXT_FIELDS)[number]) => (
    <TextField
      key={field}
      id={`${id}-${field}`}
      label={label}
      hint={hint}
      value={draft[field]}
      error={fieldErrors[field]}
      suggestions={suggestions[field]}
      onChange={(value) => edit({ [field]: value })}
    />
  );

  const accountDescribedBy = [
    fieldErrors.accountId ? `${id}-accountId-error` : '',
    `${id}-accountId-hint`,
  ]
    .filter(Boolean)
    .join(' ');

  const selectedAccount = accounts.value?.find((a) => a.id === draft.accountId);

  return (
    <section className="add-folder" aria-labelledby={headingId}>
      <h2 id={headingId}>Add folder</h2>
      <form className="settings-form" aria-labelledby={headingId} noValidate onSubmit={onSubmit}>
        {formIssues.length > 0 ? (
          <div className="notice notice-error" role="alert">
            <p className="notice-title">The folder was not added.</p>
            <ul>
              {formIssues.map((issue) => (
                <li key={`${issue.path}:${issue.message}`}>
                  {issue.path ? `${issue.path}: ` : ''}
                  {issue.message}
                </li>
              ))}
            </ul>
          </div>
        ) : null}

        {error?.action?.kind === 'enable-versioning' ? (
          <div className="notice notice-warn" role="alert">
            <p className="notice-title">The folder was not added.</p>
            <p>{error.message}</p>
            {target ? (
              <p className="notice-actions">
                <button
                  type="button"
                  className="button-primary"
                  disabled={busy !== null}
                  onClick={() => void enableVersioning()}
                >
                  {busy === 'versioning'
                    ? `Enabling versioning on ${target.bucket}…`
                    : `Enable versioning on ${target.bucket}`}
                </button>
              </p>
            ) : (
              <p>Enter the bucket and its region above to enable versioning from here.</p>
            )}
          </div>
        ) : error?.action?.kind === 'create-folder' && sent ? (
          <div className="notice notice-warn" role="alert">
            <p className="notice-title">The folder was not added.</p>
            <p>{error.message}</p>
            <p className="notice-actions">
              <button
                type="button"
                className="button-primary"
                disabled={busy !== null}
                onClick={() => void add({ ...sent, create: true })}
              >
                {busy === 'add' ? 'Creating…' : 'Create it'}
              </button>
            </p>
          </div>
        ) : error ? (
          <ErrorNotice
            title="The folder was not added."
            error={error}
            onRetry={error.action?.kind === 'retry' && sent ? () => void add(sent) : undefined}
          />
        ) : null}

        {TEXT_FIELDS.slice(0, 1).map(textField)}

        <div className="field">
          <label htmlFor={`${id}-accountId`}>Account</label>
          <select
            id={`${id}-accountId`}
            value={draft.accountId}
            disabled={accounts.value === null || accounts.value.length === 0}
            aria-invalid={fieldErrors.accountId ? true : undefined}
            aria-describedby={accountDescribedBy}
            onChange={(event) => edit({ accountId: event.target.value })}
          >
            {accounts.value === null || accounts.value.length === 0 ? (
              <option value="">
                {accounts.value === null ? 'Loading accounts…' : 'No account'}
              </option>
            ) : (
              accounts.value.map((account) => (
                <option key={account.id} value={account.id}>
                  {account.label}
                </option>
              ))
            )}
          </select>
          <p className="field-hint" id={`${id}-accountId-hint`}>
            {accounts.error
              ? `Could not load the accounts: ${accounts.error.message}`
              : selectedAccount
                ? `Its secret: ${selectedAccount.secretStorage}.`
                : 'The account that reaches the bucket.'}
          </p>
          <FieldError id={`${id}-accountId-error`} message={fieldErrors.accountId} />
        </div>

        {TEXT_FIELDS.slice(1).map(textField)}

        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={busy !== null}>
            {busy === 'add' ? 'Adding…' : 'Add folder'}
          </button>
          <p className="form-confirmation" aria-live="polite">
            {confirmation}
          </p>
        </div>
      </form>
    </section>
  );
}
