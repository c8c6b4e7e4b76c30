import { useEffect, useRef, useState } from 'react';
import type { FolderSummary } from '../../../main/contract/sync.js';

export type FolderAction = 'pause' | 'resume' | 'rescan' | 'remove' | 'answer';

interface Props {
  folder: FolderSummary;
  /** The action in flight, if any; every button waits for it. */
  busy: FolderAction | null;
  onPause: (paused: boolean) => void;
  onRescan: () => void;
  onRemove: () => void;
}

/** Pause or resume, rescan, and remove with a confirm step. */
export function FolderActions({ folder, busy, onPause, onRescan, onRemove }: Props) {
  const [confirming, setConfirming] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const removeRef = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);

  useEffect(() => {
    if (confirming) {
      confirmRef.current?.focus();
    } else if (returnFocus.current) {
      returnFocus.current = false;
      removeRef.current?.focus();
    }
  }, [confirming]);

  if (confirming) {
    return (
      <div className="folder-confirm" role="group" aria-label="Confirm removal">
        <p>
          Stop watching this folder? Its files stay on this computer and its versions stay in the
          bucket.
        </p>
        <p className="notice-actions">
          <button
            ref={confirmRef}
            type="button"
            className="button-danger"
            disabled={busy !== null}
            onClick={onRemove}
          >
            {busy === 'remove' ? 'Removing…' : 'Remove folder'}
          </button>
          <button
            type="button"
            disabled={busy === 'remove'}
            onClick={() => {
              returnFocus.current = true;
              setConfirming(false);
            }}
          >
            Cancel
          </button>
        </p>
      </div>
    );
  }

  return (
    <p className="folder-actions">
      {folder.userPaused ? (
        <button type="button" disabled={busy !== null} onClick={() => onPause(false)}>
          {busy === 'resume' ? 'Resuming…' : 'Resume'}
        </button>
      ) : (
        <button type="button" disabled={busy !== null} onClick={() => onPause(true)}>
          {busy === 'pause' ? 'Pausing…' : 'Pause'}
        </button>
      )}
      <button type="button" disabled={busy !== null} onClick={onRescan}>
        {busy === 'rescan' ? 'Rescanning…' : 'Rescan'}
      </button>
      <button
        ref={removeRef}
        type="button"
        disabled={busy !== null}
        onClick={() => setConfirming(true)}
      >
        Remove…
      </button>
    </p>
  );
}
