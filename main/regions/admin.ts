// The admin endpoint: a small JSON API on 127.0.0.1, guarded by a bearer token, to read and
// set fault switches and to see the replication queue.
//
//   GET  /health                 -> { ok: true, regions: [{ name, endpoint }] }
//   GET  /faults                 -> { "<region>": FaultSettings, ... }
//   GET  /faults/<region>        -> FaultSettings
//   PUT  /faults/<region>        body: Partial<FaultSettings> -> FaultSettings (POST/PATCH too)
//   GET  /replication            -> { pending, failed }
//   GET  /replication-metrics    -> { rules: RuleMetrics[] } (rules with Metrics Enabled)
// Every request needs `Authorization: Bearer <adminToken>` (401 otherwise).
import { timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Runtime } from './context.js';
import { parseFaults } from './faults.js';

export interface AdminServer {
  port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': text.length });
  res.end(text);
}

function authorized(req: IncomingMessage, token: string): boolean {
  const got = Buffer.from(req.headers.authorization ?? '');
  const want = Buffer.from(`Bearer ${token}`);
  return got.length === want.length && timingSafeEqual(got, want);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('body too large');
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
}

async function handle(
  rt: Runtime,
  token: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (!authorized(req, token)) {
    send(res, 401, { error: 'missing or wrong admin token (Authorization: Bearer <adminToken>)' });
    req.resume();
    return;
  }
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const method = req.method ?? 'GET';
  if (path === '/health' && method === 'GET') {
    send(res, 200, {
      ok: true,
      regions: [...rt.regions.values()].map((r) => ({ name: r.name, endpoint: r.endpoint })),
    });
    return;
  }
  if (path === '/faults' && method === 'GET') {
    send(res, 200, rt.faults.all());
    return;
  }
  if (path === '/replication' && method === 'GET') {
    send(res, 200, rt.replication.stats());
    return;
  }
  if (path === '/replication-metrics' && method === 'GET') {
    send(res, 200, { rules: rt.replication.metrics() });
    return;
  }
  const m = /^\/faults\/([^/]+)$/.exec(path);
  if (m) {
    const region = decodeURIComponent(m[1] ?? '');
    if (!rt.faults.has(region)) {
      send(res, 404, { error: `unknown region '${region}'` });
      req.resume();
      return;
    }
    if (method === 'GET') {
      send(res, 200, rt.faults.get(region));
      return;
    }
    if (method === 'PUT' || method === 'POST' || method === 'PATCH') {
      let partial;
      try {
        partial = parseFaults(await readJson(req));
      } catch (err) {
        send(res, 400, { error: err instanceof Error ? err.message : String(err) });
        return;
      }
      const next = rt.faults.set(region, partial);
      rt.log(`faults ${region}: ${JSON.stringify(next)}`);
      send(res, 200, next);
      return;
    }
  }
  send(res, 404, { error: `no route ${method} ${path}` });
  req.resume();
}

export async function startAdminServer(
  rt: Runtime,
  token: string,
  port: number,
): Promise<AdminServer> {
  const server = http.createServer((req, res) => {
    handle(rt, token, req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { error: String(err) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
