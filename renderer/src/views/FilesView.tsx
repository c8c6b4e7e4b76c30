import type { AppState } from '../../../main/contract/state.js';
import { EmptyState } from '../components/EmptyState.js';
import { LoadingNotice } from '../components/LoadingNotice.js';
import { ViewHeader } from '../components/ViewHeader.js';
import { routeHref } from '../routes.js';

interface Props {
  state: AppState | null;
}

export function FilesView({ state }: Props) {
  const count = state?.folders.length ?? 0;
  return (
    <section className="view">
      <ViewHeader title="Files">
        Every tracked file with its current version and where its replicas stand.
      </ViewHeader>
      {state === null ? (
        <LoadingNotice label="Loading files…" />
      ) : count === 0 ? (
        <EmptyState title="No files are tracked">
          <p>
            Files are tracked once a folder is watched. See{' '}
            <a href={routeHref('folders')}>Folders</a>.
          </p>
        </EmptyState>
      ) : (
        <EmptyState title="No file details to show">
          <p>
            {count === 1 ? '1 folder is watched' : `${count} folders are watched`}. Files appear
            here as the index records them.
          </p>
        </EmptyState>
      )}
    </section>
  );
}
