import { ROUTES, routeHref, type RouteId } from '../routes.js';

interface Props {
  current: RouteId | null;
  conflicts: number;
}

export function Sidebar({ current, conflicts }: Props) {
  return (
    <nav className="sidebar" aria-label="Main">
      <ul>
        {ROUTES.map((route) => {
          const showCount = route.id === 'conflicts' && conflicts > 0;
          return (
            <li key={route.id}>
              <a
                href={routeHref(route.id)}
                aria-current={route.id === current ? 'page' : undefined}
                title={
                  showCount
                    ? `${conflicts} unresolved conflict${conflicts === 1 ? '' : 's'}`
                    : undefined
                }
              >
                {route.label}
                {showCount ? (
                  <span className="badge" aria-hidden="true">
                    {conflicts}
                  </span>
                ) : null}
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
