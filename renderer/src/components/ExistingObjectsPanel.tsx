import { useState } from 'react';
import type { ReplicationCommandResults } from '../../../main/contract/replication-commands.js';
import { api } from '../api-instance.js';
import type { ContractError } from '../contract-error.js';
import { formatBytes, shortVersionId } from '../display-format.js';
import { asContractError } from '../hooks/use-live-value.js';
import { batchesWithin, KEY_LIST_LIMIT } from '../request-batches.js';
import { ErrorNotice } from './ErrorNotice.js';

interface Props {
  accountId: string;
  bucket: string;
  region: string;
}

type Unreplicated = ReplicationCommandResults['replication.unreplicated'];
type Copied = ReplicationCommandResults['replication.replicateExisting'];

/** Keys listed at once; the rest are counted. */
export const UNREPLICATED_LIMIT = 1000;
/** Keys shown in the list. */
const SHOWN = 50;

function objects(count: number): string {
  return `${count.toLocaleString('en-US')} existing object${count === 1 ? '' : 's'}`;
}

/**
 * Objects written before the rules existed are not replicated by S3. Lists them
 * (replication.unreplicated) and copies them in place so the rules pick them up
 * (replication.replicateExisting); names S3 Batch Replication when the engine suggests it.
 */
export function ExistingObjectsPanel({ accountId, bucket, region }: Props) {
  const [found, setFound] = useState<Unreplicated | null>(null);
  const [copied, setCopied] = useState<Copied | null>(null);
  const [error, setError] = useState<ContractError | null>(null);
  const [busy, setBusy] = useState<'find' | 'copy' | null>(null);

  const find = async (): Promise<void> => {
    setBusy('find');
    setError(null);
    setCopied(null);
    try {
      setFound(
        await api.invoke('replication.unreplicated', {
          accountId,
          bucket,
          region,
          limit: UNREPLICATED_LIMIT,
        }),
      );
    } catch (failure) {
      setError(asContractError(failure));
    } finally {
      setBusy(null);
    }
  };

  const copy = async (keys: string[]): Promise<void> => {
    setBusy('copy');
    setError(null);
    try {
      // A call takes so many keys, and characters, at once (the contract's limits).
      const result: Copied = { copied: 0, failed: [] };
      for (const batch of batchesWithin(keys, KEY_LIST_LIMIT, (k) => k)) {
        const part = await api.invoke('replication.replicateExisting', {
          accountId,
          bucket,
          region,
          keys: batch,
        });
        result.copied += part.copied;
        result.failed.push(...part.failed);
      }
      setCopied(result);
      const failed = new Set(result.failed.map((f) => f.key));
      setFound((current) =>
        current
          ? {
              ...current,
              keys: current.keys.filter((k) => failed.has(k.key)),
              total: Math.max(0, current.total - result.copied),
            }
          : current,
      );
    } catch (failure) {
      setError(asContractError(failure));
    } finally {
      setBusy(null);
    }
  };

  const keys = found?.keys ?? [];
  return (
    <div className="existing">
      <p className="field-hint">
        S3 replicates only what is written after a rule exists. Objects that were here before stay
        unreplicated until they are copied again.
      </p>
      <p className="form-actions">
        <button type="button" disabled={busy !== null} onClick={() => void find()}>
          {busy === 'find' ? 'Looking…' : found ? 'Look again' : 'Find existing objects'}
        </button>
      </p>
      {error ? <ErrorNotice title="That did not work." error={error} /> : null}
      <div className="live-slot" aria-live="polite">
        {copied ? (
          <p className="form-confirmation">
            Copied {objects(copied.copied)} in place; the rules replicate them now.
            {copied.failed.length > 0 ? ` ${copied.failed.length} could not be copied.` : ''}
          </p>
        ) : null}
        {found ? (
          found.total === 0 ? (
            <p>Every object of {bucket} was written after its rules: nothing to catch up.</p>
          ) : (
            <p>
              {found.total === keys.length
                ? `${objects(found.total)} ${found.total === 1 ? 'is' : 'are'} not replicated.`
                : `${objects(found.total)} are not replicated; the first ${keys.length.toLocaleString('en-US')} are listed.`}
            </p>
          )
        ) : null}
      </div>
      {copied && copied.failed.length > 0 ? (
        <ul className="plain-list failure-list" aria-label="Objects not copied">
          {copied.failed.map((f) => (
            <li key={f.key}>
              <span className="item-path">{f.key}</span>: {f.message}
            </li>
          ))}
        </ul>
      ) : null}
      {found?.batchAlternative ? (
        <div className="notice" role="note">
          <p className="notice-title">For many objects</p>
          <p>{found.batchAlternative}</p>
        </div>
      ) : null}
      {keys.length > 0 ? (
        <>
          <ul className="plain-list key-list" aria-label={`Existing objects of ${bucket}`}>
            {keys.slice(0, SHOWN).map((k) => (
              <li key={k.key}>
                <span className="item-path">{k.key}</span>{' '}
                <span className="key-meta">
                  {formatBytes(k.size)}, version {shortVersionId(k.versionId)}
                </span>
              </li>
            ))}
          </ul>
          {keys.length > SHOWN ? (
            <p className="field-hint">and {(keys.length - SHOWN).toLocaleString('en-US')} more.</p>
          ) : null}
          <p className="form-actions">
            <button
              type="button"
              className="button-primary"
              disabled={busy !== null}
              onClick={() => void copy(keys.map((k) => k.key))}
            >
              {busy === 'copy' ? 'Replicating…' : `Replicate ${objects(keys.length)}`}
            </button>
          </p>
        </>
      ) : null}
    </div>
  );
}
