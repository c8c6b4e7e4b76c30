import { memo } from 'react';
import type { FileRow } from '../../../main/contract/sync.js';
import { FILE_STATE_LABELS, formatBytes, percentOf, shortVersionId } from '../display-format.js';
import { ProgressBar } from './ProgressBar.js';
import { StateBadge } from './StateBadge.js';

interface Props {
  /** Position in the filtered list, from 0. */
  index: number;
  row: FileRow | undefined;
  /** Pixels from the top of the table body. */
  top: number;
  /** The folder's path, shown on hover when the list spans several folders. */
  folderPath: string | undefined;
}

/** One row of the virtualized Files table; a placeholder while its page loads. */
export const FileTableRow = memo(function FileTableRow({ index, row, top, folderPath }: Props) {
  const style = { transform: `translateY(${top}px)` };
  if (!row) {
    return (
      <div
        role="row"
        aria-rowindex={index + 2}
        className="files-row files-row-loading"
        style={style}
      >
        <span role="cell" className="files-cell files-path">
          Loading…
        </span>
      </div>
    );
  }
  const percent = row.progress === null ? null : percentOf(row.progress, 1);
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      className={`files-row files-row-${row.state}`}
      style={style}
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
    </div>
  );
});
