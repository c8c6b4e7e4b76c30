import type { ReactNode } from 'react';

interface Props {
  title: string;
  children: ReactNode;
}

/** What a view shows when there is nothing to list, and why. */
export function EmptyState({ title, children }: Props) {
  return (
    <div className="empty-state">
      <h2>{title}</h2>
      {children}
    </div>
  );
}
