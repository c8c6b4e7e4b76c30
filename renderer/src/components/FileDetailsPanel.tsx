import { useEffect, useId, useRef, useState } from 'react';
import type { FileReplication } from '../../../main/contract/replication.js';
import type { FileRow } from '../../../main/contract/sync.js';
import { api } from '../api-instance.js';
import type { ContractError } from '../contract-error.js';
import { displayPath, FILE_STATE_LABELS, formatBytes } from '../display-format.js';
import { asContractError, isCancelled } from '../hooks/use-live-value.js';
import {
  canRetry,
  formatLatency,
  latencyWords,
  REPLICA_STATE_HINTS,
  replicaBadges,
  replicaOfLabel,
  SOURCE_STATUS_LABELS,
} from '../replica-badges.js';
import { ErrorNotice } from './ErrorNotice.js';
import { LoadingNotice } from './LoadingNotice.js';
import { StateBadge } from './StateBadge.js';

interface Props {
  row: FileRow;
  /** The watched folder's path. */
  folderPath: string | undefined;
  /** The replica state as the Files view knows it (kept by 'replication.changed'). */
  status: FileReplication | undefined;
  /** A fresher state from a command's answer. */
  onStatus: (status: FileReplication) => void;
  onClose: () => void;
}

/**
 * The "File details" side panel: the version, the source's replication status and each
 * destination's state, latency, RTC flag and failure reason; "Retry replication" for a
 * failed copy. Asks replication.fileStatus afresh when a file is opened.
 */
export function FileDetailsPanel({ row, folderPath, status, onStatus, onClose }: Props) {
  const headingId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [loadError, setLoadError] = useState<ContractError | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const [retrying, setRetrying] = useState(false);
  const [retryError, setRetryError] = useState<ContractError | null>(null);
  const [confirmation, setConfirmation] = useState<string | null>(null);
  const { folderId, relPath } = row;

  useEffect(() => {
    headingRef.current?.focus();
    setRetryError(null);
    setConfirmation(null);
  }, [folderId, relPath]);

  useEffect(() => {
    if (row.versionId === null) return;
    const controller = new AbortController();
    setLoadError(null);
    api
      .invoke('replication.fileStatus', { folderId, relPath }, { signal: controller.signal })
      .then(onStatus, (failure: unknown) => {
        if (!isCancelled(failure)) setLoadError(asContractError(failure));
      });
    return () => controller.abort();
    // Asked again for another file, another version, or a Try again.
  }, [folderId, relPath, row.versionId, reloadKey, onStatus]);

  const retry = async (): Promise<void> => {
    setRetrying(true);
    setRetryError(null);
    setConfirmation(null);
    try {
      onStatus(await api.invoke('replication.retry', { folderId, relPath }));
      setConfirmation(
        'Replication was started again; the states update as the copies are checked.',
      );
    } catch (failure) {
      setRetryError(asContractError(failure));
    } finally {
      setRetrying(false);
    }
  };

  const badges = replicaBadges(status);
  const destinations = status
    ? [...status.destinations].sort((a, b) => a.region.localeCompare(b.region))
    : [];

  return (
    <aside
      className="file-details"
      aria-label="File details"
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          onClose();
        }
      }}
    >
      <div className="file-details-head">
        <h2 id={headingId} ref={headingRef} tabIndex={-1} className="item-path">
          {row.relPath}
        </h2>
        <button type="button" onClick={onClose} aria-label="Close details">
          Close
        </button>
      </div>

      <dl className="detail-facts">
        {folderPath ? (
          <div>
            <dt>Folder</dt>
            <dd className="item-path">{displayPath(folderPath)}</dd>
          </div>
        ) : null}
        <div>
          <dt>Size</dt>
          <dd>{formatBytes(row.size)}</dd>
        </div>
        <div>
          <dt>Sync state</dt>
          <dd>{FILE_STATE_LABELS[row.state]}</dd>
        </div>
        <div>
          <dt>Version id</dt>
          <dd className="item-path">{status?.versionId ?? row.versionId ?? 'Not uploaded yet'}</dd>
        </div>
        {status ? (
          <div>
            <dt>Source status</dt>
            <dd>{SOURCE_STATUS_LABELS[status.sourceStatus]}</dd>
          </div>
        ) : null}
        {status?.sourceStatus === 'REPLICA' ? (
          <div>
            <dt>Origin</dt>
            <dd>{replicaOfLabel(status)}</dd>
          </div>
        ) : null}
        {status?.problem ? (
          <div>
            <dt>Problem</dt>
            <dd className="detail-bad">{status.problem}</dd>
          </div>
        ) : null}
      </dl>

      {loadError ? (
        <ErrorNotice
          title="Could not read the replica states."
          error={loadError}
          onRetry={() => setReloadKey((k) => k + 1)}
        />
      ) : null}

      {row.versionId === null ? (
        <p className="field-hint">Replicas are followed once the file is uploaded.</p>
      ) : !status ? (
        loadError ? null : (
          <LoadingNotice label="Reading the replica states…" />
        )
      ) : destinations.length === 0 ? (
        <p className="field-hint">
          {status.sourceStatus === 'REPLICA'
            ? 'This version is a replica: S3 does not copy it again.'
            : status.sourceStatus === 'UNKNOWN'
              ? 'Where this file is copied to is not known yet.'
              : 'No replication rule applies to this file.'}
        </p>
      ) : (
        <ul className="destination-list" aria-label="Destinations">
          {destinations.map((d, i) => {
            const badge = badges.find((b) => b.region === d.region && b.bucket === d.bucket);
            return (
              <li key={`${d.bucket}:${d.region}:${i}`} className="destination">
                <div className="destination-head">
                  <span className="destination-region">{d.region}</span>
                  {badge ? <StateBadge label={badge.label} tone={badge.tone} /> : null}
                </div>
                <dl className="detail-facts">
                  <div>
                    <dt>Bucket</dt>
                    <dd className="item-path">{d.bucket}</dd>
                  </div>
                  <div>
                    <dt>State</dt>
                    <dd>{REPLICA_STATE_HINTS[d.state]}</dd>
                  </div>
                  <div>
                    <dt>Latency</dt>
                    <dd>{d.latencyMs === null ? formatLatency(null) : latencyWords(d)}</dd>
                  </div>
                  {d.rtc || d.rtcBreached ? (
                    <div>
                      <dt>RTC</dt>
                      <dd className={d.rtcBreached ? 'detail-bad' : undefined}>
                        {d.rtcBreached
                          ? 'Past the 15-minute Replication Time Control window'
                          : 'Within the 15-minute window'}
                      </dd>
                    </div>
                  ) : null}
                  {d.reason ? (
                    <div>
                      <dt>Reason</dt>
                      <dd className="detail-bad">{d.reason}</dd>
                    </div>
                  ) : null}
                </dl>
              </li>
            );
          })}
        </ul>
      )}

      {retryError ? <ErrorNotice title="Replication was not retried." error={retryError} /> : null}
      {canRetry(status) ? (
        <p className="form-actions">
          <button
            type="button"
            className="button-primary"
            disabled={retrying}
            onClick={() => void retry()}
          >
            {retrying ? 'Retrying…' : 'Retry replication'}
          </button>
        </p>
      ) : null}
      <p className="form-confirmation" aria-live="polite">
        {confirmation}
      </p>
    </aside>
  );
}
