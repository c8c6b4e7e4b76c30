// files.importPaths takes only what a user drops from their own folders, and folders.add
// refuses the disk, system folders, the home itself and the data dir, making nothing on disk
// when it refuses (issue "Nothing stops the app or a folder", item 4). Through the
// Dispatcher of a real app (startEngine on a data dir) against the local regions.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { MemorySecretStore } from '../../main/core/accounts/secret-store.js';
import { startTestApp, type TestApp } from '../helpers/accounts-app.js';
import { createBucket, startTestRegions, type TestRegions } from '../helpers/regions.js';
import { tempDir } from '../helpers/temp-dir.js';

let regions: TestRegions;
let app: TestApp;
let root: string;
let dataDir: string;
let folderId: string;
let folder: string;
let bucket: string;
const cleanups: (() => void)[] = [];

before(async () => {
  regions = await startTestRegions({ regions: ['us-east-1'] });
  const t = tempDir('rs-guards-');
  cleanups.push(t.cleanup);
  root = t.dir;
  dataDir = path.join(root, 'data');
  app = await startTestApp({ dataDir, regions, secrets: new MemorySecretStore() });
  bucket = await createBucket(regions, 'us-east-1', { versioning: 'Enabled' });
  folder = path.join(root, 'Synced');
  fs.mkdirSync(folder);
  const added = await app.call('folders.add', {
    path: folder,
    accountId: 'local',
    bucket,
    region: 'us-east-1',
  });
  folderId = added.id;
});

after(async () => {
  await app?.stop();
  await regions?.stop();
  for (const c of cleanups) c();
});

/** Everything in the watched folder, by relative name. */
function folderFiles(): string[] {
  return fs.readdirSync(folder, { recursive: true }).map(String).sort();
}

async function importRefused(paths: string[], why: RegExp): Promise<void> {
  const before = folderFiles();
  const e = await app.refused('files.importPaths', { folderId, paths });
  assert.equal(e.code, 'InvalidArguments');
  assert.match(e.message, why);
  assert.deepEqual(folderFiles(), before, 'nothing was copied');
}

test('a dropped file of the user is copied; a folder too', async () => {
  const src = path.join(root, 'report.txt');
  fs.writeFileSync(src, 'numbers\n');
  const dir = path.join(root, 'photos');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'a.jpg'), 'jpeg');
  const r = await app.call('files.importPaths', { folderId, paths: [src, dir] });
  assert.deepEqual(r.copied, ['report.txt', 'photos']);
  assert.equal(fs.readFileSync(path.join(folder, 'report.txt'), 'utf8'), 'numbers\n');
  assert.equal(fs.readFileSync(path.join(folder, 'photos', 'a.jpg'), 'utf8'), 'jpeg');
});

test('system files are refused, named with the reason', async () => {
  await importRefused(['/etc/passwd'], /\/etc\/passwd is in the system folder \/etc/);
  await importRefused(['/etc'], /\/etc is in the system folder \/etc/);
  // '/' itself: see test/unit/path-guards.test.ts (a regression here would copy the disk).
});

test("the app's own data files are refused, the regions' secrets among them", async () => {
  const regionsFile = path.join(regions.dataDir, 'regions.json');
  const settings = path.join(dataDir, 'settings.json');
  const index = path.join(dataDir, 'index.sqlite');
  for (const p of [settings, index])
    await importRefused([p], new RegExp(`${p} is in Replica Sync's own data folder`));
  await importRefused([dataDir], /is in Replica Sync's own data folder/);
  await importRefused([root], /contains Replica Sync's own data folder/);
  // An app running its regions inside its data dir (as the app does, in DIR/regions).
  const own = path.join(dataDir, 'regions');
  fs.mkdirSync(own, { recursive: true });
  fs.copyFileSync(regionsFile, path.join(own, 'regions.json'));
  await importRefused(
    [path.join(own, 'regions.json')],
    /regions\.json is in Replica Sync's own data folder/,
  );
});

test('a symlink is followed first: one to /etc/passwd or into the data dir is refused', async () => {
  const toPasswd = path.join(root, 'innocent.txt');
  fs.symlinkSync('/etc/passwd', toPasswd);
  await importRefused([toPasswd], /innocent\.txt \(it leads to \/etc\/passwd\) is in the system/);
  const toData = path.join(root, 'settings-link');
  fs.symlinkSync(path.join(dataDir, 'settings.json'), toData);
  await importRefused([toData], /settings-link \(it leads to .*settings\.json\) is in Replica/);
  const toDataDir = path.join(root, 'data-link');
  fs.symlinkSync(dataDir, toDataDir);
  await importRefused([toDataDir], /data-link \(it leads to .*\) is in Replica Sync's own/);
});

test('a path inside the folder itself, a relative or missing path: refused, nothing copied', async () => {
  fs.writeFileSync(path.join(folder, 'inside.txt'), 'x');
  await importRefused([path.join(folder, 'inside.txt')], /inside\.txt is already in the folder/);
  await importRefused([folder], /is already in the folder/);
  await importRefused([root + '/Synced/../Synced'], /is already in the folder/);
  await importRefused(['report.txt'], /report\.txt is not a full path/);
  await importRefused([path.join(root, 'nope.txt')], /nope\.txt does not exist/);
  // One bad path in a batch: the good one is not copied either.
  const good = path.join(root, 'good.txt');
  fs.writeFileSync(good, 'good');
  await importRefused([good, '/etc/shadow'], /\/etc\/shadow is in the system folder/);
});

/** folders.add that must be refused on `p` with `why`, leaving the disk as it was. */
async function addRefused(p: string, why: RegExp, create = false): Promise<void> {
  const existed = fs.existsSync(p);
  const e = await app.refused('folders.add', {
    path: p,
    accountId: 'local',
    bucket,
    region: 'us-east-1',
    ...(create ? { create: true } : {}),
  });
  assert.equal(e.code, 'InvalidArguments');
  assert.match(e.message, why);
  assert.equal(e.issues?.[0]?.path, 'path');
  assert.equal(fs.existsSync(p), existed, `${p} is left as it was`);
  assert.equal(app.engine.listFolders().length, 1, 'no folder was added');
}

test('folders.add refuses the disk, system folders, the home folder and the data dir', async () => {
  await addRefused('/', /^\/ is the whole disk: pick a folder of your own/, true);
  await addRefused('/etc', /^\/etc is a system folder \(in \/etc\)/, true);
  await addRefused('/usr/local/share/rs-test', /is a system folder \(in \/usr\)/, true);
  await addRefused(os.homedir(), /is your whole home folder: pick a folder inside it/, true);
  await addRefused(dataDir, /is Replica Sync's own data folder: pick a folder outside it/, true);
  await addRefused(
    path.join(dataDir, 'inner', 'deeper'),
    /is inside Replica Sync's data folder .*: pick a folder outside it/,
    true,
  );
  await addRefused(root, /contains Replica Sync's data folder/, true);
  const link = path.join(root, 'etc-link');
  fs.symlinkSync('/etc', link);
  await addRefused(link, /etc-link \(it leads to \/etc\) is a system folder/, true);
});

test('folders.add refuses a relative path, and a missing one unless told to create it', async () => {
  await addRefused('Documents', /^Documents is not a full path: give a full path, e\.g\. /, true);
  const missing = path.join(root, 'New', 'Folder');
  const e = await app.refused('folders.add', {
    path: missing,
    accountId: 'local',
    bucket,
    region: 'us-east-1',
  });
  assert.equal(
    e.message,
    `${missing} does not exist: choose Create it, or pick an existing folder.`,
  );
  assert.deepEqual(e.action, { kind: 'create-folder', path: missing });
  assert.equal(fs.existsSync(path.join(root, 'New')), false, 'nothing was made');

  // A bucket that does not exist: refused before anything is made, even with create.
  const noBucket = await app.refused('folders.add', {
    path: missing,
    accountId: 'local',
    bucket: 'no-such-bucket-rs',
    region: 'us-east-1',
    create: true,
  });
  assert.match(noBucket.message, /no-such-bucket-rs/);
  assert.equal(fs.existsSync(path.join(root, 'New')), false, 'a refused add creates nothing');

  const added = await app.call('folders.add', {
    path: missing,
    accountId: 'local',
    bucket,
    region: 'us-east-1',
    prefix: 'new/',
    create: true,
  });
  assert.equal(added.path, missing);
  assert.ok(fs.statSync(missing).isDirectory(), 'made once every check passed');
});
