import type { AppState } from '../../../main/contract/state.js';
import { EmptyState } from '../components/EmptyState.js';
import { LoadingNotice } from '../components/LoadingNotice.js';
import { ViewHeader } from '../components/ViewHeader.js';

interface Props {
  state: AppState | null;
}

export function FoldersView({ state }: Props) {
  return (
    <section className="view">
      <ViewHeader title="Folders">
        Local folders Replica Sync watches; every change in them is uploaded to a versioned bucket.
      </ViewHeader>
      {state === null ? (
        <LoadingNotice label="Loading watched folders…" />
      ) : state.folders.length === 0 ? (
        <EmptyState title="No folder is watched yet">
          <p>
            A watched folder is paired with a bucket and key prefix. Once one is added it is listed
            here with its sync state.
          </p>
        </EmptyState>
      ) : (
        <>
          <p className="view-summary">
            {state.folders.length === 1
              ? '1 folder is watched'
              : `${state.folders.length} folders are watched`}
            {state.paused ? '; syncing is paused.' : '.'}
          </p>
          <ul className="item-list" aria-label="Watched folders">
            {state.folders.map((folder) => (
              <li key={folder} className="item">
                <span className="item-path">{folder}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
