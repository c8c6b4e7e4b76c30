import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { S3OperationError } from '../../main/core/transfer/s3-errors.js';
import { FileReadError } from '../../main/core/transfer/upload-common.js';
import { OnceLog } from '../../main/core/sync/once-log.js';
import { backoffMs, failureKind, Retries } from '../../main/core/sync/retry-policy.js';

const s3 = (kind: S3OperationError['kind'], code: string) =>
  new S3OperationError({ kind, code, message: code });

test('backoff doubles from the base up to the cap, with jitter between half and all of it', () => {
  const b = { baseMs: 1_000, maxMs: 60_000 };
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 8, 20, 1_000].map((n) => backoffMs(n, b, () => 1)),
    [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000],
  );
  assert.equal(
    backoffMs(3, b, () => 0),
    2_000,
  );
  for (let i = 0; i < 100; i++) {
    const w = backoffMs(4, b);
    assert.ok(w >= 4_000 && w <= 8_000, String(w));
  }
});

test('what stops a folder, what is one file, what is retried', () => {
  for (const code of [
    'ServiceUnavailable',
    'SlowDown',
    'InternalError',
    'ECONNREFUSED',
    'TimeoutError',
  ])
    assert.equal(failureKind(s3('transient', code)), 'transient', code);
  assert.equal(failureKind(s3('conditional-conflict', 'ConditionalRequestConflict')), 'transient');
  for (const code of [
    'InvalidAccessKeyId',
    'SignatureDoesNotMatch',
    'NoSuchBucket',
    'AccessDenied',
  ])
    assert.equal(failureKind(s3('permanent', code)), 'folder', code);
  assert.equal(failureKind(s3('permanent', 'KeyTooLongError')), 'file');
  assert.equal(failureKind(s3('permanent', 'EntityTooLarge')), 'file');
  assert.equal(failureKind(s3('cancelled', 'Cancelled')), 'cancelled');
  assert.equal(failureKind(new FileReadError('/x', 'EACCES', new Error('x'))), 'file');
  assert.equal(failureKind(Object.assign(new Error('full'), { code: 'ENOSPC' })), 'folder');
  assert.equal(failureKind(new Error('something odd')), 'transient');
});

test('Retries: one run due per step, its wait grows with failures and starts over after a success', async () => {
  const r = new Retries(() => ({ baseMs: 10, maxMs: 40 }));
  let runs = 0;
  r.later('pull', () => runs++);
  r.later('pull', () => runs++);
  await sleep(30);
  assert.equal(runs, 1, 'a second request while one is due adds nothing');
  const waits = [r.failed('x'), r.failed('x'), r.failed('x'), r.failed('x')];
  assert.ok(waits[3] !== undefined && waits[3] >= 20 && waits[3] <= 40, String(waits));
  r.succeeded('x');
  assert.ok(r.failed('x') <= 10);
  r.later('folder', () => runs++);
  r.dispose();
  await sleep(30);
  assert.equal(runs, 1, 'nothing runs after dispose');
});

test('OnceLog says a message once per key, again when it changes or came back', () => {
  const lines: string[] = [];
  const said = new OnceLog((level, m) => lines.push(`${level} ${m}`));
  said.say('path:a', 'warn', 'bad name');
  said.say('path:a', 'warn', 'bad name');
  said.say('path:a', 'warn', 'worse name');
  said.say('path:b', 'warn', 'bad name');
  said.prune('path:', (k) => k === 'path:b');
  said.say('path:a', 'warn', 'worse name');
  said.say('path:b', 'warn', 'bad name');
  assert.deepEqual(lines, ['warn bad name', 'warn worse name', 'warn bad name', 'warn worse name']);
  assert.equal(said.clear('path:b'), true);
  assert.equal(said.clear('path:b'), false);
});
