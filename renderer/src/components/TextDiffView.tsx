import { useMemo } from 'react';
import { diffLines, withContext } from '../text-diff.js';

interface Props {
  before: string;
  after: string;
  /** Names of the two sides, e.g. "Version on this computer". */
  beforeLabel: string;
  afterLabel: string;
}

/** Rows past this are not drawn; the count says how many were left out. */
const MAX_ROWS = 2000;

const SIGN = { same: ' ', removed: '−', added: '+' } as const;
const SPOKEN = { same: 'unchanged', removed: 'only in the first', added: 'only in the second' };

/** A line diff of two texts: unchanged lines around each change, removed and added lines. */
export function TextDiffView({ before, after, beforeLabel, afterLabel }: Props) {
  const diff = useMemo(() => diffLines(before, after), [before, after]);
  const rows = useMemo(() => withContext(diff.lines, 3), [diff]);
  const shown = rows.slice(0, MAX_ROWS);

  return (
    <div className="text-diff">
      <p className="text-diff-summary">
        {diff.added + diff.removed === 0
          ? 'The texts are the same.'
          : `${diff.removed.toLocaleString('en-US')} ${diff.removed === 1 ? 'line' : 'lines'} only in ${beforeLabel} (−), ${diff.added.toLocaleString('en-US')} only in ${afterLabel} (+).`}
        {diff.exact ? null : ' The texts are too long to line up; changed parts are shown whole.'}
      </p>
      {rows.length > 0 ? (
        <ol className="text-diff-lines" aria-label="Line differences">
          {shown.map((row, index) =>
            row.op === 'skip' ? (
              <li key={`skip-${index}`} className="diff-line diff-skip">
                {row.count.toLocaleString('en-US')} unchanged {row.count === 1 ? 'line' : 'lines'}
              </li>
            ) : (
              <li key={`${row.a ?? '-'}:${row.b ?? '-'}`} className={`diff-line diff-${row.op}`}>
                <span className="diff-number" aria-hidden="true">
                  {row.a ?? ''}
                </span>
                <span className="diff-number" aria-hidden="true">
                  {row.b ?? ''}
                </span>
                <span className="diff-sign" aria-hidden="true">
                  {SIGN[row.op]}
                </span>
                <span className="visually-hidden">{SPOKEN[row.op]}: </span>
                <code className="diff-text">{row.text}</code>
              </li>
            ),
          )}
        </ol>
      ) : null}
      {rows.length > shown.length ? (
        <p className="field-hint">
          {(rows.length - shown.length).toLocaleString('en-US')} more lines are not shown.
        </p>
      ) : null}
    </div>
  );
}
