import { ActivityRow } from '../components/ActivityRow.js';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { LoadingNotice } from '../components/LoadingNotice.js';
import { ViewHeader } from '../components/ViewHeader.js';
import { useActivity } from '../hooks/use-activity.js';

export function ActivityView() {
  const { entries, error, reload } = useActivity();
  return (
    <section className="view">
      <ViewHeader title="Activity">What Replica Sync did and found, newest first.</ViewHeader>
      {error ? (
        <ErrorNotice title="Could not load the activity." error={error} onRetry={reload} />
      ) : null}
      {entries === null ? (
        error ? null : (
          <LoadingNotice label="Loading activity…" />
        )
      ) : entries.length === 0 ? (
        <EmptyState title="No activity yet">
          <p>Uploads, replication checks, conflicts and errors are listed here as they happen.</p>
        </EmptyState>
      ) : (
        <ol className="activity-list" aria-label="Activity log">
          {entries.map((entry) => (
            <ActivityRow key={entry.id} entry={entry} />
          ))}
        </ol>
      )}
    </section>
  );
}
