import type { AppState } from '../../../main/contract/state.js';
import type { FolderSummary } from '../../../main/contract/sync.js';
import { AddFolderForm } from '../components/AddFolderForm.js';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { FolderCard } from '../components/FolderCard.js';
import { LoadingNotice } from '../components/LoadingNotice.js';
import { ViewHeader } from '../components/ViewHeader.js';
import { withFolder } from '../hooks/use-folders.js';
import type { LiveValue } from '../hooks/use-live-value.js';

interface Props {
  state: AppState | null;
  folders: LiveValue<FolderSummary[]>;
}

export function FoldersView({ state, folders }: Props) {
  const list = folders.value;
  const replace = (folder: FolderSummary): void => folders.replace(withFolder(list ?? [], folder));
  const remove = (id: string): void => folders.replace((list ?? []).filter((f) => f.id !== id));

  return (
    <section className="view">
      <ViewHeader title="Folders">
        Local folders Replica Sync watches; every change in them is uploaded to a versioned bucket.
      </ViewHeader>
      {folders.error ? (
        <ErrorNotice
          title="Could not load the watched folders."
          error={folders.error}
          onRetry={folders.reload}
        />
      ) : null}
      {list === null ? (
        folders.error ? null : (
          <LoadingNotice label="Loading watched folders…" />
        )
      ) : list.length === 0 ? (
        <EmptyState title="No folder is watched yet">
          <p>
            A watched folder is paired with a bucket and key prefix. Add one below; it is then
            listed here with its sync state.
          </p>
        </EmptyState>
      ) : (
        <>
          <p className="view-summary">
            {list.length === 1 ? '1 folder is watched' : `${list.length} folders are watched`}
            {state?.paused ? '; syncing is paused.' : '.'} Drop files anywhere on this window to
            copy them into a watched folder.
          </p>
          <ul className="folder-list" aria-label="Watched folders">
            {list.map((folder) => (
              <FolderCard key={folder.id} folder={folder} onFolder={replace} onRemoved={remove} />
            ))}
          </ul>
        </>
      )}
      <AddFolderForm folders={list ?? []} onAdded={replace} />
    </section>
  );
}
