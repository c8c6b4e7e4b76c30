import { memo } from 'react';
import type { FileReplication } from '../../../main/contract/replication.js';
import { replicaBadges, replicaProblem, replicaSummary } from '../replica-badges.js';

interface Props {
  relPath: string;
  /** The file's replica state; undefined until known. */
  status: FileReplication | undefined;
  /** Whether the file has a version in the bucket (else there is nothing to replicate). */
  uploaded: boolean;
}

/** One badge per destination: its region and state; named "<region>: <state>". */
export const ReplicaBadges = memo(function ReplicaBadges({ relPath, status, uploaded }: Props) {
  if (!uploaded) return <span className="replica-none">—</span>;
  if (!status) {
    return (
      <span className="replica-none" aria-busy="true">
        …<span className="visually-hidden">Checking replicas</span>
      </span>
    );
  }
  const badges = replicaBadges(status);
  const problem = replicaProblem(status);
  const note = problem ? (
    <span className="replica-problem" role="note" title={problem}>
      {problem}
    </span>
  ) : null;
  if (badges.length === 0)
    return (
      <span className="replica-none">
        {replicaSummary(status)}
        {note ? <> {note}</> : null}
      </span>
    );
  return (
    <ul className="replica-badges" aria-label={`Replicas of ${relPath}`}>
      {badges.map((badge) => (
        <li
          key={badge.key}
          className={`state state-${badge.tone} replica-badge`}
          aria-label={badge.name}
          title={badge.detail}
        >
          <span className="replica-region">{badge.region}</span> {badge.label}
        </li>
      ))}
      {note ? <li className="replica-problem-item">{note}</li> : null}
    </ul>
  );
});
