// How the renderer writes sizes, versions, paths and counts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  baseName,
  countFiles,
  describeCounts,
  displayPath,
  formatBytes,
  percentOf,
  shortVersionId,
} from '../../renderer/src/display-format.js';

describe('formatBytes', () => {
  it('says bytes below 1000 and binary multiples above', () => {
    assert.equal(formatBytes(0), '0 bytes');
    assert.equal(formatBytes(1), '1 byte');
    assert.equal(formatBytes(999), '999 bytes');
    assert.equal(formatBytes(1000), '1.0 KB');
    assert.equal(formatBytes(1536), '1.5 KB');
    assert.equal(formatBytes(150 * 1024), '150 KB');
    assert.equal(formatBytes(1024 * 1024 - 1), '1.0 MB');
    assert.equal(formatBytes(5 * 1024 ** 3), '5.0 GB');
    assert.equal(formatBytes(3 * 1024 ** 5), '3.0 PB');
    assert.equal(formatBytes(2048 * 1024 ** 5), '2048 PB');
  });

  it('shows a dash for what is not a size', () => {
    assert.equal(formatBytes(-1), '—');
    assert.equal(formatBytes(Number.NaN), '—');
  });
});

describe('shortVersionId', () => {
  it('keeps the first characters and marks the cut', () => {
    assert.equal(shortVersionId('3HL4kqtJlcpXroDTDmjVBH40Nrjfkd'), '3HL4kqtJ…');
    assert.equal(shortVersionId('abc'), 'abc');
    assert.equal(shortVersionId('123456789'), '123456789');
    assert.equal(shortVersionId(null), '—');
    assert.equal(shortVersionId(''), '—');
  });
});

describe('displayPath', () => {
  it('writes home folders as ~', () => {
    assert.equal(displayPath('/home/ann/Replica Sync'), '~/Replica Sync');
    assert.equal(displayPath('/Users/ann/Documents/x'), '~/Documents/x');
    assert.equal(displayPath('/home/ann'), '~');
    assert.equal(displayPath('C:\\Users\\ann\\Replica Sync'), '~\\Replica Sync');
  });

  it('leaves other paths alone', () => {
    assert.equal(displayPath('/tmp/rs-e2e-1/folder'), '/tmp/rs-e2e-1/folder');
    assert.equal(displayPath('/homework/a'), '/homework/a');
    assert.equal(displayPath('D:\\Data'), 'D:\\Data');
  });
});

describe('baseName, percentOf, counts', () => {
  it('takes the last path segment', () => {
    assert.equal(baseName('a/b/report.txt'), 'report.txt');
    assert.equal(baseName('C:\\x\\y.txt'), 'y.txt');
    assert.equal(baseName('/a/dir/'), 'dir');
    assert.equal(baseName('plain'), 'plain');
  });

  it('clamps percentages and has none for an empty total', () => {
    assert.equal(percentOf(1, 4), 25);
    assert.equal(percentOf(5, 4), 100);
    assert.equal(percentOf(-1, 4), 0);
    assert.equal(percentOf(0.999, 1), 99);
    assert.equal(percentOf(1, 0), null);
  });

  it('counts files and leaves out zero counts', () => {
    assert.equal(countFiles(1), '1 file');
    assert.equal(countFiles(100000), '100,000 files');
    assert.equal(
      describeCounts({
        total: 12,
        synced: 10,
        pending: 1,
        uploading: 1,
        conflict: 0,
        error: 0,
        deleted: 0,
      }),
      '12 files: 10 synced, 1 pending, 1 uploading',
    );
    assert.equal(
      describeCounts({
        total: 3,
        synced: 0,
        pending: 0,
        uploading: 0,
        conflict: 2,
        error: 1,
        deleted: 0,
      }),
      '3 files: 2 conflicts, 1 error',
    );
    assert.equal(
      describeCounts({
        total: 0,
        synced: 0,
        pending: 0,
        uploading: 0,
        conflict: 0,
        error: 0,
        deleted: 0,
      }),
      '0 files',
    );
  });
});
