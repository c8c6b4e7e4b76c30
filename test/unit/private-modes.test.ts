// The data dir's modes (paths.ts): 0700 folders, 0600 files, whatever the umask; a shared
// folder given as the data dir is never narrowed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ensurePrivateDir, makePrivate, mkdirPrivate } from '../../main/core/paths.js';
import { tempDir } from '../helpers/temp-dir.js';

const mode = (p: string): number => fs.statSync(p).mode & 0o7777;

test('a missing data dir is made 0700 and a wider one narrowed, with umask 000', (t) => {
  const { dir, cleanup } = tempDir('rs-modes-unit-');
  t.after(cleanup);
  const old = process.umask(0);
  try {
    const made = path.join(dir, 'a', 'data');
    ensurePrivateDir(made);
    assert.equal(mode(made), 0o700);
    assert.equal(mode(path.join(dir, 'a')), 0o700, 'a missing parent too');
    const wide = path.join(dir, 'wide');
    fs.mkdirSync(wide, { mode: 0o755 });
    ensurePrivateDir(wide);
    assert.equal(mode(wide), 0o700);
    const sub = path.join(dir, 'sub');
    mkdirPrivate(sub);
    assert.equal(mode(sub), 0o700);
  } finally {
    process.umask(old);
  }
});

test('a shared, sticky folder given as the data dir keeps its mode', (t) => {
  const { dir, cleanup } = tempDir('rs-modes-unit-');
  t.after(cleanup);
  const shared = path.join(dir, 'shared');
  fs.mkdirSync(shared);
  fs.chmodSync(shared, 0o1777);
  ensurePrivateDir(shared);
  assert.equal(mode(shared), 0o1777);
  // mkdirPrivate leaves any existing folder as it is.
  const existing = path.join(dir, 'existing');
  fs.mkdirSync(existing);
  fs.chmodSync(existing, 0o755);
  mkdirPrivate(existing);
  assert.equal(mode(existing), 0o755);
});

test('makePrivate narrows each file to 0600 and skips a missing one', (t) => {
  const { dir, cleanup } = tempDir('rs-modes-unit-');
  t.after(cleanup);
  const a = path.join(dir, 'a.json');
  fs.writeFileSync(a, '{}');
  fs.chmodSync(a, 0o666);
  makePrivate(a, path.join(dir, 'missing-wal'));
  assert.equal(mode(a), 0o600);
});
