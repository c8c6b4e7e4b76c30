import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'rs_token';

/**
 * Who may talk to browser mode: only a page holding this run's token, loaded from this
 * server's own origin. The Host check stops DNS-rebinding pages that borrow our port.
 */
export class AccessGuard {
  constructor(
    private readonly token: string,
    private readonly port: () => number,
  ) {}

  allowedOrigins(): string[] {
    const p = this.port();
    return [`http://127.0.0.1:${p}`, `http://localhost:${p}`];
  }

  /** 403 reasons: a foreign Host or Origin. */
  foreignReason(req: IncomingMessage): string | undefined {
    const p = this.port();
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${p}` && host !== `localhost:${p}`) return `foreign Host "${host}"`;
    const origin = req.headers.origin;
    if (origin !== undefined && !this.allowedOrigins().includes(origin))
      return `foreign Origin "${origin}"`;
    return undefined;
  }

  /** The token from the query string or from the cookie set when the page was loaded. */
  hasToken(req: IncomingMessage, url: URL): boolean {
    const fromQuery = url.searchParams.get('token');
    if (fromQuery !== null && this.matches(fromQuery)) return true;
    const cookie = parseCookies(req.headers.cookie)[TOKEN_COOKIE];
    return cookie !== undefined && this.matches(cookie);
  }

  cookieHeader(): string {
    return `${TOKEN_COOKIE}=${this.token}; HttpOnly; SameSite=Strict; Path=/`;
  }

  private matches(candidate: string): boolean {
    const a = Buffer.from(candidate);
    const b = Buffer.from(this.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}
