import { useEffect } from 'react';
import { api } from '../api-instance.js';
import { conflictHref, routeHref } from '../routes.js';

/**
 * Follows 'app.navigate' (the tray's "Compare…" and "Resolve all…", a notice's click): the
 * page moves to the view, with the conflict selected.
 */
export function useAppNavigate(): void {
  useEffect(
    () =>
      api.on('app.navigate', (target) => {
        window.location.hash = target.conflictId
          ? conflictHref(target.conflictId)
          : routeHref(target.view);
      }),
    [],
  );
}
