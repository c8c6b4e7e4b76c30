import type { AppState } from '../../../main/contract/state.js';
import { EmptyState } from '../components/EmptyState.js';
import { LoadingNotice } from '../components/LoadingNotice.js';
import { ViewHeader } from '../components/ViewHeader.js';

interface Props {
  state: AppState | null;
}

export function ReplicationView({ state }: Props) {
  return (
    <section className="view">
      <ViewHeader title="Replication">
        Replication groups connect a source bucket to buckets in other regions, one-way or two-way.
      </ViewHeader>
      {state === null ? (
        <LoadingNotice label="Loading replication…" />
      ) : (
        <EmptyState title="No replication group is set up">
          <p>
            A group needs versioning on every bucket it joins. Only objects written after a rule
            exists are replicated; each replica is then checked for the same version and checksum
            before it counts as verified.
          </p>
        </EmptyState>
      )}
    </section>
  );
}
