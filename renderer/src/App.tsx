import { useEffect, useRef, type ReactNode } from 'react';
import { mode } from './api-instance.js';
import { AppHeader } from './components/AppHeader.js';
import { ConflictNotifier } from './components/ConflictNotifier.js';
import { RtcNotifier } from './components/RtcNotifier.js';
import { DropZone } from './components/DropZone.js';
import { EmptyState } from './components/EmptyState.js';
import { ErrorBoundary } from './components/ErrorBoundary.js';
import { ErrorNotice } from './components/ErrorNotice.js';
import { Sidebar } from './components/Sidebar.js';
import { StatusBar } from './components/StatusBar.js';
import { ViewHeader } from './components/ViewHeader.js';
import { useAppNavigate } from './hooks/use-app-navigate.js';
import { useAppState } from './hooks/use-app-state.js';
import { useConflicts } from './hooks/use-conflicts.js';
import { useConnectionStatus } from './hooks/use-connection.js';
import { useFilesFolderFilter } from './hooks/use-files-folder-filter.js';
import { useFolders } from './hooks/use-folders.js';
import { useHashRoute } from './hooks/use-hash-route.js';
import type { LiveValue } from './hooks/use-live-value.js';
import { DEFAULT_ROUTE, routeHref, routeLabel, type RouteId } from './routes.js';
import { ActivityView } from './views/ActivityView.js';
import { ConflictsView } from './views/ConflictsView.js';
import { FilesView } from './views/FilesView.js';
import { FoldersView } from './views/FoldersView.js';
import { ReplicationView } from './views/ReplicationView.js';
import { SettingsView } from './views/SettingsView.js';
import type { ConflictSummary } from '../../main/contract/conflicts.js';
import type { AppState } from '../../main/contract/state.js';
import type { FolderSummary } from '../../main/contract/sync.js';

function viewFor(
  route: RouteId,
  state: AppState | null,
  folders: LiveValue<FolderSummary[]>,
  conflicts: LiveValue<ConflictSummary[]>,
): ReactNode {
  switch (route) {
    case 'folders':
      return <FoldersView state={state} folders={folders} />;
    case 'files':
      return <FilesView folders={folders} />;
    case 'replication':
      return <ReplicationView state={state} folders={folders} />;
    case 'conflicts':
      return <ConflictsView conflicts={conflicts} folders={folders} />;
    case 'activity':
      return <ActivityView />;
    case 'settings':
      return <SettingsView state={state} mode={mode} />;
  }
}

export function App() {
  const route = useHashRoute();
  const appState = useAppState();
  const connection = useConnectionStatus();
  const folders = useFolders();
  const conflicts = useConflicts();
  useAppNavigate();
  const [filesFolderFilter] = useFilesFolderFilter();
  const mainRef = useRef<HTMLElement>(null);
  const firstRoute = useRef(true);
  const routeKey = route ?? 'not-found';

  // After navigation, focus the new view's heading and name the page after it.
  useEffect(() => {
    document.title = route ? `${routeLabel(route)} · Replica Sync` : 'Replica Sync';
    if (firstRoute.current) {
      firstRoute.current = false;
      return;
    }
    mainRef.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [route]);

  return (
    <div className="app">
      <AppHeader mode={mode} />
      <Sidebar current={route} conflicts={appState.value?.conflicts ?? 0} />
      <main className="content" ref={mainRef}>
        {appState.error && appState.value === null ? (
          <ErrorNotice
            title="Could not read the state of Replica Sync."
            error={appState.error}
            onRetry={appState.reload}
          />
        ) : null}
        <ErrorBoundary resetKey={routeKey}>
          {route ? (
            viewFor(route, appState.value, folders, conflicts)
          ) : (
            <section className="view">
              <ViewHeader title="Page not found" />
              <EmptyState title="This address names no view">
                <p>
                  Go to <a href={routeHref(DEFAULT_ROUTE)}>{routeLabel(DEFAULT_ROUTE)}</a>.
                </p>
              </EmptyState>
            </section>
          )}
        </ErrorBoundary>
      </main>
      <StatusBar
        state={appState.value}
        error={appState.error}
        connection={connection}
        mode={mode}
        onState={appState.replace}
      />
      {mode === 'browser' ? <ConflictNotifier conflicts={conflicts.value} /> : null}
      {mode === 'browser' ? <RtcNotifier /> : null}
      <DropZone
        folders={folders.value}
        preferredFolderId={route === 'files' ? filesFolderFilter : null}
      />
    </div>
  );
}
