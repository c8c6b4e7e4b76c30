/** Origin of the renderer in desktop mode: a custom protocol, never file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'replica-sync';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export const DESKTOP_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Only our own pages may talk to main. */
export function isTrustedUrl(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}
