// The data dir is the user's alone (issue "Nothing stops the app or a folder", item 8): the
// app started as a user does (npm start) with umask 000 and an older data dir (0755, files
// 0644, the regions' secrets in credentials.json beside regions.json) leaves the dir and every
// folder in it 0700, every file and the socket 0600, and the regions' secrets in one file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { startApp, type RunningApp } from '../helpers/app-process.js';
import { waitFor } from '../helpers/regions.js';
import { tempDir } from '../helpers/temp-dir.js';

const mode = (p: string): string => (fs.lstatSync(p).mode & 0o777).toString(8);

/** Every path under dir (dir included) whose mode is not 0700 (folders) or 0600 (the rest). */
function wrongModes(dir: string): string[] {
  const wrong: string[] = [];
  if (mode(dir) !== '700') wrong.push(`${dir} ${mode(dir)}`);
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const p = path.join(e.parentPath, e.name);
    const want = e.isDirectory() ? '700' : '600';
    // A temp file of a write in flight may be gone already.
    const got = fs.existsSync(p) ? mode(p) : want;
    if (got !== want) wrong.push(`${p} ${got} (want ${want})`);
  }
  return wrong;
}

/** The files under dir whose bytes contain text. */
function filesWith(dir: string, text: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .filter((p) => readOrEmpty(p).includes(text))
    .map((p) => path.relative(dir, p));
}

/** The bytes of p, or none when it went away under the walk (a -shm of a closing SQLite). */
function readOrEmpty(p: string): Buffer {
  try {
    return fs.readFileSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw err;
  }
}

/** Starts the app with umask 000: every mode seen is one the app set itself. */
async function startWideOpen(dataDir: string): Promise<RunningApp> {
  const old = process.umask(0);
  try {
    return await startApp(['--data-dir', dataDir]);
  } finally {
    process.umask(old);
  }
}

async function firstStartDone(dataDir: string): Promise<void> {
  await waitFor(
    () =>
      (
        JSON.parse(fs.readFileSync(path.join(dataDir, 'settings.json'), 'utf8')) as {
          setupDone?: boolean;
        }
      ).setupDone === true,
    60_000,
    'the first start to finish',
  );
}

test('an older, wider data dir is tightened; the regions keep one secrets file', async (t) => {
  const { dir, cleanup } = tempDir('rs-modes-');
  t.after(cleanup);
  const dataDir = path.join(dir, 'data');
  const regionsDir = path.join(dataDir, 'regions');
  fs.mkdirSync(regionsDir, { recursive: true });
  fs.chmodSync(dataDir, 0o755);
  fs.chmodSync(regionsDir, 0o755);
  // What an older version left: the secrets in two files, readable by all.
  const secrets = {
    accessKeyId: 'AKIAOLDSECRETSMIGRATE',
    secretAccessKey: 'old-secret-access-key-0123456789abcdef',
    adminToken: 'old-admin-token-0123456789',
  };
  fs.writeFileSync(path.join(regionsDir, 'credentials.json'), JSON.stringify(secrets));
  fs.writeFileSync(path.join(regionsDir, 'regions.json'), JSON.stringify({ ...secrets }));
  fs.chmodSync(path.join(regionsDir, 'credentials.json'), 0o644);
  fs.chmodSync(path.join(regionsDir, 'regions.json'), 0o644);

  const first = await startWideOpen(dataDir);
  try {
    await firstStartDone(dataDir);
    assert.equal(mode(path.join(dataDir, 'rs.sock')), '600', 'the local socket');
    for (const f of ['index.sqlite', 'index.sqlite-wal', 'index.sqlite-shm', 'settings.json'])
      assert.equal(mode(path.join(dataDir, f)), '600', f);
    assert.deepEqual(wrongModes(dataDir), []);
  } finally {
    await first.stop();
  }
  assert.deepEqual(wrongModes(dataDir), []);
  // One file holds the regions' secrets, with the values of the older version.
  assert.equal(fs.existsSync(path.join(regionsDir, 'credentials.json')), false);
  const file = JSON.parse(fs.readFileSync(path.join(regionsDir, 'regions.json'), 'utf8')) as {
    accessKeyId: string;
    regions: unknown[];
  };
  assert.equal(file.accessKeyId, secrets.accessKeyId);
  assert.equal(file.regions.length, 2);
  assert.deepEqual(filesWith(dataDir, secrets.secretAccessKey), ['regions/regions.json']);
  assert.deepEqual(filesWith(dataDir, secrets.adminToken), ['regions/regions.json']);

  // Widened again by hand (a backup restored, a copy): the next start narrows it back.
  fs.chmodSync(dataDir, 0o755);
  fs.chmodSync(path.join(dataDir, 'index.sqlite'), 0o644);
  fs.chmodSync(path.join(dataDir, 'settings.json'), 0o666);
  fs.chmodSync(path.join(regionsDir, 'regions.json'), 0o644);
  const second = await startWideOpen(dataDir);
  try {
    await waitFor(() => fs.existsSync(path.join(dataDir, 'rs.sock')), 30_000, 'the socket');
    assert.deepEqual(wrongModes(dataDir), []);
  } finally {
    await second.stop();
  }
});
