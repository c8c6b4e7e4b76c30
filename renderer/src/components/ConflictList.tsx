import { useEffect, useRef } from 'react';
import type { ConflictSummary } from '../../../main/contract/conflicts.js';
import { describeSides, formatWhen } from '../conflict-format.js';
import { StateBadge } from './StateBadge.js';

interface Props {
  conflicts: readonly ConflictSummary[];
  selectedId: string | null;
  onSelect: (id: string) => void;
  /** Ids ticked for a bulk resolve. */
  checked: ReadonlySet<string>;
  onCheck: (ids: string[], on: boolean) => void;
}

/** The open conflicts: pick one to see it, tick several to resolve them at once. */
export function ConflictList({ conflicts, selectedId, onSelect, checked, onCheck }: Props) {
  const all = conflicts.length > 0 && conflicts.every((c) => checked.has(c.id));
  const some = !all && conflicts.some((c) => checked.has(c.id));
  const allRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (allRef.current) allRef.current.indeterminate = some;
  }, [some]);

  return (
    <div className="conflict-list-panel">
      <label className="field-check conflict-select-all">
        <input
          ref={allRef}
          type="checkbox"
          checked={all}
          onChange={(event) =>
            onCheck(
              conflicts.map((c) => c.id),
              event.target.checked,
            )
          }
        />
        <span>Select all</span>
      </label>
      <ul className="conflict-list plain-list" aria-label="Open conflicts">
        {conflicts.map((conflict) => {
          const selected = conflict.id === selectedId;
          return (
            <li
              key={conflict.id}
              className={selected ? 'conflict-item conflict-item-selected' : 'conflict-item'}
            >
              <input
                type="checkbox"
                aria-label={`Select ${conflict.relPath}`}
                checked={checked.has(conflict.id)}
                onChange={(event) => onCheck([conflict.id], event.target.checked)}
              />
              <button
                type="button"
                className="conflict-item-open"
                aria-current={selected ? 'true' : undefined}
                onClick={() => onSelect(conflict.id)}
              >
                <span className="item-path">{conflict.relPath}</span>
                <span className="conflict-item-meta">
                  {describeSides(conflict.sides)}, found {formatWhen(conflict.foundAt)}
                </span>
                {conflict.certain ? null : <StateBadge label="possible conflict" tone="conflict" />}
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
