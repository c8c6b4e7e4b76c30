import type { AppState } from '../../../main/contract/state.js';
import { EmptyState } from '../components/EmptyState.js';
import { LoadingNotice } from '../components/LoadingNotice.js';
import { ViewHeader } from '../components/ViewHeader.js';

interface Props {
  state: AppState | null;
}

export function ConflictsView({ state }: Props) {
  return (
    <section className="view">
      <ViewHeader title="Conflicts">
        Versions of one file written from the same base: on this device and another, or in two
        regions at once.
      </ViewHeader>
      {state === null ? (
        <LoadingNotice label="Loading conflicts…" />
      ) : state.conflicts === 0 ? (
        <EmptyState title="No conflicts">
          <p>Every tracked file has a single current version.</p>
        </EmptyState>
      ) : (
        <div className="notice notice-warn">
          <p className="notice-title">
            {state.conflicts === 1
              ? '1 unresolved conflict'
              : `${state.conflicts} unresolved conflicts`}
          </p>
          <p>
            Every conflicting version stays in the bucket&apos;s history until the conflict is
            resolved.
          </p>
        </div>
      )}
    </section>
  );
}
