import type { ConflictSide } from '../../../main/contract/conflicts.js';
import { formatWhen, sideWhere, sideWho } from '../conflict-format.js';
import { formatBytes, shortVersionId } from '../display-format.js';
import { StateBadge } from './StateBadge.js';

interface Props {
  side: ConflictSide;
  /** The side's name, unique in the conflict ("Version from laptop in eu-west-1"). */
  title: string;
  /** False when the side cannot be kept by itself (no version id). */
  canKeep: boolean;
  canOpen: boolean;
  busy: boolean;
  onKeep: () => void;
  onOpen: () => void;
}

/** One version in a conflict: who wrote it, where it is, when, its size; keep or open it. */
export function ConflictSideCard({ side, title, canKeep, canOpen, busy, onKeep, onOpen }: Props) {
  return (
    <article className="conflict-side" aria-label={title}>
      <div className="conflict-side-head">
        <h4>{title}</h4>
        {side.isCurrent ? <StateBadge label="Current" tone="synced" /> : null}
        {side.isMine ? <StateBadge label="Yours" tone="uploading" /> : null}
      </div>
      <dl className="detail-facts">
        <div>
          <dt>Who</dt>
          <dd>{sideWho(side)}</dd>
        </div>
        <div>
          <dt>Where</dt>
          <dd>{sideWhere(side)}</dd>
        </div>
        <div>
          <dt>When</dt>
          <dd>
            <time dateTime={side.lastModified}>{formatWhen(side.lastModified)}</time>
          </dd>
        </div>
        <div>
          <dt>Size</dt>
          <dd>{formatBytes(side.size)}</dd>
        </div>
        <div>
          <dt>Version</dt>
          <dd className="item-path" title={side.versionId ?? undefined}>
            {side.versionId === null ? 'Not uploaded' : shortVersionId(side.versionId)}
          </dd>
        </div>
      </dl>
      <p className="form-actions">
        <button
          type="button"
          className="button-primary"
          disabled={busy || !canKeep}
          onClick={onKeep}
        >
          Keep this one
        </button>
        <button type="button" disabled={busy || !canOpen} onClick={onOpen}>
          Open
        </button>
      </p>
    </article>
  );
}
