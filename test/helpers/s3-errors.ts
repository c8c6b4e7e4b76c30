// For unit tests of main/regions: the S3Error a synchronous call must throw.
import assert from 'node:assert/strict';
import { S3Error } from '../../main/regions/errors.js';

/** Calls `fn`, which must throw an S3Error, and returns that error. */
export function catchS3Error(fn: () => unknown): S3Error {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof S3Error, `expected S3Error, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an S3Error');
}
