import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkMassDelete } from '../../main/core/sync/mass-delete-guard.js';

const paths = (n: number) => Array.from({ length: n }, (_, i) => `f${i}.txt`);

test('few deletes in a big folder are fine', () => {
  assert.deepEqual(checkMassDelete([], 10, '~/Docs'), { verdict: 'ok' });
  assert.deepEqual(checkMassDelete(paths(50), 1000, '~/Docs'), { verdict: 'ok' });
  assert.deepEqual(checkMassDelete(paths(5), 10, '~/Docs'), { verdict: 'ok' }, '50% is not over');
});

test('more than 50 files asks, naming the count and the folder', () => {
  const v = checkMassDelete(paths(51), 10_000, '/home/ann/Photos');
  assert.equal(v.verdict, 'ask');
  if (v.verdict !== 'ask') return;
  assert.equal(v.deletes, 51);
  assert.equal(v.fileCount, 10_000);
  assert.equal(v.percent, 1);
  assert.match(v.message, /^51 files \(1% of 10000 files\) were deleted in \/home\/ann\/Photos\./);
  assert.match(v.message, /nothing is deleted until you confirm/);
});

test('more than half of a small folder asks', () => {
  const v = checkMassDelete(paths(6), 10, 'Notes');
  assert.equal(v.verdict, 'ask');
  assert.match(
    v.verdict === 'ask' ? v.message : '',
    /^6 files \(60% of 10 files\) were deleted in Notes/,
  );
  // Below the minimum, the percentage does not count: deleting a new folder's one file is fine.
  assert.equal(checkMassDelete(paths(1), 1, 'Tiny').verdict, 'ok');
  const all = checkMassDelete(paths(1), 1, 'Tiny', { minFilesForPercent: 1 });
  assert.match(all.verdict === 'ask' ? all.message : '', /^1 file \(all of 1 file\)/);
});

test('thresholds are options; a stale file count is taken as all', () => {
  assert.equal(checkMassDelete(paths(11), 1000, 'X', { maxFiles: 10 }).verdict, 'ask');
  assert.equal(checkMassDelete(paths(11), 1000, 'X', { maxFiles: 11 }).verdict, 'ok');
  const few = { minFilesForPercent: 3 };
  assert.equal(checkMassDelete(paths(3), 10, 'X', { maxPercent: 20, ...few }).verdict, 'ask');
  assert.equal(checkMassDelete(paths(3), 10, 'X', { maxPercent: 30, ...few }).verdict, 'ok');
  assert.equal(checkMassDelete(paths(3), 10, 'X', { maxPercent: 20 }).verdict, 'ok');
  const stale = checkMassDelete(paths(8), 0, 'X');
  assert.equal(stale.verdict === 'ask' && stale.fileCount, 8);
});
