// The probe when some requests cannot tell it anything: a forwarding HTTP proxy in front of
// the local regions answers chosen requests itself (403 AccessDenied, 501 NotImplemented).
// Those findings must be 'unknown' (or 'unsupported') with a reason the user can read, the
// other measurements must still be made, and the clean-up must still hold.
import { S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { CHECKSUM_PREFERENCE } from '../../main/contract/capabilities.js';
import { probeCapabilities } from '../../main/core/capabilities/probe.js';
import { assertProbeLeftNothing } from '../helpers/capabilities-check.js';
import { createBucket, useTestRegions } from '../helpers/regions.js';

const US = 'us-east-1';

interface Answer {
  status: number;
  code: string;
}

/** Forwards to `upstream` unless `answer` returns an error to send instead. */
async function startFaultProxy(
  upstream: string,
  answer: (req: http.IncomingMessage) => Answer | undefined,
): Promise<{ endpoint: string; answered: string[]; close(): Promise<void> }> {
  const target = new URL(upstream);
  const answered: string[] = [];
  const server = http.createServer((req, res) => {
    const a = answer(req);
    if (a) {
      answered.push(`${req.method} ${req.url} ${a.status}`);
      req.resume();
      req.on('end', () => {
        res.writeHead(a.status, { 'content-type': 'application/xml' });
        res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${a.code}</Code></Error>`);
      });
      return;
    }
    // The Host header goes through unchanged: the signature covers it.
    const up = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    answered,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let bucket: string;
const t = useTestRegions(async () => {
  bucket = await createBucket(t, US, { versioning: 'Enabled', prefix: 'probefault' });
});
const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of closers) await c();
});

test('a refused permission is unknown with a reason; the rest is still measured', async () => {
  const proxy = await startFaultProxy(t.endpoint(US), (req) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (
      req.method === 'PUT' &&
      req.headers['if-none-match'] === '*' &&
      !url.searchParams.has('uploadId')
    )
      return { status: 403, code: 'AccessDenied' };
    if (req.method === 'PUT' && req.headers['x-amz-checksum-sha1'] !== undefined)
      return { status: 403, code: 'AccessDenied' };
    if (req.method === 'PUT' && url.searchParams.has('replication'))
      return { status: 501, code: 'NotImplemented' };
    return undefined;
  });
  closers.push(() => proxy.close());
  const client = new S3Client({
    endpoint: proxy.endpoint,
    region: US,
    credentials: { accessKeyId: t.handle.accessKeyId, secretAccessKey: t.handle.secretAccessKey },
  });
  closers.push(async () => client.destroy());
  const c = await probeCapabilities({
    client,
    endpoint: t.endpoint(US),
    bucket,
    prefix: 'p/',
    device: 'dev',
    region: US,
  });
  assert.ok(proxy.answered.length >= 3, proxy.answered.join('\n'));
  assert.equal(c.ifNoneMatchEnforced, 'unknown');
  assert.equal(c.checksums.SHA1, 'unknown');
  assert.equal(c.replicationApi.state, 'unsupported');
  assert.match(c.replicationApi.detail, /501 NotImplemented/);
  // Everything else was measured as if nothing had happened.
  assert.equal(c.ifMatchAccepted, 'yes');
  assert.equal(c.ifMatchEnforced, 'yes');
  assert.equal(c.completeIfNoneMatchEnforced, 'yes');
  assert.equal(c.deleteIfMatchEnforced, 'yes');
  for (const alg of CHECKSUM_PREFERENCE.filter((a) => a !== 'SHA1'))
    assert.equal(c.checksums[alg], 'yes', alg);
  assert.equal(c.contentMd5Enforced, 'yes');
  // Not proven is never shown as honoured, and the user is told why.
  assert.match(c.summary[0]!, /^Conditional writes: could not be measured/);
  assert.ok(
    c.summary.includes(
      'If-None-Match on an existing key: could not be measured (403 AccessDenied).',
    ),
    c.summary.join('\n'),
  );
  assert.ok(
    c.summary.includes('Checksums that could not be measured: SHA1.'),
    c.summary.join('\n'),
  );
  await assertProbeLeftNothing(t.client(US), bucket, 'p/');
});

test('no answer at all: every finding is unknown and the probe still returns', async () => {
  // A port that was listening and is closed now: connections are refused.
  const gone = await startFaultProxy(t.endpoint(US), () => undefined);
  await gone.close();
  const client = new S3Client({
    endpoint: gone.endpoint,
    region: US,
    maxAttempts: 1,
    credentials: { accessKeyId: t.handle.accessKeyId, secretAccessKey: t.handle.secretAccessKey },
  });
  closers.push(async () => client.destroy());
  const lines: string[] = [];
  const c = await probeCapabilities({
    client,
    endpoint: gone.endpoint,
    bucket,
    prefix: '',
    device: 'dev',
    region: US,
    log: (l) => lines.push(l),
  });
  for (const k of [
    'ifMatchAccepted',
    'ifMatchEnforced',
    'ifNoneMatchEnforced',
    'completeIfNoneMatchEnforced',
    'deleteIfMatchEnforced',
    'contentMd5Enforced',
  ] as const)
    assert.equal(c[k], 'unknown', k);
  for (const alg of CHECKSUM_PREFERENCE) assert.equal(c.checksums[alg], 'unknown', alg);
  assert.equal(c.replicationApi.state, 'not-probed');
  assert.match(c.replicationApi.detail, /could not create a scratch bucket/);
  assert.ok(
    lines.some((l) => l.includes('clean-up')),
    'the failed clean-up is logged',
  );
});
