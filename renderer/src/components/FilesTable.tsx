import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import type { FolderSummary } from '../../../main/contract/sync.js';
import type { FilePages } from '../hooks/use-file-pages.js';
import { FileTableRow } from './FileTableRow.js';

/** Fixed row height in pixels; .files-row in styles.css says the same. */
export const FILE_ROW_HEIGHT = 40;
/** Height of the sticky header row; .files-head in styles.css says the same. */
const HEADER_HEIGHT = 36;

interface Props {
  pages: FilePages;
  folders: readonly FolderSummary[];
}

/**
 * The Files table: an ARIA table whose rows are rendered only near the visible part, so it
 * scrolls smoothly through any number of files. Each row's position is given by
 * aria-rowindex, and aria-rowcount tells assistive technology the full size.
 */
export function FilesTable({ pages, folders }: Props) {
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
  const { showRange } = pages;

  useEffect(() => showRange(first, last), [first, last, showRange]);

  // Another filter is another list (a new pager): start it from its top.
  const shownPager = useRef(showRange);
  useEffect(() => {
    if (shownPager.current === showRange) return;
    shownPager.current = showRange;
    scrollRef.current?.scrollTo({ top: 0 });
  }, [showRange]);

  const folderPaths = new Map(folders.map((f) => [f.id, f.path]));
  const showFolder = folders.length > 1;

  return (
    <div
      ref={scrollRef}
      className="files-table"
      role="table"
      aria-label="Files"
      aria-rowcount={count + 1}
      tabIndex={0}
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
            />
          );
        })}
      </div>
    </div>
  );
}
