import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { SETTINGS_VERSION } from '../../main/contract/index.js';
import { JsonSettingsStore } from '../../main/core/settings/json-settings-store.js';
import { migrateSettings } from '../../main/core/settings/settings-store.js';
import { tempDir } from '../helpers/temp-dir.js';

test('a new store writes defaults with a version and an installation id', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const file = path.join(dir, 'settings.json');
  const s = new JsonSettingsStore(file).get();
  assert.equal(s.version, SETTINGS_VERSION);
  assert.match(s.installationId ?? '', /^[a-z0-9-]{8,64}$/);
  assert.equal((fs.statSync(file).mode & 0o777).toString(8), '600');
});

test('updates persist across instances; invalid updates are refused', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const file = path.join(dir, 'settings.json');
  const a = new JsonSettingsStore(file);
  const id = a.get().installationId;
  a.update({ deviceName: 'Laptop', uploadConcurrency: 8 });
  assert.throws(() => a.update({ uploadConcurrency: 0 }), /uploadConcurrency/);
  const b = new JsonSettingsStore(file).get();
  assert.equal(b.deviceName, 'Laptop');
  assert.equal(b.uploadConcurrency, 8);
  assert.equal(b.installationId, id);
});

test('a pre-versioning store migrates; unknown keys are dropped', () => {
  const s = migrateSettings({ deviceName: 'Old', color: 'red' });
  assert.equal(s.version, SETTINGS_VERSION);
  assert.equal(s.deviceName, 'Old');
  assert.equal('color' in s, false);
});

test('a store from a newer version is refused with the fix named', () => {
  assert.throws(
    () => migrateSettings({ version: SETTINGS_VERSION + 1 }),
    /newer Replica Sync.*update the app/,
  );
});

test('a corrupt file is reported, not silently reset', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const file = path.join(dir, 'settings.json');
  fs.writeFileSync(file, '{not json');
  assert.throws(() => new JsonSettingsStore(file), /cannot read settings .*fix or remove/);
});
