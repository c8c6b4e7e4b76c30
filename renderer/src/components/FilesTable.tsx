import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { FileRow, FolderSummary } from '../../../main/contract/sync.js';
import { rowKey } from '../file-page-cache.js';
import type { FilePages } from '../hooks/use-file-pages.js';
import type { ReplicaStatus } from '../hooks/use-replica-status.js';
import type { StatusRow } from '../replica-status-cache.js';
import { FileTableRow } from './FileTableRow.js';

/** Fixed row height in pixels; .files-row in styles.css says the same. */
export const FILE_ROW_HEIGHT = 40;
/** Height of the sticky header row; .files-head in styles.css says the same. */
const HEADER_HEIGHT = 36;

interface Props {
  pages: FilePages;
  folders: readonly FolderSummary[];
  replicas: ReplicaStatus;
  /** rowKey of the row whose details are open. */
  selectedKey: string | null;
  onOpen: (row: FileRow) => void;
}

/** Where a navigation key moves the active row; null for other keys. */
function movedIndex(key: string, index: number, count: number, pageRows: number): number | null {
  const last = Math.max(0, count - 1);
  switch (key) {
    case 'ArrowDown':
      return Math.min(last, index + 1);
    case 'ArrowUp':
      return Math.max(0, index - 1);
    case 'PageDown':
      return Math.min(last, index + pageRows);
    case 'PageUp':
      return Math.max(0, index - pageRows);
    case 'Home':
      return 0;
    case 'End':
      return last;
    default:
      return null;
  }
}

/**
 * The Files table: an ARIA table whose rows are rendered only near the visible part, so it
 * scrolls smoothly through any number of files. Each row's position is given by
 * aria-rowindex, and aria-rowcount tells assistive technology the full size. One row takes
 * keyboard focus; the arrow keys, Page Up/Down, Home and End move it, and Enter (or a click)
 * opens the file's details. Replica states are asked for the rows on screen only.
 */
export function FilesTable({ pages, folders, replicas, selectedKey, onOpen }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const count = pages.total ?? 0;
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => FILE_ROW_HEIGHT,
    overscan: 12,
    scrollMargin: HEADER_HEIGHT,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  const { showRange, rowAt } = pages;
  const [active, setActive] = useState(0);
  const activeIndex = Math.min(active, Math.max(0, count - 1));
  const focusWanted = useRef(false);

  useEffect(() => showRange(first, last), [first, last, showRange]);

  // The replica states of the rows on screen (the overscan included).
  const { cache } = replicas;
  useEffect(() => {
    const rows: StatusRow[] = [];
    for (let index = first; index <= last && index < count; index++) {
      const row = rowAt(index);
      if (row)
        rows.push({ folderId: row.folderId, relPath: row.relPath, versionId: row.versionId });
    }
    cache.show(rows);
  }, [first, last, count, rowAt, pages.version, cache]);

  // Another filter is another list (a new pager): start it from its top.
  const shownPager = useRef(showRange);
  useEffect(() => {
    if (shownPager.current === showRange) return;
    shownPager.current = showRange;
    setActive(0);
    scrollRef.current?.scrollTo({ top: 0 });
  }, [showRange]);

  // Keyboard moves focus to a row that may only now be rendered.
  useEffect(() => {
    if (!focusWanted.current) return;
    const row = scrollRef.current?.querySelector<HTMLElement>(`[data-index="${activeIndex}"]`);
    if (!row) return;
    focusWanted.current = false;
    row.focus({ preventScroll: true });
  }, [activeIndex, items]);

  const open = useCallback(
    (index: number, row: FileRow) => {
      setActive(index);
      onOpen(row);
    },
    [onOpen],
  );
  const onFocusRow = useCallback((index: number) => setActive(index), []);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    if (count === 0) return;
    const onRow = event.target !== event.currentTarget;
    if (onRow && (event.key === 'Enter' || event.key === ' ')) {
      const row = rowAt(activeIndex);
      if (row) {
        event.preventDefault();
        open(activeIndex, row);
      }
      return;
    }
    const from = onRow || (activeIndex >= first && activeIndex <= last) ? activeIndex : first;
    const pageRows = Math.max(
      1,
      Math.floor((scrollRef.current?.clientHeight ?? 400) / FILE_ROW_HEIGHT) - 1,
    );
    const next = movedIndex(event.key, from, count, pageRows);
    if (next === null) return;
    event.preventDefault();
    focusWanted.current = true;
    setActive(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };

  const folderPaths = new Map(folders.map((f) => [f.id, f.path]));
  const showFolder = folders.length > 1;
  const activeRendered = items.some((item) => item.index === activeIndex);

  return (
    <div
      ref={scrollRef}
      className="files-table"
      role="table"
      aria-label="Files"
      aria-rowcount={count + 1}
      tabIndex={activeRendered ? -1 : 0}
      onKeyDown={onKeyDown}
    >
      <div role="rowgroup" className="files-head">
        <div role="row" aria-rowindex={1} className="files-row files-row-head">
          <span role="columnheader" className="files-cell">
            Path
          </span>
          <span role="columnheader" className="files-cell files-size">
            Size
          </span>
          <span role="columnheader" className="files-cell">
            State
          </span>
          <span role="columnheader" className="files-cell">
            Version
          </span>
          <span role="columnheader" className="files-cell">
            Replication
          </span>
        </div>
      </div>
      <div
        role="rowgroup"
        className="files-body"
        style={{ height: `${virtualizer.getTotalSize()}px` }}
      >
        {items.map((item) => {
          const row = pages.rowAt(item.index);
          return (
            <FileTableRow
              key={item.key}
              index={item.index}
              row={row}
              top={item.start - HEADER_HEIGHT}
              folderPath={showFolder && row ? folderPaths.get(row.folderId) : undefined}
              replication={row ? cache.get(row) : undefined}
              active={item.index === activeIndex}
              selected={row !== undefined && rowKey(row) === selectedKey}
              onOpen={open}
              onFocusRow={onFocusRow}
            />
          );
        })}
      </div>
    </div>
  );
}
