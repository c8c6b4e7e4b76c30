import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import type { Dispatcher } from '../core/app/dispatcher.js';
import type { EventHub } from '../core/emitter.js';
import { AccessGuard } from './access.js';
import { DROP_PATH_PREFIX, handleDrop } from './drop-endpoint.js';
import { serveStatic } from './static-files.js';
import { WsHost } from './ws-host.js';

export interface BrowserServerOptions {
  dispatcher: Dispatcher;
  events: EventHub;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  port: number;
  token?: string;
  log?: (line: string) => void;
  /**
   * The local path of a watched folder by its id, for files dropped on the page
   * (`PUT /drop/<folderId>?name=…`); undefined for an unknown folder. Without it every
   * drop gets 404.
   */
  dropTarget?: (folderId: string) => string | undefined;
}

export interface BrowserServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Browser mode's HTTP + WebSocket server, on 127.0.0.1 only. */
export async function startBrowserServer(opts: BrowserServerOptions): Promise<BrowserServer> {
  const log = opts.log ?? (() => {});
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const server = http.createServer();
  const guard = new AccessGuard(token, () => (server.address() as AddressInfo).port);
  const ws = new WsHost(opts.dispatcher, opts.events, log);

  // No request, however malformed, may end the process: parse errors of the HTTP layer
  // are answered 400 here, socket errors are logged, and a handler that throws answers 500.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    log(`HTTP client error: ${err.message} (${err.code ?? 'no code'})`);
    if (socket.writable && !socket.writableEnded)
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  server.on('connection', (socket) =>
    socket.on('error', (err) => log(`HTTP socket: ${err.message}`)),
  );
  server.on('request', (req, res) => {
    req.on('error', (err) => log(`HTTP request ${req.method} ${req.url}: ${err.message}`));
    res.on('error', (err) => log(`HTTP response to ${req.method} ${req.url}: ${err.message}`));
    try {
      onRequest(req, res);
    } catch (err) {
      log(`HTTP request ${req.method} failed: ${(err as Error).stack ?? String(err)}`);
      if (!res.headersSent) refuse(res, 500, 'Internal error');
      else res.destroy();
    }
  });

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = requestUrl(req);
    if (!url) return refuse(res, 400, 'Bad request: the path is not a URL path');
    const foreign = guard.foreignReason(req);
    if (foreign) return refuse(res, 403, `Forbidden: ${foreign}`);
    const drop = url.pathname.startsWith(DROP_PATH_PREFIX);
    if (!drop && req.method !== 'GET' && req.method !== 'HEAD')
      return refuse(res, 405, 'Method not allowed');
    if (!guard.hasToken(req, url))
      return refuse(res, 401, 'Unauthorized: open the URL with ?token=… that Replica Sync printed');
    if (drop) {
      void handleDrop(req, res, url, {
        target: (folderId) => opts.dropTarget?.(folderId),
        log,
      }).catch((err: Error) => {
        log(`drop failed: ${err.message}`);
        if (!res.headersSent) refuse(res, 500, 'Internal error');
      });
      return;
    }
    if (url.searchParams.has('token')) res.setHeader('set-cookie', guard.cookieHeader());
    if (url.pathname === '/ws') return refuse(res, 426, 'Upgrade required');
    if (!serveStatic(opts.staticDir, url.pathname, res)) refuse(res, 404, 'Not found');
  };

  server.on('upgrade', (req, socket, head) => {
    // The HTTP server stops watching an upgraded socket: without this, a reset kills the app.
    socket.on('error', (err) => log(`WebSocket socket: ${err.message}`));
    try {
      onUpgrade(req, socket, head);
    } catch (err) {
      log(`WebSocket upgrade failed: ${(err as Error).stack ?? String(err)}`);
      socket.destroy();
    }
  });

  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = requestUrl(req);
    const foreign = url ? guard.foreignReason(req) : undefined;
    const status = !url
      ? 400
      : foreign
        ? 403
        : !guard.hasToken(req, url)
          ? 401
          : url.pathname !== '/ws'
            ? 404
            : 0;
    if (status) {
      const why = { 400: 'not a URL path', 401: 'no token', 404: 'wrong path' }[status as 400];
      log(`refused a WebSocket: ${foreign ?? why}`);
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\n\r\n`);
      return;
    }
    ws.accept(req, socket, head);
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        ws.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The request's URL, or undefined when its target is not a path (`//`, `http://x`…). */
function requestUrl(req: http.IncomingMessage): URL | undefined {
  const target = req.url ?? '/';
  if (!target.startsWith('/') || target.startsWith('//')) return undefined;
  try {
    return new URL(target, 'http://127.0.0.1');
  } catch {
    return undefined;
  }
}

function refuse(res: http.ServerResponse, status: number, message: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(`${message}\n`);
}
