import { useSyncExternalStore } from 'react';
import { routeFromHash, type RouteId } from '../routes.js';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

function snapshot(): string {
  return window.location.hash;
}

/** The view named by the address's hash; null when the hash names no view. */
export function useHashRoute(): RouteId | null {
  return routeFromHash(useSyncExternalStore(subscribe, snapshot));
}
