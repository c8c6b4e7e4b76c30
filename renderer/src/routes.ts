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

/** `#/activity`, `#activity` and `#/activity/` all name the Activity view. */
export function routeFromHash(hash: string): RouteId | null {
  const name = hash.replace(/^#\/?/, '').replace(/\/+$/, '').toLowerCase();
  if (name === '') return DEFAULT_ROUTE;
  return ROUTES.find((route) => route.id === name)?.id ?? null;
}
