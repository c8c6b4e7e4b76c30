import { useId, useState, type FormEvent } from 'react';
import type { AccountSummary, AccountTestResult } from '../../../main/contract/sync.js';
import {
  ACCOUNT_KIND_LABELS,
  TEST_FIELDS,
  fieldErrorsFromIssues,
  testAccountArgs,
  type FieldErrors,
  type TestField,
} from '../account-form.js';
import { api } from '../api-instance.js';
import type { ContractError, Issue } from '../contract-error.js';
import { asContractError, isCancelled } from '../hooks/use-live-value.js';
import { ErrorNotice } from './ErrorNotice.js';
import { FormInput } from './FormInput.js';
import { IssueList } from './IssueList.js';
import { SecretReentryForm } from './SecretReentryForm.js';

interface Props {
  account: AccountSummary;
  /** Region the test starts with (the first local region, or us-east-1). */
  defaultRegion: string;
  onRemoved: (id: string) => void;
}

/** One account: what it is, where its secret lives, a credentials test and removal. */
export function AccountRow({ account, defaultRegion, onRemoved }: Props) {
  const [region, setRegion] = useState(defaultRegion);
  const [bucket, setBucket] = useState('');
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<AccountTestResult | null>(null);
  const [testError, setTestError] = useState<ContractError | null>(null);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors<TestField>>({});
  const [testIssues, setTestIssues] = useState<Issue[]>([]);
  const [confirming, setConfirming] = useState(false);
  const [removing, setRemoving] = useState(false);
  const [removeError, setRemoveError] = useState<ContractError | null>(null);
  const id = useId();
  const titleId = `${id}-title`;

  const test = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    if (testing) return;
    setResult(null);
    setTestError(null);
    setTestIssues([]);
    const { args, errors } = testAccountArgs(account.id, region, bucket);
    setFieldErrors(errors);
    if (Object.keys(errors).length > 0) return;
    setTesting(true);
    try {
      setResult(await api.invoke('accounts.test', args));
    } catch (failure) {
      if (isCancelled(failure)) return;
      const e = asContractError(failure);
      const { fields, other } = fieldErrorsFromIssues(e.issues ?? [], TEST_FIELDS);
      setFieldErrors(fields);
      setTestIssues(other);
      if (Object.keys(fields).length === 0 && other.length === 0) setTestError(e);
    } finally {
      setTesting(false);
    }
  };

  const remove = async (): Promise<void> => {
    setRemoving(true);
    setRemoveError(null);
    try {
      await api.invoke('accounts.remove', { id: account.id });
      onRemoved(account.id);
    } catch (failure) {
      setRemoveError(asContractError(failure));
      setConfirming(false);
    } finally {
      setRemoving(false);
    }
  };

  return (
    <li className="account" aria-labelledby={titleId}>
      <div className="account-head">
        <p className="account-label" id={titleId}>
          {account.label}
        </p>
        <span className="account-kind">{ACCOUNT_KIND_LABELS[account.kind]}</span>
      </div>
      <p className="account-secret">
        {account.kind === 'aws-profile' ? 'Credentials' : 'Secret key'}: {account.secretStorage}
      </p>
      {account.kind === 'aws-keys' || account.kind === 'custom' ? (
        <SecretReentryForm account={account} />
      ) : null}

      <form
        className="account-test"
        aria-label={`Test ${account.label}`}
        noValidate
        onSubmit={(event) => void test(event)}
      >
        <FormInput
          id={`${id}-region`}
          label="Test region"
          value={region}
          error={fieldErrors.region}
          onChange={setRegion}
        />
        <FormInput
          id={`${id}-bucket`}
          label="Test bucket (optional)"
          value={bucket}
          error={fieldErrors.bucket}
          onChange={setBucket}
        />
        <div className="form-actions">
          <button type="submit" disabled={testing}>
            {testing ? 'Testing…' : 'Test'}
          </button>
        </div>
      </form>
      <p className="field-hint">
        The test lists the buckets, or checks the bucket when one is named.
      </p>
      <div aria-live="polite">
        {result ? (
          <p className={result.ok ? 'account-test-ok' : 'account-test-failed'} role="status">
            {result.ok ? 'Works: ' : 'Failed: '}
            {result.message}
          </p>
        ) : null}
      </div>
      <IssueList title="The test did not run." issues={testIssues} />
      {testError ? <ErrorNotice title="The test did not run." error={testError} /> : null}

      {account.kind === 'local' ? null : (
        <div className="account-actions">
          {removeError ? (
            <ErrorNotice title="The account was not removed." error={removeError} />
          ) : null}
          {confirming ? (
            <div className="folder-confirm" role="group" aria-label="Confirm removal">
              <p>
                Remove {account.label}?{' '}
                {account.kind === 'aws-profile'
                  ? 'Your AWS config files stay as they are.'
                  : 'Its secret key is deleted from this computer.'}
              </p>
              <p className="form-actions">
                <button
                  type="button"
                  className="button-danger"
                  disabled={removing}
                  onClick={() => void remove()}
                >
                  {removing ? 'Removing…' : 'Remove account'}
                </button>
                <button type="button" disabled={removing} onClick={() => setConfirming(false)}>
                  Keep it
                </button>
              </p>
            </div>
          ) : (
            <button type="button" onClick={() => setConfirming(true)}>
              Remove
            </button>
          )}
        </div>
      )}
    </li>
  );
}
