import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { ServiceCapabilities } from '../../main/contract/capabilities.js';
import {
  CapabilityCache,
  DEFAULT_CAPABILITY_MAX_AGE_MS,
} from '../../main/core/capabilities/capability-cache.js';
import { tempDir } from '../helpers/temp-dir.js';

function caps(endpoint: string, bucket: string, probedAt = 1000): ServiceCapabilities {
  return {
    probedAt,
    endpoint,
    bucket,
    ifMatchAccepted: 'yes',
    ifMatchEnforced: 'yes',
    ifNoneMatchEnforced: 'no',
    completeIfNoneMatchEnforced: 'unknown',
    deleteIfMatchEnforced: 'no',
    checksums: { CRC64NVME: 'no', CRC32C: 'yes', CRC32: 'yes', SHA256: 'yes', SHA1: 'unknown' },
    contentMd5Enforced: 'yes',
    replicationApi: {
      state: 'drops-fields',
      dropped: ['Filter'],
      detail: 'read back without Filter',
    },
    summary: ['one', 'two'],
  };
}

test('results persist per endpoint and bucket, in a 0600 file, and can be forgotten', (t) => {
  const { dir, cleanup } = tempDir('rs-capcache-');
  t.after(cleanup);
  const file = path.join(dir, 'sub', 'capabilities.json');
  const a = new CapabilityCache(file);
  assert.equal(a.get('http://x', 'b'), undefined);
  a.set(caps('http://x', 'b'));
  a.set(caps('http://x', 'c', 2000));
  a.set(caps('http://y', 'b', 3000));
  assert.equal((fs.statSync(file).mode & 0o777).toString(8), '600');
  // No temp file is left next to it.
  assert.deepEqual(fs.readdirSync(path.dirname(file)), ['capabilities.json']);

  const b = new CapabilityCache(file);
  assert.deepEqual(b.get('http://x', 'b'), caps('http://x', 'b'));
  assert.equal(b.get('http://x', 'c')?.probedAt, 2000);
  assert.equal(b.get('http://y', 'b')?.probedAt, 3000);
  assert.equal(b.get('http://y', 'c'), undefined);
  // A newer probe replaces the old one.
  b.set(caps('http://x', 'b', 5000));
  b.forget('http://y', 'b');
  const c = new CapabilityCache(file);
  assert.equal(c.get('http://x', 'b')?.probedAt, 5000);
  assert.equal(c.get('http://y', 'b'), undefined);
  assert.equal(c.get('http://x', 'c')?.probedAt, 2000);
  assert.equal((fs.statSync(file).mode & 0o777).toString(8), '600');
});

test('a corrupt file is an empty cache, logged, and the next write replaces it', (t) => {
  const { dir, cleanup } = tempDir('rs-capcache-');
  t.after(cleanup);
  const file = path.join(dir, 'capabilities.json');
  fs.writeFileSync(file, '{"version":1,"entries":[{"endpoint":"http://x"');
  const lines: string[] = [];
  const a = new CapabilityCache(file, (l) => lines.push(l));
  assert.equal(a.get('http://x', 'b'), undefined);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /corrupt/);
  a.set(caps('http://x', 'b'));
  assert.equal(new CapabilityCache(file).get('http://x', 'b')?.probedAt, 1000);

  // Valid JSON of the wrong shape: also empty; a bad entry among good ones is dropped.
  fs.writeFileSync(file, JSON.stringify({ version: 1, entries: 'nope' }));
  assert.equal(new CapabilityCache(file, (l) => lines.push(l)).get('http://x', 'b'), undefined);
  assert.match(lines.at(-1)!, /corrupt/);
  fs.writeFileSync(
    file,
    JSON.stringify({ version: 1, entries: [{ endpoint: 'http://x' }, caps('http://x', 'b')] }),
  );
  const d = new CapabilityCache(file, (l) => lines.push(l));
  assert.equal(d.get('http://x', 'b')?.probedAt, 1000);
  assert.match(lines.at(-1)!, /dropped an entry/);
});

test('isFresh: younger than the max age (7 days by default), never from the future', (t) => {
  const { dir, cleanup } = tempDir('rs-capcache-');
  t.after(cleanup);
  const cache = new CapabilityCache(path.join(dir, 'c.json'));
  const c = caps('http://x', 'b', 1_000_000);
  assert.equal(DEFAULT_CAPABILITY_MAX_AGE_MS, 7 * 24 * 3600 * 1000);
  assert.equal(cache.isFresh(c, 1_000_000), true);
  assert.equal(cache.isFresh(c, 1_000_000 + DEFAULT_CAPABILITY_MAX_AGE_MS - 1), true);
  assert.equal(cache.isFresh(c, 1_000_000 + DEFAULT_CAPABILITY_MAX_AGE_MS), false);
  assert.equal(cache.isFresh(c, 1_000_000 + 5000, 1000), false);
  assert.equal(cache.isFresh(c, 1_000_000 + 500, 1000), true);
  assert.equal(cache.isFresh(c, 999_999), false);
});
