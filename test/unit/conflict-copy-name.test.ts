import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  conflictCopyName,
  conflictTimestamp,
  fileSafeLabel,
} from '../../main/core/conflicts/conflict-copy.js';

// Local-time constructor: the name uses the local time of the side's last-modified.
const WHEN = new Date(2024, 4, 7, 9, 3, 2);
const STAMP = '2024-05-07 090302';
const none = (): boolean => false;

test('format: name (conflict <device> <yyyy-mm-dd hhmmss>).ext, in local time', () => {
  assert.equal(
    conflictCopyName('report.docx', 'Berlin laptop', WHEN, none),
    `report (conflict Berlin laptop ${STAMP}).docx`,
  );
  assert.equal(conflictTimestamp(new Date(2023, 11, 31, 23, 59, 59)), '2023-12-31 235959');
  assert.equal(conflictTimestamp(new Date(2025, 0, 1, 0, 0, 0)), '2025-01-01 000000');
});

test('the folder part of the path stays; only the file name changes', () => {
  assert.equal(
    conflictCopyName('projects/2024/plan.v2.md', 'dev-0001-abcd', WHEN, none),
    `projects/2024/plan.v2 (conflict dev-0001-abcd ${STAMP}).md`,
  );
});

test('extension handling: the last extension only, none, dotfiles, trailing dot', () => {
  assert.equal(
    conflictCopyName('backup.tar.gz', 'pc', WHEN, none),
    `backup.tar (conflict pc ${STAMP}).gz`,
  );
  assert.equal(conflictCopyName('Makefile', 'pc', WHEN, none), `Makefile (conflict pc ${STAMP})`);
  assert.equal(conflictCopyName('.env', 'pc', WHEN, none), `.env (conflict pc ${STAMP})`);
  assert.equal(
    conflictCopyName('conf/.bashrc', 'pc', WHEN, none),
    `conf/.bashrc (conflict pc ${STAMP})`,
  );
  assert.equal(
    conflictCopyName('.env.local', 'pc', WHEN, none),
    `.env (conflict pc ${STAMP}).local`,
  );
  assert.equal(conflictCopyName('notes.', 'pc', WHEN, none), `notes (conflict pc ${STAMP}).`);
});

test('a taken name gets " 2", " 3"… before the extension', () => {
  const taken = new Set([`a/doc (conflict pc ${STAMP}).txt`, `a/doc (conflict pc ${STAMP}) 2.txt`]);
  const exists = (p: string): boolean => taken.has(p);
  assert.equal(
    conflictCopyName('a/doc.txt', 'pc', WHEN, exists),
    `a/doc (conflict pc ${STAMP}) 3.txt`,
  );
  const asked: string[] = [];
  conflictCopyName('README', 'pc', WHEN, (p) => {
    asked.push(p);
    return asked.length < 2;
  });
  assert.deepEqual(asked, [`README (conflict pc ${STAMP})`, `README (conflict pc ${STAMP}) 2`]);
});

test('the device label is made safe for a file name on every platform', () => {
  assert.equal(fileSafeLabel("Anna's Mac"), "Anna's Mac");
  assert.equal(fileSafeLabel('work/pc: 2'), 'work-pc- 2');
  assert.equal(fileSafeLabel('  lots   of\tspace '), 'lots of space');
  assert.equal(fileSafeLabel('a\u0000b|c?'), 'a-b-c-');
  assert.equal(fileSafeLabel(''), 'unknown device');
  assert.equal(fileSafeLabel('..'), 'unknown device');
  assert.equal(fileSafeLabel('x'.repeat(100)), 'x'.repeat(64));
  assert.equal(
    conflictCopyName('f.txt', 'C:\\Users', WHEN, none),
    `f (conflict C-Users ${STAMP}).txt`,
  );
});

test('bad input is refused, not turned into a strange name', () => {
  assert.throws(() => conflictCopyName('dir/', 'pc', WHEN, none), /names no file/);
  assert.throws(() => conflictCopyName('f.txt', 'pc', new Date(Number.NaN), none), RangeError);
});
