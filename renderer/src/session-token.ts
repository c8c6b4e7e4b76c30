// Browser mode: the server prints `http://127.0.0.1:PORT/?token=…`. The token is taken
// from the address once, kept in sessionStorage so reloads of this tab keep working, and
// removed from the address bar so it is not bookmarked, shared or kept in history.

const STORAGE_KEY = 'replica-sync.token';

let memoryToken: string | null = null;

function readStored(): string | null {
  try {
    return window.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return memoryToken;
  }
}

function store(token: string): void {
  memoryToken = token;
  try {
    window.sessionStorage.setItem(STORAGE_KEY, token);
  } catch {
    // Storage disabled: the token lives in memory until the tab reloads.
  }
}

/** Reads the token from the address (storing it and stripping it) or from the session. */
export function takeSessionToken(): string | null {
  const url = new URL(window.location.href);
  const fromAddress = url.searchParams.get('token');
  if (fromAddress !== null) {
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
    if (fromAddress !== '') {
      store(fromAddress);
      return fromAddress;
    }
  }
  return readStored() ?? memoryToken;
}

/** `ws(s)://<host>/ws?token=<token>` for the page's own server. */
export function webSocketUrl(token: string | null): string {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  return `${scheme}//${window.location.host}/ws${query}`;
}
