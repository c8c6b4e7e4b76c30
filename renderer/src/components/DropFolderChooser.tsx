import { useEffect, useId, useRef } from 'react';
import type { FolderSummary } from '../../../main/contract/sync.js';
import { displayPath } from '../display-format.js';
import { chooserQuestion } from '../drop-target.js';

interface Props {
  /** Names of the dropped files. */
  names: readonly string[];
  folders: readonly FolderSummary[];
  onChoose: (folder: FolderSummary) => void;
  onCancel: () => void;
}

/** A small modal dialog: which watched folder the dropped files go into. */
export function DropFolderChooser({ names, folders, onChoose, onCancel }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const headingId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  return (
    <dialog
      ref={ref}
      className="drop-chooser"
      aria-labelledby={headingId}
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
    >
      <h2 id={headingId}>{chooserQuestion(names)}</h2>
      <ul className="plain-list drop-chooser-list">
        {folders.map((folder) => (
          <li key={folder.id}>
            <button type="button" onClick={() => onChoose(folder)}>
              <span className="item-path">{displayPath(folder.path)}</span>
              <span className="drop-chooser-bucket">
                {folder.bucket}
                {folder.prefix ? `/${folder.prefix}` : ''}
              </span>
            </button>
          </li>
        ))}
      </ul>
      <p className="form-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </p>
    </dialog>
  );
}
