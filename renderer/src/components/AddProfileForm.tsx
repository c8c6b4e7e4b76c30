import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import type { AccountSummary, AwsProfileList } from '../../../main/contract/sync.js';
import {
  PROFILE_FIELDS,
  addProfileArgs,
  emptyProfileDraft,
  fieldErrorsFromIssues,
  type FieldErrors,
  type ProfileDraft,
  type ProfileField,
} from '../account-form.js';
import { api } from '../api-instance.js';
import type { ContractError, Issue } from '../contract-error.js';
import { asContractError, isCancelled } from '../hooks/use-live-value.js';
import { ErrorNotice } from './ErrorNotice.js';
import { FormInput } from './FormInput.js';
import { IssueList } from './IssueList.js';

interface Props {
  onAdded: (account: AccountSummary) => void;
}

function profilesHint(list: AwsProfileList | null, error: ContractError | null): string {
  if (error) return `Could not read the AWS config files: ${error.message}`;
  if (!list) return 'Reading the profiles of your AWS config…';
  const files = `${list.configFile} and ${list.credentialsFile}`;
  return list.profiles.length > 0
    ? `Choose one of the ${list.profiles.length} profiles in ${files}, or type a name. SSO profiles work after "aws sso login".`
    : `No profiles found in ${files}: run "aws configure" or "aws configure sso" first.`;
}

/** Adds an account that uses a named profile of the AWS config (accounts.addProfile). */
export function AddProfileForm({ onAdded }: Props) {
  const [draft, setDraft] = useState<ProfileDraft>(emptyProfileDraft);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors<ProfileField>>({});
  const [formIssues, setFormIssues] = useState<Issue[]>([]);
  const [error, setError] = useState<ContractError | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmation, setConfirmation] = useState<string | null>(null);
  const [profiles, setProfiles] = useState<AwsProfileList | null>(null);
  const [profilesError, setProfilesError] = useState<ContractError | null>(null);
  const [profilesKey, setProfilesKey] = useState(0);
  const id = useId();
  const headingId = `${id}-heading`;

  useEffect(() => {
    const controller = new AbortController();
    api.invoke('accounts.listProfiles', {}, { signal: controller.signal }).then(
      (list) => {
        setProfiles(list);
        setProfilesError(null);
      },
      (failure: unknown) => {
        if (!isCancelled(failure)) setProfilesError(asContractError(failure));
      },
    );
    return () => controller.abort();
  }, [profilesKey]);

  const reloadProfiles = useCallback(() => setProfilesKey((k) => k + 1), []);

  const edit = (change: Partial<ProfileDraft>): void => {
    setDraft((current) => ({ ...current, ...change }));
    setConfirmation(null);
  };

  const onSubmit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    setError(null);
    setFormIssues([]);
    setConfirmation(null);
    const { args, errors } = addProfileArgs(draft);
    setFieldErrors(errors);
    if (Object.keys(errors).length > 0) return;
    setBusy(true);
    try {
      const account = await api.invoke('accounts.addProfile', args);
      setDraft(emptyProfileDraft());
      setConfirmation(`Added ${account.label}.`);
      onAdded(account);
    } catch (failure) {
      const e = asContractError(failure);
      const { fields, other } = fieldErrorsFromIssues(e.issues ?? [], PROFILE_FIELDS);
      setFieldErrors(fields);
      setFormIssues(other);
      if (Object.keys(fields).length === 0 && other.length === 0) setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="account-form" aria-labelledby={headingId}>
      <h3 id={headingId}>Add an AWS profile</h3>
      <form
        className="settings-form"
        aria-labelledby={headingId}
        noValidate
        onSubmit={(event) => void onSubmit(event)}
      >
        <IssueList title="The profile was not added." issues={formIssues} />
        {error ? <ErrorNotice title="The profile was not added." error={error} /> : null}
        <FormInput
          id={`${id}-name`}
          label="Account name"
          hint='What you call it, e.g. "Work AWS".'
          value={draft.name}
          error={fieldErrors.name}
          onChange={(name) => edit({ name })}
        />
        <FormInput
          id={`${id}-profile`}
          label="Profile"
          hint={profilesHint(profiles, profilesError)}
          value={draft.profile}
          error={fieldErrors.profile}
          list={`${id}-profiles`}
          onChange={(profile) => edit({ profile })}
        />
        <datalist id={`${id}-profiles`}>
          {(profiles?.profiles ?? []).map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={busy}>
            {busy ? 'Adding…' : 'Add profile'}
          </button>
          <button type="button" onClick={reloadProfiles}>
            Read profiles again
          </button>
          <p className="form-confirmation" aria-live="polite">
            {confirmation}
          </p>
        </div>
      </form>
    </section>
  );
}
