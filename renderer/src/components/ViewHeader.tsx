import type { ReactNode } from 'react';

interface Props {
  title: string;
  children?: ReactNode;
}

/** The view's h1 (focus target after navigation) and an optional lead line. */
export function ViewHeader({ title, children }: Props) {
  return (
    <header className="view-header">
      <h1 tabIndex={-1}>{title}</h1>
      {children ? <p className="view-lead">{children}</p> : null}
    </header>
  );
}
