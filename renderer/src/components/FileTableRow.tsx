import { memo } from 'react';
import type { FileReplication } from '../../../main/contract/replication.js';
import type { FileRow } from '../../../main/contract/sync.js';
import { FILE_STATE_LABELS, formatBytes, percentOf, shortVersionId } from '../display-format.js';
import { ProgressBar } from './ProgressBar.js';
import { ReplicaBadges } from './ReplicaBadges.js';
import { StateBadge } from './StateBadge.js';

interface Props {
  /** Position in the filtered list, from 0. */
  index: number;
  row: FileRow | undefined;
  /** Pixels from the top of the table body. */
  top: number;
  /** The folder's path, shown on hover when the list spans several folders. */
  folderPath: string | undefined;
  /** The row's replica states; undefined until known. */
  replication: FileReplication | undefined;
  /** The row keyboard focus lands on (tabindex 0); the others are reached with arrows. */
  active: boolean;
  /** Its details are open. */
  selected: boolean;
  onOpen: (index: number, row: FileRow) => void;
  onFocusRow: (index: number) => void;
}

/** One row of the virtualized Files table; a placeholder while its page loads. */
export const FileTableRow = memo(function FileTableRow({
  index,
  row,
  top,
  folderPath,
  replication,
  active,
  selected,
  onOpen,
  onFocusRow,
}: Props) {
  const style = { transform: `translateY(${top}px)` };
  if (!row) {
    return (
      <div
        role="row"
        aria-rowindex={index + 2}
        className="files-row files-row-loading"
        style={style}
        data-index={index}
        tabIndex={active ? 0 : -1}
        onFocus={() => onFocusRow(index)}
      >
        <span role="cell" className="files-cell files-path">
          Loading…
        </span>
      </div>
    );
  }
  const percent = row.progress === null ? null : percentOf(row.progress, 1);
  const onClick = (): void => {
    // A click that selects text is not a request for details.
    if (window.getSelection()?.toString()) return;
    onOpen(index, row);
  };
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      aria-current={selected ? 'true' : undefined}
      className={`files-row files-row-${row.state}${selected ? ' files-row-selected' : ''}`}
      style={style}
      data-index={index}
      tabIndex={active ? 0 : -1}
      onFocus={() => onFocusRow(index)}
      onClick={onClick}
    >
      <span
        role="cell"
        className="files-cell files-path item-path"
        title={folderPath ? `${folderPath} › ${row.relPath}` : row.relPath}
      >
        {row.relPath}
      </span>
      <span role="cell" className="files-cell files-size">
        {formatBytes(row.size)}
      </span>
      <span role="cell" className="files-cell files-state">
        <StateBadge label={FILE_STATE_LABELS[row.state]} tone={row.state} detail={row.error} />
        {row.state === 'uploading' && percent !== null ? (
          <ProgressBar
            label={`Upload progress of ${row.relPath}`}
            value={row.progress ?? 0}
            max={1}
            valueText={`${percent}%`}
          />
        ) : null}
        {row.error ? <span className="visually-hidden">{row.error}</span> : null}
      </span>
      <span
        role="cell"
        className="files-cell files-version item-path"
        title={row.versionId ?? undefined}
      >
        {shortVersionId(row.versionId)}
      </span>
      <span role="cell" className="files-cell files-replication">
        <ReplicaBadges
          relPath={row.relPath}
          status={replication}
          uploaded={row.versionId !== null}
        />
      </span>
    </div>
  );
});
