// The baseline for bench/regions-throughput.ts: a bare node:http server that writes request
// bodies to disk (PUT) and streams files back (GET), with no auth, metadata or checksums.
//   PUT /NAME            body -> DATA/NAME (written to a temp file, then renamed)
//   PUT /NAME?offset=N   body -> DATA/NAME at byte N (parallel chunks of one big file)
//   GET /NAME            DATA/NAME, streamed with its Content-Length
// Run alone: `tsx bench/raw-http-server.ts --data DIR [--port N]`; prints `raw http://127.0.0.1:PORT`
// then `ready`, and stops on SIGTERM/SIGINT.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export interface RawServer {
  port: number;
  close(): Promise<void>;
}

function fileFor(dataDir: string, urlPath: string): string | undefined {
  const name = decodeURIComponent(urlPath.replace(/^\//, ''));
  if (name === '' || name.length > 200) return undefined;
  // One flat folder: '/' and anything unusual become '_'.
  return path.join(dataDir, name.replace(/[^A-Za-z0-9._-]/g, '_'));
}

async function handle(dataDir: string, req: http.IncomingMessage, res: http.ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://raw');
  const file = fileFor(dataDir, url.pathname);
  if (!file) {
    res.writeHead(400).end();
    req.resume();
    return;
  }
  if (req.method === 'PUT') {
    const offset = url.searchParams.get('offset');
    if (offset !== null) {
      const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
      await pipeline(req, fs.createWriteStream('', { fd, start: Number(offset) }));
    } else {
      const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      await pipeline(req, fs.createWriteStream(tmp, { mode: 0o600 }));
      await fs.promises.rename(tmp, file);
    }
    res.writeHead(200, { 'content-length': 0 }).end();
    return;
  }
  if (req.method === 'GET') {
    req.resume();
    let size: number;
    try {
      size = (await fs.promises.stat(file)).size;
    } catch {
      res.writeHead(404, { 'content-length': 0 }).end();
      return;
    }
    res.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream' });
    await pipeline(fs.createReadStream(file), res);
    return;
  }
  req.resume();
  res.writeHead(405, { 'content-length': 0 }).end();
}

export function startRawServer(dataDir: string, port = 0): Promise<RawServer> {
  fs.mkdirSync(dataDir, { recursive: true });
  const server = http.createServer((req, res) => {
    handle(dataDir, req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-length': 0 }).end();
      else res.destroy(err as Error);
    });
  });
  server.keepAliveTimeout = 30000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const addr = server.address();
      resolve({
        port: typeof addr === 'object' && addr ? addr.port : port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { data: { type: 'string' }, port: { type: 'string' } } });
  if (!values.data) throw new Error('usage: tsx bench/raw-http-server.ts --data DIR [--port N]');
  const server = await startRawServer(path.resolve(values.data), Number(values.port ?? 0));
  process.stdout.write(`raw http://127.0.0.1:${server.port}\nready\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`raw-http-server: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
