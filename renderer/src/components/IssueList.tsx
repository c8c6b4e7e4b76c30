import type { Issue } from '../contract-error.js';

interface Props {
  title: string;
  issues: readonly Issue[];
}

/** Problems main reported that belong to no field of the form. */
export function IssueList({ title, issues }: Props) {
  if (issues.length === 0) return null;
  return (
    <div className="notice notice-error" role="alert">
      <p className="notice-title">{title}</p>
      <ul>
        {issues.map((issue) => (
          <li key={`${issue.path}:${issue.message}`}>
            {issue.path ? `${issue.path}: ` : ''}
            {issue.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
