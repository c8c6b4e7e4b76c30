import { useEffect, useId, useRef, useState } from 'react';
import type { ReplicationCommandResults } from '../../../main/contract/replication-commands.js';
import type { FolderSummary } from '../../../main/contract/sync.js';
import { api } from '../api-instance.js';
import type { ContractError } from '../contract-error.js';
import { displayPath, formatBytes } from '../display-format.js';
import { asContractError } from '../hooks/use-live-value.js';
import { countMarkers, lossByRegion, staleKeys } from '../stale-replicas.js';
import { ErrorNotice } from './ErrorNotice.js';

interface Props {
  folders: readonly FolderSummary[];
}

type Found = ReplicationCommandResults['replication.staleReplicas'];
type Placed = ReplicationCommandResults['replication.placeDeleteMarkers'];
type Step = 'list' | 'confirm' | 'confirm-mass';

/** Keys shown in the list. */
const SHOWN = 50;

/**
 * "Deleted in source, still in replica": files deleted in a folder whose replicas are still
 * current where a rule does not replicate delete markers. Lists them with what each region
 * would lose, and places delete markers there after a confirmation (a second one past the
 * mass-delete threshold).
 */
export function StaleReplicasPanel({ folders }: Props) {
  const headingId = useId();
  const id = useId();
  const [folderId, setFolderId] = useState(folders[0]?.id ?? '');
  const [found, setFound] = useState<Found | null>(null);
  const [placed, setPlaced] = useState<Placed | null>(null);
  const [step, setStep] = useState<Step>('list');
  const [busy, setBusy] = useState<'find' | 'place' | null>(null);
  const [error, setError] = useState<ContractError | null>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);

  // A folder no longer watched: fall back to the first one.
  useEffect(() => {
    if (!folders.some((f) => f.id === folderId)) setFolderId(folders[0]?.id ?? '');
  }, [folders, folderId]);

  useEffect(() => {
    if (step !== 'list') confirmRef.current?.focus();
  }, [step]);

  const find = async (keepPlaced = false): Promise<void> => {
    if (folderId === '') return;
    setBusy('find');
    setError(null);
    setStep('list');
    if (!keepPlaced) setPlaced(null);
    try {
      setFound(await api.invoke('replication.staleReplicas', { folderId }));
    } catch (failure) {
      setFound(null);
      setError(asContractError(failure));
    } finally {
      setBusy(null);
    }
  };

  const place = async (confirmMassDelete: boolean): Promise<void> => {
    if (!found) return;
    setBusy('place');
    setError(null);
    try {
      setPlaced(
        await api.invoke('replication.placeDeleteMarkers', {
          folderId,
          keys: staleKeys(found.replicas),
          confirmMassDelete,
        }),
      );
      setBusy(null);
      await find(true);
    } catch (failure) {
      setError(asContractError(failure));
      setStep('list');
      setBusy(null);
    }
  };

  const replicas = found?.replicas ?? [];
  const losses = lossByRegion(replicas);
  const keys = staleKeys(replicas);
  const folder = folders.find((f) => f.id === folderId);

  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>Deleted in source, still in replica</h2>
      <p className="field-hint">
        Where a rule does not replicate delete markers, a file deleted here stays current in the
        replicas. Delete markers hide it there too; every version stays in the bucket&apos;s
        history.
      </p>
      {folders.length === 0 ? (
        <p className="field-hint">No folder is watched.</p>
      ) : (
        <div className="stale-pick">
          <div className="field">
            <label htmlFor={`${id}-folder`}>Folder</label>
            <select
              id={`${id}-folder`}
              value={folderId}
              onChange={(event) => {
                setFolderId(event.target.value);
                setFound(null);
                setPlaced(null);
                setStep('list');
              }}
            >
              {folders.map((f) => (
                <option key={f.id} value={f.id}>
                  {displayPath(f.path)}
                </option>
              ))}
            </select>
          </div>
          <button type="button" disabled={busy !== null} onClick={() => void find()}>
            {busy === 'find' ? 'Looking…' : 'Find stale replicas'}
          </button>
        </div>
      )}

      {error ? <ErrorNotice title="That did not work." error={error} /> : null}
      <div className="live-slot" aria-live="polite">
        {placed ? (
          <p className="form-confirmation">
            Placed {countMarkers(placed.placed)}.
            {placed.failed.length > 0 ? ` ${placed.failed.length} could not be placed.` : ''}
          </p>
        ) : null}
        {found && replicas.length === 0 ? (
          <p>
            Every file deleted in {folder ? displayPath(folder.path) : 'this folder'} is deleted in
            its replicas too.
          </p>
        ) : null}
      </div>
      {placed && placed.failed.length > 0 ? (
        <ul className="plain-list failure-list" aria-label="Delete markers not placed">
          {placed.failed.map((f) => (
            <li key={f.key}>
              <span className="item-path">{f.key}</span>: {f.message}
            </li>
          ))}
        </ul>
      ) : null}

      {found && replicas.length > 0 ? (
        <>
          <table className="simple-table">
            <caption>What each region would lose</caption>
            <thead>
              <tr>
                <th scope="col">Region</th>
                <th scope="col">Bucket</th>
                <th scope="col">Objects</th>
                <th scope="col">Size</th>
              </tr>
            </thead>
            <tbody>
              {losses.map((loss) => (
                <tr key={`${loss.region}:${loss.bucket}`}>
                  <th scope="row">{loss.region}</th>
                  <td className="item-path">{loss.bucket}</td>
                  <td className="rules-number">{loss.count.toLocaleString('en-US')}</td>
                  <td className="rules-number">{formatBytes(loss.bytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <ul className="plain-list key-list" aria-label="Stale replicas">
            {replicas.slice(0, SHOWN).map((r) => (
              <li key={`${r.key}:${r.bucket}:${r.region}`}>
                <span className="item-path">{r.key}</span>{' '}
                <span className="key-meta">
                  in {r.region}, {formatBytes(r.size)}
                </span>
              </li>
            ))}
          </ul>
          {replicas.length > SHOWN ? (
            <p className="field-hint">
              and {(replicas.length - SHOWN).toLocaleString('en-US')} more.
            </p>
          ) : null}

          {step === 'list' ? (
            <p className="form-actions">
              <button
                type="button"
                className="button-danger"
                disabled={busy !== null}
                onClick={() => setStep('confirm')}
              >
                Place delete markers…
              </button>
            </p>
          ) : (
            <div className="folder-confirm" role="group" aria-label="Confirm delete markers">
              {step === 'confirm' ? (
                <p>
                  Place {countMarkers(keys.length)} in{' '}
                  {losses.map((l) => `${l.bucket} (${l.region})`).join(', ')}? The files disappear
                  from the replicas&apos; current view; their versions stay.
                </p>
              ) : (
                <p>{found.massDelete?.message}</p>
              )}
              <p className="notice-actions">
                <button
                  ref={confirmRef}
                  type="button"
                  className="button-danger"
                  disabled={busy !== null}
                  onClick={() => {
                    if (step === 'confirm' && found.massDelete) setStep('confirm-mass');
                    else void place(step === 'confirm-mass');
                  }}
                >
                  {busy === 'place'
                    ? 'Placing…'
                    : step === 'confirm'
                      ? `Place ${countMarkers(keys.length)}`
                      : `Yes, place all ${countMarkers(keys.length)}`}
                </button>
                <button type="button" disabled={busy === 'place'} onClick={() => setStep('list')}>
                  Cancel
                </button>
              </p>
            </div>
          )}
        </>
      ) : null}
    </section>
  );
}
