// A counting HTTP proxy for bench/sync-engine.ts: every request the app sends to the local
// regions goes through it (the Host header is forwarded unchanged, so SigV4 still verifies),
// and it counts them by operation, as the server sees them.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingProxy {
  endpoint: string;
  /** Requests since the last reset, in all and by operation (`GET ?versions`, `HEAD object`…). */
  total(): number;
  byOp(): Record<string, number>;
  reset(): void;
  close(): Promise<void>;
}

/** `GET ?versions`, `PUT object`, `HEAD bucket`…: the method, what it targets and its sub-resources. */
function opOf(method: string, url: string): string {
  const u = new URL(url, 'http://proxy');
  const parts = u.pathname.split('/').filter(Boolean);
  const target = parts.length > 1 ? 'object' : parts.length === 1 ? 'bucket' : 'service';
  const subs = [...u.searchParams.keys()]
    .filter(
      (k) =>
        !/^(x-id|prefix|delimiter|key-marker|version-id-marker|max-keys|continuation-token|start-after|encoding-type|uploadId|partNumber|versionId)$/i.test(
          k,
        ),
    )
    .sort();
  return `${method} ${subs.length > 0 ? `?${subs.join('&')}` : target}`;
}

export function startCountingProxy(upstream: string): Promise<CountingProxy> {
  const up = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let total = 0;
  let ops: Record<string, number> = {};
  const server = http.createServer((req, res) => {
    total++;
    const op = opOf(req.method ?? 'GET', req.url ?? '/');
    ops[op] = (ops[op] ?? 0) + 1;
    const out = http.request(
      {
        agent,
        host: up.hostname,
        port: up.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-length': 0 }).end();
      else res.destroy();
    });
    req.pipe(out);
  });
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        endpoint: `http://127.0.0.1:${port}`,
        total: () => total,
        byOp: () => ({ ...ops }),
        reset: () => {
          total = 0;
          ops = {};
        },
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
            agent.destroy();
          }),
      });
    });
  });
}
