import { useCallback, useEffect, useMemo, useState } from 'react';
import type { FileReplication } from '../../../main/contract/replication.js';
import type { FileRow, FileSyncState, FolderSummary } from '../../../main/contract/sync.js';
import { EmptyState } from '../components/EmptyState.js';
import { FileDetailsPanel } from '../components/FileDetailsPanel.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { FilesTable } from '../components/FilesTable.js';
import { FilesToolbar } from '../components/FilesToolbar.js';
import { LoadingNotice } from '../components/LoadingNotice.js';
import { ViewHeader } from '../components/ViewHeader.js';
import { rowKey, type FileQuery } from '../file-page-cache.js';
import { useDebouncedValue } from '../hooks/use-debounced-value.js';
import { useFilePages } from '../hooks/use-file-pages.js';
import { useFilesFolderFilter } from '../hooks/use-files-folder-filter.js';
import type { LiveValue } from '../hooks/use-live-value.js';
import { useReplicaStatus } from '../hooks/use-replica-status.js';
import { routeHref } from '../routes.js';

/** How long the search box waits for typing to pause before it asks again. */
const SEARCH_DEBOUNCE_MS = 200;

interface Props {
  folders: LiveValue<FolderSummary[]>;
}

export function FilesView({ folders }: Props) {
  const [search, setSearch] = useState('');
  const [state, setState] = useState<FileSyncState | null>(null);
  const [folderId, setFolderId] = useFilesFolderFilter();
  const settledSearch = useDebouncedValue(search.trim(), SEARCH_DEBOUNCE_MS);
  const list = folders.value;

  // A filter on a folder that is no longer watched shows all folders instead.
  useEffect(() => {
    if (folderId !== null && list !== null && !list.some((f) => f.id === folderId)) {
      setFolderId(null);
    }
  }, [folderId, list, setFolderId]);

  const query = useMemo<FileQuery>(() => {
    const q: FileQuery = {};
    if (folderId !== null) q.folderId = folderId;
    if (state !== null) q.state = state;
    if (settledSearch !== '') q.search = settledSearch;
    return q;
  }, [folderId, state, settledSearch]);

  const pages = useFilePages(query);
  const replicas = useReplicaStatus();
  const [selected, setSelected] = useState<FileRow | null>(null);
  const selectedKey = selected ? rowKey(selected) : null;
  const { cache } = replicas;
  const onStatus = useCallback((status: FileReplication) => cache.merge([status]), [cache]);

  // The open row follows its changes (a new version, another state) while it is loaded.
  const shown = selectedKey === null ? null : (pages.rowByKey(selectedKey) ?? selected);

  const closeDetails = (): void => {
    setSelected(null);
    document.querySelector<HTMLElement>('.files-row[tabindex="0"]')?.focus();
  };
  const filtered = folderId !== null || state !== null || settledSearch !== '';

  return (
    <section className="view view-wide">
      <ViewHeader title="Files">
        Every tracked file with its sync state, the version last uploaded and where its replicas
        stand; click a file or press Enter on it for its details. Drop files anywhere on this window
        to copy them into a watched folder.
      </ViewHeader>
      {folders.error && list === null ? (
        <ErrorNotice
          title="Could not load the watched folders."
          error={folders.error}
          onRetry={folders.reload}
        />
      ) : null}
      {list === null ? (
        folders.error ? null : (
          <LoadingNotice label="Loading files…" />
        )
      ) : list.length === 0 ? (
        <EmptyState title="No files are tracked">
          <p>
            Files are tracked once a folder is watched. See{' '}
            <a href={routeHref('folders')}>Folders</a>.
          </p>
        </EmptyState>
      ) : (
        <>
          <FilesToolbar
            search={search}
            onSearch={setSearch}
            state={state}
            onState={setState}
            folderId={folderId}
            onFolder={setFolderId}
            folders={list}
            total={pages.total}
          />
          {pages.error ? (
            <ErrorNotice
              title="Could not list the files."
              error={pages.error}
              onRetry={pages.reload}
            />
          ) : null}
          <div className={shown ? 'files-layout files-layout-details' : 'files-layout'}>
            <FilesTable
              pages={pages}
              folders={list}
              replicas={replicas}
              selectedKey={selectedKey}
              onOpen={setSelected}
            />
            {shown ? (
              <FileDetailsPanel
                row={shown}
                folderPath={list.find((f) => f.id === shown.folderId)?.path}
                status={cache.get(shown)}
                onStatus={onStatus}
                onClose={closeDetails}
              />
            ) : null}
          </div>
          {pages.total === 0 ? (
            <p className="view-summary">
              {filtered
                ? 'No file matches these filters.'
                : 'No file is tracked yet; files appear here as the folders are scanned.'}
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}
