// A recording HTTP proxy in front of any S3 endpoints (the local regions, moto_server, a Ceph
// RGW zone), for engine tests: the engine talks to the proxy's endpoints (SigV4 still
// verifies: the Host header is forwarded unchanged), and the test sees every S3 operation the
// engine sent, can hold requests back, delay or withhold answers (an answer withheld after S3
// committed the write is exactly what a crash between "upload done" and "index written" looks
// like to the client), or damage a request body in flight (rewriteBody, flipPayloadByte).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export type S3Op =
  | 'PutObject'
  | 'CopyObject'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'UploadPartCopy'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListParts'
  | 'DeleteObject'
  | 'HeadObject'
  | 'GetObject'
  | 'ListObjectVersions'
  | 'Other';

export interface ProxiedRequest {
  seq: number;
  region: string;
  method: string;
  op: S3Op;
  bucket: string;
  /** Decoded key ('' for bucket-level requests). */
  key: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** Status of the upstream answer, once known. */
  status?: number;
  /** The body was rewritten by `rewriteBody` before it went upstream. */
  tampered?: boolean;
  /** True once the answer (or its withholding) is final for the client. */
  finished: boolean;
  /** The client was sent the answer (false: it never heard it: dropped, or it went away). */
  delivered: boolean;
}

export type RequestMatch = (r: ProxiedRequest) => boolean;

export interface Hold {
  /** Resolves with the first matching request (request holds: when it arrives; response holds: when S3 has answered it). */
  readonly arrived: Promise<ProxiedRequest>;
  /** Request holds: let them through. Response holds: 'deliver' the answers or 'drop' the connections. */
  release(how?: 'deliver' | 'drop'): void;
}

export interface ProxyOptions {
  /** Milliseconds to wait before forwarding a request. */
  requestDelay?: (r: ProxiedRequest) => number;
  /** Milliseconds to keep S3's answer before passing it on. */
  responseDelay?: (r: ProxiedRequest) => number;
  /**
   * A rewrite of the request body (same length: headers are forwarded unchanged), or
   * undefined to stream it through. The whole body is buffered for a rewrite.
   */
  rewriteBody?: (r: ProxiedRequest) => ((body: Buffer) => Buffer) | undefined;
}

export interface S3Proxy {
  /** Same shape as the regions' list, with the proxy's endpoints. */
  regions: { name: string; endpoint: string }[];
  /** Every request seen, in arrival order. */
  readonly requests: ProxiedRequest[];
  /** Requests whose client has not had a final answer yet. */
  inFlight(): ProxiedRequest[];
  holdRequests(match: RequestMatch): Hold;
  holdResponses(match: RequestMatch): Hold;
  setOptions(o: ProxyOptions): void;
  close(): Promise<void>;
}

function classify(
  method: string,
  key: string,
  q: URLSearchParams,
  h: http.IncomingHttpHeaders,
): S3Op {
  const copy = h['x-amz-copy-source'] !== undefined;
  if (key === '') return method === 'GET' && q.has('versions') ? 'ListObjectVersions' : 'Other';
  switch (method) {
    case 'PUT':
      if (q.has('uploadId')) return copy ? 'UploadPartCopy' : 'UploadPart';
      if (q.has('tagging') || q.has('acl') || q.has('retention')) return 'Other';
      return copy ? 'CopyObject' : 'PutObject';
    case 'POST':
      if (q.has('uploads')) return 'CreateMultipartUpload';
      if (q.has('uploadId')) return 'CompleteMultipartUpload';
      return 'Other';
    case 'DELETE':
      return q.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
    case 'HEAD':
      return 'HeadObject';
    case 'GET':
      return q.has('uploadId') ? 'ListParts' : q.has('tagging') ? 'Other' : 'GetObject';
    default:
      return 'Other';
  }
}

/**
 * Flips one bit of the payload (not of the framing): in the middle of the first chunk's data
 * for an aws-chunked body (`SIZE[;ext]\r\nDATA\r\n...`), else in the middle of the body.
 */
export function flipPayloadByte(headers: http.IncomingHttpHeaders, body: Buffer): Buffer {
  const out = Buffer.from(body);
  let at = Math.floor(body.length / 2);
  const sha = String(headers['x-amz-content-sha256'] ?? '');
  const chunked =
    sha.startsWith('STREAMING-') ||
    String(headers['content-encoding'] ?? '').includes('aws-chunked');
  if (chunked) {
    const eol = body.indexOf('\r\n');
    const size = parseInt(body.subarray(0, eol).toString('latin1').split(';')[0] ?? '', 16);
    if (eol < 0 || !(size > 0)) throw new Error('aws-chunked body without a first data chunk');
    at = eol + 2 + Math.floor(size / 2);
  }
  if (body.length === 0) throw new Error('an empty body has no byte to flip');
  out[at] = (out[at] as number) ^ 0x01;
  return out;
}

interface HoldState {
  match: RequestMatch;
  phase: 'request' | 'response';
  released: 'deliver' | 'drop' | undefined;
  waiters: ((how: 'deliver' | 'drop') => void)[];
  resolveArrived: (r: ProxiedRequest) => void;
}

export async function startS3Proxy(
  upstream: { name: string; endpoint: string }[],
  initial: ProxyOptions = {},
): Promise<S3Proxy> {
  const requests: ProxiedRequest[] = [];
  const holds = new Set<HoldState>();
  let options = initial;
  let seq = 0;
  const servers: http.Server[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  const waitFor = (
    r: ProxiedRequest,
    phase: 'request' | 'response',
  ): Promise<'deliver' | 'drop'> => {
    for (const h of holds) {
      if (h.phase !== phase || h.released !== undefined || !h.match(r)) continue;
      return new Promise((resolve) => {
        h.waiters.push(resolve);
        if (phase === 'request') h.resolveArrived(r);
      });
    }
    return Promise.resolve('deliver');
  };

  const handle = async (
    region: string,
    target: URL,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const method = req.method ?? 'GET';
    const r: ProxiedRequest = {
      seq: ++seq,
      region,
      method,
      op: classify(method, key, url.searchParams, req.headers),
      bucket: decodeURIComponent(bucket),
      key,
      query: url.searchParams,
      headers: req.headers,
      finished: false,
      delivered: false,
    };
    requests.push(r);
    let clientGone = false;
    res.on('close', () => {
      clientGone = true;
      r.finished = true;
    });
    const before = options.requestDelay?.(r) ?? 0;
    if (before > 0) await sleep(before);
    if ((await waitFor(r, 'request')) === 'drop' || clientGone) {
      res.destroy();
      req.resume();
      return;
    }
    const up = http.request({
      host: target.hostname,
      port: target.port,
      method,
      path: req.url,
      headers: req.headers,
      agent,
    });
    up.on('error', () => res.destroy());
    req.on('aborted', () => up.destroy());
    const rewrite = options.rewriteBody?.(r);
    if (rewrite) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const out = rewrite(body);
        if (out.length !== body.length) {
          up.destroy(new Error('rewriteBody must keep the length'));
          return;
        }
        r.tampered = !out.equals(body);
        up.end(out);
      });
    } else req.pipe(up);
    up.on('response', (ur) => {
      r.status = ur.statusCode;
      const chunks: Buffer[] = [];
      ur.on('data', (c: Buffer) => chunks.push(c));
      ur.on('error', () => res.destroy());
      ur.on('end', () => {
        void (async () => {
          const held = [...holds].find(
            (h) => h.phase === 'response' && h.released === undefined && h.match(r),
          );
          let how: 'deliver' | 'drop' = 'deliver';
          if (held) {
            how = await new Promise((resolve) => {
              held.waiters.push(resolve);
              held.resolveArrived(r);
            });
          } else {
            const after = options.responseDelay?.(r) ?? 0;
            if (after > 0) await sleep(after);
          }
          if (how === 'drop' || clientGone) {
            r.finished = true;
            res.destroy();
            return;
          }
          const body = Buffer.concat(chunks);
          res.writeHead(ur.statusCode ?? 500, ur.headers);
          res.end(method === 'HEAD' ? undefined : body);
          r.delivered = true;
          r.finished = true;
        })();
      });
    });
  };

  const regions: { name: string; endpoint: string }[] = [];
  for (const u of upstream) {
    const target = new URL(u.endpoint);
    const server = http.createServer(
      { keepAliveTimeout: 30_000, requestTimeout: 0 },
      (req, res) => {
        void handle(u.name, target, req, res);
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    regions.push({
      name: u.name,
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    });
  }

  const addHold = (match: RequestMatch, phase: 'request' | 'response'): Hold => {
    let resolveArrived!: (r: ProxiedRequest) => void;
    const arrived = new Promise<ProxiedRequest>((resolve) => (resolveArrived = resolve));
    const state: HoldState = {
      match,
      phase,
      released: undefined,
      waiters: [],
      resolveArrived,
    };
    holds.add(state);
    return {
      arrived,
      release(how = 'deliver') {
        state.released = how;
        holds.delete(state);
        for (const w of state.waiters.splice(0)) w(how);
      },
    };
  };

  return {
    regions,
    requests,
    inFlight: () => requests.filter((r) => !r.finished),
    holdRequests: (match) => addHold(match, 'request'),
    holdResponses: (match) => addHold(match, 'response'),
    setOptions(o) {
      options = o;
    },
    async close() {
      for (const h of [...holds]) for (const w of h.waiters.splice(0)) w('drop');
      holds.clear();
      for (const s of servers) s.closeAllConnections();
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
      agent.destroy();
    },
  };
}
