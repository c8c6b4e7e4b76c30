// How the pull sorts what goes wrong with one object, and what it says about a lineage it
// cannot read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  classifyPullFault,
  firstReport,
  isPullErrorRow,
  keyProblemMessage,
  lineageProblem,
  type PullMemory,
} from '../../main/core/sync/pull-problems.js';
import type { FileRecord } from '../../main/core/index/file-index.js';
import {
  ChecksumMismatchError,
  LocalWriteError,
  UnsafeKeyError,
} from '../../main/core/transfer/downloader.js';
import { S3OperationError } from '../../main/core/transfer/s3-errors.js';

const SHA = 'a'.repeat(64);

test('an unreadable lineage says what is wrong; none or a good one says nothing', () => {
  assert.equal(lineageProblem(undefined), undefined);
  assert.equal(lineageProblem({ 'content-kind': 'x' }), undefined);
  assert.equal(
    lineageProblem({ 'rs-device': 'device-abc-123', 'rs-base': 'none', 'rs-sha256': SHA }),
    undefined,
  );
  assert.match(
    lineageProblem({ 'rs-device': 'abc', 'rs-base': 'none', 'rs-sha256': SHA }) ?? '',
    /rs-device 'abc' is not a device id/,
  );
  assert.match(
    lineageProblem({ 'rs-device': 'device-abc-123', 'rs-sha256': 'xyz' }) ?? '',
    /rs-base missing.*rs-sha256 'xyz' is not 64 hex digits/,
  );
  assert.match(
    lineageProblem({
      'x-amz-meta-rs-device': 'device-abc-123',
      'x-amz-meta-rs-base': 'a b',
      'x-amz-meta-rs-sha256': SHA,
    }) ?? '',
    /rs-base has 'a b', not a version id/,
  );
});

test('what stops the folder, what is one key, what vanished', () => {
  const s3 = (kind: 'transient' | 'permanent', code: string) =>
    new S3OperationError({ kind, code, message: code });
  assert.equal(classifyPullFault(s3('permanent', 'NoSuchBucket')), 'folder');
  assert.equal(classifyPullFault(s3('permanent', 'InvalidAccessKeyId')), 'folder');
  assert.equal(classifyPullFault(s3('transient', 'InternalError')), 'folder');
  assert.equal(classifyPullFault(s3('permanent', 'NoSuchVersion')), 'gone');
  assert.equal(classifyPullFault(s3('permanent', 'InvalidObjectState')), 'key');
  assert.equal(classifyPullFault(new LocalWriteError('/f/x', 'ENOSPC', null)), 'folder');
  assert.equal(classifyPullFault(new LocalWriteError('/f/x', 'ENAMETOOLONG', null)), 'key');
  assert.equal(classifyPullFault(new UnsafeKeyError('k', 'why')), 'key');
  assert.equal(classifyPullFault(new ChecksumMismatchError('k', 'v1', 'rs-sha256')), 'key');
});

test('a problem is said once per key, version and message', () => {
  const m: PullMemory = { reported: new Map(), dirs: new Map(), lineage: new Set() };
  assert.equal(firstReport(m, 'k', 'v1', 'bad'), true);
  assert.equal(firstReport(m, 'k', 'v1', 'bad'), false);
  assert.equal(firstReport(m, 'k', 'v2', 'bad'), true);
  assert.equal(firstReport(m, 'k', 'v2', 'worse'), true);
  assert.equal(firstReport(m, 'other', 'v2', 'worse'), true);
});

test("the pull's rows are told apart from the other error rows", () => {
  const message = keyProblemMessage(
    'a/b',
    'v1',
    new UnsafeKeyError('a/b', 'the file is in the way'),
  );
  assert.match(message, /^Cannot download 'a\/b': the file is in the way\. Rename the object/);
  const row = { state: 'error', error: message } as FileRecord;
  assert.equal(isPullErrorRow(row), true);
  assert.equal(isPullErrorRow({ ...row, state: 'synced' }), false);
  assert.equal(isPullErrorRow({ ...row, error: 'cannot read "a/b" (EACCES)' }), false);
  assert.equal(isPullErrorRow(undefined), false);
});
