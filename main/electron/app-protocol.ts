import fs from 'node:fs/promises';
import path from 'node:path';
import type { ElectronDeps } from './electron-deps.js';
import { APP_HOST, APP_SCHEME, DESKTOP_CSP } from './security.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** Must run before app 'ready': app:// behaves like a secure standard origin. */
export function registerAppScheme(protocol: ElectronDeps['protocol']): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
    },
  ]);
}

/** Resolves an app:// URL to a file inside root, or undefined when it would leave root. */
export function resolveAppUrl(root: string, url: string): string | undefined {
  const u = new URL(url);
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return undefined;
  const rel = decodeURIComponent(u.pathname === '/' ? '/index.html' : u.pathname);
  const file = path.resolve(root, `.${rel}`);
  return file.startsWith(root + path.sep) ? file : undefined;
}

/** Serves the built renderer from app://replica-sync/ with the CSP on every response. */
export function serveRenderer(protocol: ElectronDeps['protocol'], root: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppUrl(root, request.url);
    if (!file) return new Response('Not found', { status: 404 });
    try {
      const body = await fs.readFile(file);
      return new Response(body, {
        headers: {
          'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
          'content-security-policy': DESKTOP_CSP,
          'x-content-type-options': 'nosniff',
        },
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}
