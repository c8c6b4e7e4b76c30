import type { RuleCheck } from '../../../main/contract/replication.js';
import { describeCheck, fixKey } from '../rule-form.js';

interface Props {
  checks: readonly RuleCheck[];
  /** The fix in flight ("bucket:region"), if any. */
  fixing: string | null;
  onFix: (fix: NonNullable<RuleCheck['fix']>) => void;
}

/** What replication.check found: errors (which block saving) and warnings, with their fixes. */
export function RuleCheckList({ checks, fixing, onFix }: Props) {
  const errors = checks.filter((c) => c.level === 'error');
  const warnings = checks.filter((c) => c.level === 'warning');
  const ordered = [...errors, ...warnings];
  return (
    <ul className="plain-list check-list" aria-label="Checks">
      {ordered.map((check, index) => (
        <li
          key={`${index}:${check.ruleId ?? ''}:${check.field ?? ''}:${check.message}`}
          className={`check check-${check.level}`}
        >
          <span className={`level level-${check.level === 'error' ? 'error' : 'warn'}`}>
            {check.level === 'error' ? 'Error' : 'Warning'}
          </span>
          <span className="check-message">{describeCheck(check)}</span>
          {check.fix ? (
            <button
              type="button"
              className="check-fix"
              disabled={fixing !== null}
              onClick={() => check.fix && onFix(check.fix)}
            >
              {fixing === fixKey(check.fix)
                ? `Enabling versioning on ${check.fix.bucket}…`
                : `Enable versioning on ${check.fix.bucket}`}
            </button>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
