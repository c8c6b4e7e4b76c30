// Hash routes (`#/activity`), so deep links work from the HTTP server and from the
// Electron custom protocol without any server-side routing.

export const ROUTES = [
  { id: 'folders', label: 'Folders' },
  { id: 'files', label: 'Files' },
  { id: 'replication', label: 'Replication' },
  { id: 'conflicts', label: 'Conflicts' },
  { id: 'activity', label: 'Activity' },
  { id: 'settings', label: 'Settings' },
] as const;

export type RouteId = (typeof ROUTES)[number]['id'];

export const DEFAULT_ROUTE: RouteId = 'folders';

export function routeHref(id: RouteId): string {
  return `#/${id}`;
}

export function routeLabel(id: RouteId): string {
  return ROUTES.find((route) => route.id === id)?.label ?? id;
}

/** The Conflicts view with one conflict selected: `#/conflicts/<id>`. */
export function conflictHref(conflictId: string): string {
  return `${routeHref('conflicts')}/${encodeURIComponent(conflictId)}`;
}

function hashPath(hash: string): string[] {
  return hash.replace(/^#\/?/, '').replace(/\/+$/, '').split('/');
}

/**
 * `#/activity`, `#activity` and `#/activity/` all name the Activity view; only the
 * Conflicts view takes a detail (`#/conflicts/<id>`, the selected conflict).
 */
export function routeFromHash(hash: string): RouteId | null {
  const [first = '', ...rest] = hashPath(hash);
  const name = first.toLowerCase();
  if (name === '' && rest.length === 0) return DEFAULT_ROUTE;
  if (rest.length > 1 || (rest.length === 1 && name !== 'conflicts')) return null;
  return ROUTES.find((route) => route.id === name)?.id ?? null;
}

/** The conflict a `#/conflicts/<id>` address selects, else null. */
export function conflictIdFromHash(hash: string): string | null {
  const [first = '', detail, ...rest] = hashPath(hash);
  if (first.toLowerCase() !== 'conflicts' || !detail || rest.length > 0) return null;
  try {
    return decodeURIComponent(detail);
  } catch {
    return null;
  }
}
