import { useEffect, useId, useRef, useState } from 'react';
import type { AppState } from '../../../main/contract/state.js';
import type { FolderSummary } from '../../../main/contract/sync.js';
import { BucketCard } from '../components/BucketCard.js';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { LoadingNotice } from '../components/LoadingNotice.js';
import { LocalRegionsPanel } from '../components/LocalRegionsPanel.js';
import { StaleReplicasPanel } from '../components/StaleReplicasPanel.js';
import { TwoWayWizard } from '../components/TwoWayWizard.js';
import { ViewHeader } from '../components/ViewHeader.js';
import { useAccounts } from '../hooks/use-accounts.js';
import type { LiveValue } from '../hooks/use-live-value.js';
import { useReplicationBuckets } from '../hooks/use-replication-buckets.js';
import { bucketsByRegion } from '../replication-format.js';
import './replication.css';

interface Props {
  state: AppState | null;
  folders: LiveValue<FolderSummary[]>;
}

export function ReplicationView({ state, folders }: Props) {
  const accounts = useAccounts();
  const [accountId, setAccountId] = useState<string | null>(null);
  const [wizardOpen, setWizardOpen] = useState(false);
  const [confirmation, setConfirmation] = useState<string | null>(null);
  const wizardButton = useRef<HTMLButtonElement>(null);
  const id = useId();

  // The first account is the default choice once the list is known.
  const list = accounts.value;
  useEffect(() => {
    if (list === null) return;
    if (accountId === null || !list.some((a) => a.id === accountId))
      setAccountId(list[0]?.id ?? null);
  }, [list, accountId]);

  const account = list?.find((a) => a.id === accountId) ?? null;
  const local = account?.kind === 'local';
  const buckets = useReplicationBuckets(accountId);
  const regions = buckets.value ? bucketsByRegion(buckets.value) : [];

  const closeWizard = (): void => {
    setWizardOpen(false);
    wizardButton.current?.focus();
  };

  return (
    <section className="view view-wide replication">
      <ViewHeader title="Replication">
        Replication rules copy every new version of a bucket into buckets in other regions, one-way
        or two-way. Only objects written after a rule exists are replicated; each replica is then
        checked for the same version and checksum before it counts as verified.
      </ViewHeader>

      {accounts.error ? (
        <ErrorNotice
          title="Could not load the accounts."
          error={accounts.error}
          onRetry={accounts.reload}
        />
      ) : null}

      {list === null ? (
        accounts.error ? null : (
          <LoadingNotice label="Loading accounts…" />
        )
      ) : list.length === 0 ? (
        <EmptyState title="No account">
          <p>Add an account in Settings to see its buckets here.</p>
        </EmptyState>
      ) : (
        <div className="replication-toolbar">
          <div className="field">
            <label htmlFor={`${id}-account`}>Account</label>
            <select
              id={`${id}-account`}
              value={accountId ?? ''}
              onChange={(event) => {
                setAccountId(event.target.value);
                setConfirmation(null);
              }}
            >
              {list.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.label}
                </option>
              ))}
            </select>
          </div>
          <button
            ref={wizardButton}
            type="button"
            className="button-primary"
            disabled={buckets.value === null || buckets.value.length < 2}
            onClick={() => {
              setConfirmation(null);
              setWizardOpen(true);
            }}
          >
            Set up two-way replication…
          </button>
          <button type="button" disabled={accountId === null} onClick={buckets.reload}>
            Reload buckets
          </button>
        </div>
      )}

      {account && local ? (
        <p className="field-hint" role="note">
          Local regions need no IAM role: they replicate by themselves.
        </p>
      ) : null}
      <p className="form-confirmation live-slot" aria-live="polite">
        {confirmation}
      </p>

      {(state?.localRegions.length ?? 0) > 0 ? <LocalRegionsPanel /> : null}

      {buckets.error ? (
        <ErrorNotice
          title="Could not list the buckets and their rules."
          error={buckets.error}
          onRetry={buckets.reload}
        />
      ) : null}
      {accountId !== null && buckets.value === null && !buckets.error ? (
        <LoadingNotice label="Loading buckets and rules…" />
      ) : null}
      {buckets.value !== null && buckets.value.length === 0 ? (
        <EmptyState title="No bucket">
          <p>This account has no bucket yet. Adding a folder creates one.</p>
        </EmptyState>
      ) : null}

      {account && buckets.value
        ? regions.map(({ region, buckets: inRegion }) => (
            <section key={region} className="region" aria-labelledby={`${id}-region-${region}`}>
              <h2 id={`${id}-region-${region}`}>{region}</h2>
              <ul className="bucket-list" aria-label={`Buckets in ${region}`}>
                {inRegion.map((bucket) => (
                  <BucketCard
                    key={`${bucket.bucket}:${bucket.region}`}
                    accountId={account.id}
                    local={local}
                    bucket={bucket}
                    buckets={buckets.value ?? []}
                    onBucket={(fresh) => buckets.replace(fresh)}
                    onReload={buckets.reload}
                  />
                ))}
              </ul>
            </section>
          ))
        : null}

      <StaleReplicasPanel folders={folders.value ?? []} />

      {wizardOpen && account && buckets.value ? (
        <TwoWayWizard
          accountId={account.id}
          local={local}
          buckets={buckets.value}
          onCreated={(a, b) => {
            buckets.replace(a, b);
            // A service that dropped fields is named: its rules may not replicate as set up.
            const notKept = [a, b]
              .filter((side) => side.notKeptMessage !== null)
              .map((side) => ` ${side.bucket}: ${side.notKeptMessage ?? ''}.`)
              .join('');
            setConfirmation(
              `Two-way replication between ${a.bucket} and ${b.bucket} is set up.${notKept}`,
            );
          }}
          onBucketsChanged={buckets.reload}
          onClose={closeWizard}
        />
      ) : null}
    </section>
  );
}
