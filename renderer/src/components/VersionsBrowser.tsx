import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { VersionEntry } from '../../../main/contract/conflicts.js';
import { api } from '../api-instance.js';
import { formatWhen, sideWho } from '../conflict-format.js';
import type { ContractError } from '../contract-error.js';
import { formatBytes, shortVersionId } from '../display-format.js';
import { asContractError, isCancelled } from '../hooks/use-live-value.js';
import { describeCopies, groupVersions } from '../version-groups.js';
import { ErrorNotice } from './ErrorNotice.js';
import { LoadingNotice } from './LoadingNotice.js';
import { StateBadge } from './StateBadge.js';

interface Props {
  folderId: string;
  relPath: string;
  /** Version ids of the conflict's sides, marked in the list. */
  sideVersionIds: readonly string[];
  /** A version was restored; says so. */
  onRestored: (message: string) => void;
}

/**
 * Every version of one file across the regions (conflicts.versions), with its lineage: the
 * device that wrote it and the versions it was based on. "Restore this version" writes it
 * again as the new current version (conflicts.restore); nothing is deleted.
 */
export function VersionsBrowser({ folderId, relPath, sideVersionIds, onRestored }: Props) {
  const id = useId();
  const [entries, setEntries] = useState<VersionEntry[] | null>(null);
  const [error, setError] = useState<ContractError | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [restoring, setRestoring] = useState(false);
  const [restoreError, setRestoreError] = useState<ContractError | null>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const controller = new AbortController();
    setError(null);
    api
      .invoke('conflicts.versions', { folderId, relPath }, { signal: controller.signal })
      .then(setEntries, (failure: unknown) => {
        if (!isCancelled(failure)) setError(asContractError(failure));
      });
    return () => controller.abort();
  }, [folderId, relPath, reloadKey]);

  useEffect(() => {
    if (confirming !== null) confirmRef.current?.focus();
  }, [confirming]);

  const reload = useCallback(() => setReloadKey((key) => key + 1), []);

  const restore = async (versionId: string): Promise<void> => {
    setRestoring(true);
    setRestoreError(null);
    try {
      const result = await api.invoke('conflicts.restore', { folderId, relPath, versionId });
      setConfirming(null);
      onRestored(
        `Restored version ${shortVersionId(versionId)} of ${relPath} as the new version ${shortVersionId(result.versionId)}.`,
      );
      reload();
    } catch (failure) {
      setRestoreError(asContractError(failure));
    } finally {
      setRestoring(false);
    }
  };

  const groups = entries ? groupVersions(entries) : [];

  return (
    <section className="versions-browser" aria-labelledby={`${id}-title`}>
      <div className="versions-head">
        <h3 id={`${id}-title`}>Versions of {relPath}</h3>
        <button type="button" onClick={reload}>
          Reload versions
        </button>
      </div>
      {error ? (
        <ErrorNotice title="Could not list the versions." error={error} onRetry={reload} />
      ) : null}
      {restoreError ? (
        <ErrorNotice title="The version was not restored." error={restoreError} />
      ) : null}
      {entries === null ? (
        error ? null : (
          <LoadingNotice label="Listing the versions in every region…" />
        )
      ) : groups.length === 0 ? (
        <p className="field-hint">No version of this file is in the buckets.</p>
      ) : (
        <table className="simple-table versions-table">
          <caption className="visually-hidden">Versions of {relPath}, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Written</th>
              <th scope="col">By</th>
              <th scope="col">Based on</th>
              <th scope="col">Regions</th>
              <th scope="col">Size</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {groups.map((group) => (
              <tr key={group.versionId}>
                <th scope="row" className="item-path" title={group.versionId}>
                  {shortVersionId(group.versionId)}
                  {sideVersionIds.includes(group.versionId) ? (
                    <>
                      {' '}
                      <StateBadge label="In conflict" tone="conflict" />
                    </>
                  ) : null}
                  {group.deleteMarker ? (
                    <>
                      {' '}
                      <StateBadge label="Delete marker" tone="deleted" />
                    </>
                  ) : null}
                </th>
                <td>
                  <time dateTime={group.lastModified}>{formatWhen(group.lastModified)}</time>
                </td>
                <td>{sideWho({ ...group, isMine: false, isLocal: false })}</td>
                <td className="item-path">
                  {group.bases.length === 0
                    ? '—'
                    : group.bases.map((base) => shortVersionId(base)).join(', ')}
                </td>
                <td>{describeCopies(group)}</td>
                <td className="rules-number">
                  {group.deleteMarker ? '—' : formatBytes(group.size)}
                </td>
                <td>
                  {group.deleteMarker ? null : confirming === group.versionId ? (
                    <div className="restore-confirm" role="group" aria-label="Confirm restore">
                      <p>
                        Write this version again as the current one? Every version stays in the
                        history.
                      </p>
                      <p className="form-actions">
                        <button
                          ref={confirmRef}
                          type="button"
                          className="button-primary"
                          disabled={restoring}
                          onClick={() => void restore(group.versionId)}
                        >
                          {restoring ? 'Restoring…' : 'Yes, restore'}
                        </button>
                        <button
                          type="button"
                          disabled={restoring}
                          onClick={() => setConfirming(null)}
                        >
                          Cancel
                        </button>
                      </p>
                    </div>
                  ) : (
                    <button
                      type="button"
                      aria-label={`Restore this version (${shortVersionId(group.versionId)})`}
                      disabled={restoring}
                      onClick={() => {
                        setRestoreError(null);
                        setConfirming(group.versionId);
                      }}
                    >
                      Restore this version
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
