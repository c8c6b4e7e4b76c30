import { useId } from 'react';
import type { FileSyncState, FolderSummary } from '../../../main/contract/sync.js';
import { countFiles, displayPath, FILE_STATE_LABELS, FILE_STATES } from '../display-format.js';

interface Props {
  search: string;
  onSearch: (search: string) => void;
  state: FileSyncState | null;
  onState: (state: FileSyncState | null) => void;
  folderId: string | null;
  onFolder: (folderId: string | null) => void;
  folders: readonly FolderSummary[];
  /** Rows in the filter; null while counting. */
  total: number | null;
}

function isFileState(value: string): value is FileSyncState {
  return (FILE_STATES as string[]).includes(value);
}

/** The Files view's filters (search, state, folder) and the count they leave. */
export function FilesToolbar(props: Props) {
  const { search, onSearch, state, onState, folderId, onFolder, folders, total } = props;
  const id = useId();
  return (
    <div className="files-toolbar" role="search" aria-label="Filter files">
      <div className="field">
        <label htmlFor={`${id}-search`}>Search</label>
        <input
          id={`${id}-search`}
          type="search"
          autoComplete="off"
          spellCheck={false}
          placeholder="Part of a path"
          value={search}
          onChange={(event) => onSearch(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-state`}>State</label>
        <select
          id={`${id}-state`}
          value={state ?? ''}
          onChange={(event) => onState(isFileState(event.target.value) ? event.target.value : null)}
        >
          <option value="">All states</option>
          {FILE_STATES.map((s) => (
            <option key={s} value={s}>
              {FILE_STATE_LABELS[s]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-folder`}>Folder</label>
        <select
          id={`${id}-folder`}
          value={folderId ?? ''}
          onChange={(event) => onFolder(event.target.value === '' ? null : event.target.value)}
        >
          <option value="">All folders</option>
          {folders.map((folder) => (
            <option key={folder.id} value={folder.id}>
              {displayPath(folder.path)}
            </option>
          ))}
        </select>
      </div>
      <p className="files-total" aria-live="polite">
        {total === null ? 'Counting files…' : countFiles(total)}
      </p>
    </div>
  );
}
