// One HTTP server per local region on 127.0.0.1: fault switches, SigV4 authentication,
// bucket-region checks, routing to the handlers, and every error as S3's XML.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { regionMismatchError, verifySigV4 } from './auth/sigv4.js';
import type { Ctx, Runtime } from './context.js';
import { errorXml, S3Error } from './errors.js';
import { internalError } from './error-catalog.js';
import { HANDLERS } from './handlers/index.js';
import { newHostId, newRequestId } from './ids.js';
import { resolveTarget, route } from './router.js';

export interface RegionServer {
  name: string;
  port: number;
  close(): Promise<void>;
}

const HOST_ID = newHostId();

function injectedFault(rt: Runtime, region: string): S3Error | undefined {
  const f = rt.faults.get(region);
  if (f.down) return new S3Error('ServiceUnavailable', 503, 'Service is unable to handle request.');
  if (f.errorRate > 0 && Math.random() < f.errorRate) {
    return f.errorCode === 'SlowDown'
      ? new S3Error('SlowDown', 503, 'Please reduce your request rate.')
      : new S3Error('InternalError', 500, 'We encountered an internal error. Please try again.');
  }
  return undefined;
}

function permanentRedirect(rt: Runtime, bucket: string, region: string): S3Error {
  const endpoint = rt.regions.get(region)?.endpoint.replace(/^https?:\/\//, '') ?? region;
  return new S3Error(
    'PermanentRedirect',
    301,
    'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
    { Bucket: bucket, Endpoint: endpoint },
  );
}

async function handle(
  rt: Runtime,
  region: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const requestId = newRequestId();
  const method = (req.method ?? 'GET').toUpperCase();
  res.setHeader('x-amz-request-id', requestId);
  res.setHeader('x-amz-id-2', HOST_ID);
  res.setHeader('Server', 'AmazonS3');
  const url = req.url ?? '/';
  const qi = url.indexOf('?');
  const rawPath = qi < 0 ? url : url.slice(0, qi);
  const rawQuery = qi < 0 ? '' : url.slice(qi + 1);
  let resource = rawPath;
  try {
    const latency = rt.faults.get(region).latencyMs;
    if (latency > 0) await sleep(latency);
    const fault = injectedFault(rt, region);
    if (fault) throw fault;
    const target = resolveTarget(rawPath, req.headers.host);
    if (target.bucket !== undefined)
      resource = `/${target.bucket}${target.key !== undefined ? `/${target.key}` : ''}`;
    const auth = verifySigV4({ method, rawPath, rawQuery, headers: req.headers }, (id) =>
      id === rt.credentials.accessKeyId ? rt.credentials.secretAccessKey : undefined,
    );
    const query = new URLSearchParams(rawQuery);
    const op = route(method, target, query, req.headers['x-amz-copy-source'] !== undefined);
    if (target.bucket !== undefined && op !== 'CreateBucket' && op !== 'GetBucketLocation') {
      // A bucket lives in one region: S3 answers 301 PermanentRedirect at another region's
      // endpoint (GetBucketLocation answers anywhere: it is how clients find the region).
      const home = rt.buckets.get(target.bucket)?.region;
      if (home !== undefined && home !== region) {
        res.setHeader('x-amz-bucket-region', home);
        throw permanentRedirect(rt, target.bucket, home);
      }
    }
    if (auth.region !== region) throw regionMismatchError(auth, region);
    const ctx: Ctx = {
      rt,
      region,
      req,
      res,
      requestId,
      method,
      bucket: target.bucket,
      key: target.key,
      query,
      auth,
    };
    await HANDLERS[op](ctx);
  } catch (err) {
    sendError(rt, req, res, method, err, resource, requestId);
  }
}

function sendError(
  rt: Runtime,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  err: unknown,
  resource: string,
  requestId: string,
): void {
  if (res.headersSent) {
    // The response was already streaming (a client that went away mid-download, most often).
    res.destroy();
    return;
  }
  let e: S3Error;
  if (err instanceof S3Error) {
    e = err;
  } else {
    rt.log(
      `internal error on ${method} ${resource}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
    e = internalError();
  }
  const body = Buffer.from(errorXml(e, resource, requestId), 'utf8');
  res.writeHead(e.status, {
    'Content-Type': 'application/xml',
    'Content-Length': method === 'HEAD' ? 0 : body.length,
  });
  res.end(method === 'HEAD' ? undefined : body);
  if (!req.complete) req.resume();
}

export async function startRegionServer(
  rt: Runtime,
  region: string,
  port: number,
): Promise<RegionServer> {
  // No overall request timeout: large uploads over a throttled link may take long (loopback only).
  const server = http.createServer({ keepAliveTimeout: 30_000, requestTimeout: 0 }, (req, res) => {
    void handle(rt, region, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    name: region,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
