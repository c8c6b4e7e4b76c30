import { useId } from 'react';
import type { AppMode } from '../../../main/contract/state.js';
import type { AccountSummary } from '../../../main/contract/sync.js';
import { api } from '../api-instance.js';
import { useLiveValue } from '../hooks/use-live-value.js';
import { AccountRow } from './AccountRow.js';
import { AddKeysForm } from './AddKeysForm.js';
import { AddProfileForm } from './AddProfileForm.js';
import { ErrorNotice } from './ErrorNotice.js';
import { LoadingNotice } from './LoadingNotice.js';
import './accounts.css';

const load = (signal: AbortSignal): Promise<AccountSummary[]> =>
  api.invoke('accounts.list', {}, { signal });
// No event announces account changes; this section reloads after its own changes.
const subscribe = (): (() => void) => () => undefined;

interface Props {
  mode: AppMode;
  /** Names of the local regions; the first is where local accounts are tested. */
  localRegions: readonly string[];
}

/** Settings → Accounts: the accounts folders can use, and adding, testing, removing them. */
export function AccountsSection({ mode, localRegions }: Props) {
  const accounts = useLiveValue(load, subscribe);
  const headingId = `${useId()}-accounts`;
  const inMemory = (accounts.value ?? []).some((a) => /memory only/i.test(a.secretStorage));

  return (
    <section className="accounts" aria-labelledby={headingId}>
      <h2 id={headingId}>Accounts</h2>
      <p className="view-lead">
        The local regions work with no account. For Amazon S3, add a profile of your AWS config (SSO
        profiles included) or access keys; a custom endpoint reaches other S3-compatible services.
      </p>
      {mode === 'browser' || inMemory ? (
        <div className="notice notice-warn" role="note">
          <p className="notice-title">Secret keys are kept in memory only.</p>
          <p>
            {mode === 'browser'
              ? 'Browser mode has no secure storage: secret access keys are gone when the app exits, and you enter them again after a restart. They are never written to disk. AWS profiles are not affected.'
              : 'This system offers no keychain to encrypt secret access keys, so they are never written to disk and are gone when the app exits.'}
          </p>
        </div>
      ) : null}
      {accounts.error ? (
        <ErrorNotice
          title="Could not load the accounts."
          error={accounts.error}
          onRetry={accounts.reload}
        />
      ) : null}
      {accounts.value === null ? (
        accounts.error ? null : (
          <LoadingNotice label="Loading accounts…" />
        )
      ) : accounts.value.length === 0 ? (
        <p className="field-hint">No account yet.</p>
      ) : (
        <ul className="account-list" aria-label="Accounts">
          {accounts.value.map((account) => (
            <AccountRow
              key={account.id}
              account={account}
              defaultRegion={
                account.kind === 'local' ? (localRegions[0] ?? 'us-east-1') : 'us-east-1'
              }
              onRemoved={accounts.reload}
            />
          ))}
        </ul>
      )}
      <AddProfileForm onAdded={accounts.reload} />
      <AddKeysForm mode={mode} onAdded={accounts.reload} />
    </section>
  );
}
