// --regions-file: the argument, the regions.json checks (every error names the file and the
// fix), and the handle built from it (admin client with a cached fault state).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { parseInstanceArgs } from '../../main/core/app/instance-args.js';
import {
  parseRegionsFile,
  readRegionsFile,
  regionsFromFile,
} from '../../main/core/app/regions-file.js';
import { tempDir } from '../helpers/temp-dir.js';

const FILE = '/data/regions/regions.json';
const good = {
  accessKeyId: 'AKIAEXAMPLE',
  secretAccessKey: 'secret-secret-secret',
  regions: [
    { name: 'us-east-1', endpoint: 'http://127.0.0.1:40001' },
    { name: 'eu-west-1', endpoint: 'http://127.0.0.1:40002' },
  ],
  adminEndpoint: 'http://127.0.0.1:40003',
  adminToken: 'tok',
};

function errorOf(value: unknown): string {
  try {
    parseRegionsFile(typeof value === 'string' ? value : JSON.stringify(value), FILE);
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail('expected an error');
}

test('--regions-file is resolved; absent by default', () => {
  assert.equal(parseInstanceArgs([]).regionsFile, undefined);
  assert.equal(
    parseInstanceArgs(['--regions-file', 'rel/regions.json']).regionsFile,
    path.resolve('rel/regions.json'),
  );
});

test('a good regions.json parses, with or without admin data', () => {
  assert.deepEqual(parseRegionsFile(JSON.stringify(good), FILE), good);
  const { adminEndpoint: _e, adminToken: _t, ...noAdmin } = good;
  assert.deepEqual(parseRegionsFile(JSON.stringify(noAdmin), FILE), noAdmin);
});

test('a bad regions.json is refused with the file and the fix in the message', () => {
  const cases: [unknown, RegExp][] = [
    ['{not json', /is not valid JSON/],
    [[], /does not hold a JSON object/],
    [{ ...good, accessKeyId: '' }, /"accessKeyId"/],
    [{ ...good, secretAccessKey: 3 }, /"secretAccessKey"/],
    [{ ...good, regions: [] }, /"regions"/],
    [
      { ...good, regions: [{ name: 'US East', endpoint: 'http://x' }] },
      /valid "name" at regions\[0\]/,
    ],
    [{ ...good, regions: [{ name: 'us-east-1', endpoint: 'ftp://x' }] }, /endpoint.*regions\[0\]/],
    [{ ...good, regions: [good.regions[0], good.regions[0]] }, /twice/],
    [{ ...good, adminToken: undefined }, /only one of "adminEndpoint" and "adminToken"/],
    [{ ...good, adminEndpoint: 'nope' }, /"adminEndpoint" that is not/],
  ];
  for (const [value, expected] of cases) {
    const message = errorOf(value);
    assert.match(message, expected);
    assert.ok(message.includes(FILE), `names the file: ${message}`);
    assert.match(message, /leave --regions-file out/);
    assert.doesNotMatch(message, /secret-secret-secret/);
  }
});

test('a missing file says so', () => {
  assert.throws(
    () => readRegionsFile('/nonexistent/regions.json'),
    /The regions file \/nonexistent\/regions\.json cannot be read \(it does not exist\); pass the regions\.json/,
  );
});

test('the handle: credentials and endpoints, faults through the admin endpoint, close does nothing', async () => {
  const t = tempDir('rs-regions-file-');
  const faults: Record<string, Record<string, unknown>> = {
    'us-east-1': { down: false, replicationDelayMs: 0 },
    'eu-west-1': { down: true, replicationDelayMs: 0 },
  };
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization}`);
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (req.headers.authorization !== 'Bearer tok') {
        res.writeHead(401).end('{}');
        return;
      }
      const m = /^\/faults\/(.+)$/.exec(req.url ?? '');
      if (req.method === 'GET' && req.url === '/faults') {
        res.end(JSON.stringify(faults));
      } else if (req.method === 'PUT' && m?.[1] && faults[m[1]]) {
        faults[m[1]] = { ...faults[m[1]], ...(JSON.parse(body) as object) };
        res.end(JSON.stringify(faults[m[1]]));
      } else res.writeHead(404).end('{"error":"no such region"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as AddressInfo).port;
    const file = path.join(t.dir, 'regions.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ ...good, adminEndpoint: `http://127.0.0.1:${port}`, adminToken: 'tok' }),
    );
    const logs: string[] = [];
    const h = await regionsFromFile(file, (l) => logs.push(l));
    assert.equal(h.accessKeyId, good.accessKeyId);
    assert.equal(h.secretAccessKey, good.secretAccessKey);
    assert.deepEqual(h.regions, good.regions);
    assert.deepEqual(h.getFaults?.('eu-west-1'), { down: true });
    assert.deepEqual(h.getFaults?.('us-east-1'), { down: false });

    const sent = h.setFaults?.('us-east-1', { down: true });
    // Known at once (callers may not await), then confirmed by the server.
    assert.deepEqual(h.getFaults?.('us-east-1'), { down: true });
    assert.deepEqual(await sent, { down: true, replicationDelayMs: 0 });
    assert.equal(faults['us-east-1']?.down, true);
    assert.ok(seen.includes('PUT /faults/us-east-1 Bearer tok'));

    // An unknown region: the cache goes back, the failure is logged, nothing is unhandled.
    await assert.rejects(
      Promise.resolve(h.setFaults?.('ap-south-1', { down: true })),
      /answered PUT \/faults\/ap-south-1 with 404/,
    );
    assert.deepEqual(h.getFaults?.('ap-south-1'), { down: false });
    assert.ok(logs.some((l) => /Setting the faults of ap-south-1 failed/.test(l)));

    await h.close();
    assert.equal(faults['us-east-1']?.down, true, 'close leaves the regions as they are');

    // Without admin data: no fault switches.
    const { adminEndpoint: _e, adminToken: _t, ...noAdmin } = good;
    fs.writeFileSync(file, JSON.stringify(noAdmin));
    const plain = await regionsFromFile(file);
    assert.equal(plain.setFaults, undefined);
    assert.equal(plain.getFaults, undefined);
  } finally {
    server.close();
    t.cleanup();
  }
});
