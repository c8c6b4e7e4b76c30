import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildLineage,
  isMerge,
  parseLineage,
  type Lineage,
} from '../../main/core/transfer/lineage.js';

const SHA = 'ab'.repeat(32);
const V1 = '01a20f1072c800005d42738c3dbcd9b5';
const V2 = '01a20f10737d0000fc69e676c28d1e09';

test('a new file has base none; build and parse round-trip', () => {
  const l: Lineage = { device: 'laptop-1234', bases: [], sha256: SHA };
  const meta = buildLineage(l);
  assert.deepEqual(meta, { 'rs-device': 'laptop-1234', 'rs-base': 'none', 'rs-sha256': SHA });
  assert.deepEqual(parseLineage(meta), l);
  assert.equal(isMerge(l), false);
});

test('an edit names its base; a merge names every head, comma-separated', () => {
  const edit = buildLineage({ device: 'laptop-1234', bases: [V1], sha256: SHA });
  assert.equal(edit['rs-base'], V1);
  const merge = buildLineage({ device: 'laptop-1234', bases: [V1, V2, V1], sha256: SHA });
  assert.equal(merge['rs-base'], `${V1},${V2}`);
  const parsed = parseLineage(merge);
  assert.deepEqual(parsed?.bases, [V1, V2]);
  assert.equal(parsed && isMerge(parsed), true);
  assert.deepEqual(parseLineage({ ...merge, 'rs-base': `${V1}, ${V2}` })?.bases, [V1, V2]);
  // `null` is the version id of objects written before versioning was enabled.
  assert.deepEqual(parseLineage({ ...merge, 'rs-base': 'null' })?.bases, ['null']);
});

test('upper-case hex and x-amz-meta- header names are accepted', () => {
  const parsed = parseLineage({
    'X-Amz-Meta-Rs-Device': 'laptop-1234',
    'x-amz-meta-rs-base': 'none',
    'x-amz-meta-rs-sha256': SHA.toUpperCase(),
    'content-type': 'text/plain',
  });
  assert.deepEqual(parsed, { device: 'laptop-1234', bases: [], sha256: SHA });
});

test('versions written by other tools or with broken fields have no lineage', () => {
  const good = { 'rs-device': 'laptop-1234', 'rs-base': V1, 'rs-sha256': SHA };
  assert.equal(parseLineage(undefined), undefined);
  assert.equal(parseLineage({}), undefined);
  assert.equal(parseLineage({ 'content-type': 'x' }), undefined);
  for (const broken of [
    { ...good, 'rs-device': undefined },
    { ...good, 'rs-base': undefined },
    { ...good, 'rs-sha256': undefined },
    { ...good, 'rs-device': 'x' },
    { ...good, 'rs-device': 'Has Spaces!' },
    { ...good, 'rs-sha256': 'abc' },
    { ...good, 'rs-sha256': 'zz'.repeat(32) },
    { ...good, 'rs-base': '' },
    { ...good, 'rs-base': `${V1},` },
    { ...good, 'rs-base': `none,${V1}` },
    { ...good, 'rs-base': 'bad id' },
    { ...good, 'rs-base': 'x'.repeat(1025) },
  ]) {
    assert.equal(parseLineage(broken), undefined, JSON.stringify(broken));
  }
});

test('build refuses invalid input instead of writing bad metadata', () => {
  assert.throws(() => buildLineage({ device: 'X', bases: [], sha256: SHA }), /device id/);
  assert.throws(() => buildLineage({ device: 'laptop-1234', bases: [], sha256: '12' }), /sha256/);
  assert.throws(
    () => buildLineage({ device: 'laptop-1234', bases: ['a,b'], sha256: SHA }),
    /base version id/,
  );
  assert.throws(
    () => buildLineage({ device: 'laptop-1234', bases: ['none'], sha256: SHA }),
    /base version id/,
  );
  const many = Array.from(
    { length: 80 },
    (_, i) => `${V1.slice(0, 30)}${String(i).padStart(2, '0')}`,
  );
  assert.throws(() => buildLineage({ device: 'laptop-1234', bases: many, sha256: SHA }), /2048/);
});
