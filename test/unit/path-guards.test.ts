// Which paths folders.add and files.importPaths refuse, per platform (path-guards.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  folderRefusal,
  importRefusal,
  isInside,
  type GuardContext,
} from '../../main/core/sync/path-guards.js';

const linux: GuardContext = {
  platform: 'linux',
  home: '/home/ann',
  dataDir: '/home/ann/.config/Replica Sync',
  env: {},
  tmpdir: '/tmp',
};
const mac: GuardContext = {
  platform: 'darwin',
  home: '/Users/ann',
  dataDir: '/Users/ann/Library/Application Support/Replica Sync',
  env: {},
  tmpdir: '/var/folders/xy/T',
};
const win: GuardContext = {
  platform: 'win32',
  home: 'C:\\Users\\ann',
  dataDir: 'C:\\Users\\ann\\AppData\\Roaming\\Replica Sync',
  env: { SystemRoot: 'C:\\Windows' },
  tmpdir: 'C:\\Users\\ann\\AppData\\Local\\Temp',
};

test('isInside compares whole segments, "/" contains everything, Windows ignores case', () => {
  assert.equal(isInside('/home/ann', '/', 'linux'), true);
  assert.equal(isInside('/home/annex', '/home/ann', 'linux'), false);
  assert.equal(isInside('/home/ann', '/home/ann', 'linux'), true);
  assert.equal(isInside('c:\\windows\\system32', 'C:\\Windows', 'win32'), true);
});

test('Linux: the disk, system folders, the home, the data dir and key folders are refused', () => {
  assert.match(folderRefusal('/', linux) ?? '', /whole disk/);
  for (const p of ['/etc', '/proc/1', '/sys', '/dev', '/boot', '/usr/lib', '/var/log', '/lib64'])
    assert.match(folderRefusal(p, linux) ?? '', /is a system folder/, p);
  assert.match(folderRefusal('/home/ann', linux) ?? '', /whole home folder/);
  assert.match(folderRefusal('/home/ann/.config', linux) ?? '', /contains Replica Sync's data/);
  assert.match(folderRefusal('/home/ann/.config/Replica Sync/x', linux) ?? '', /inside/);
  assert.match(folderRefusal('/home/ann/.ssh', linux) ?? '', /keys or credentials/);
  assert.equal(folderRefusal('/home/ann/Documents', linux), undefined);
  assert.equal(folderRefusal('/tmp/work', linux), undefined);
  assert.equal(folderRefusal('/mnt/data/photos', linux), undefined);
});

test('macOS: /System, /Library and /private are refused, the temp folder under it is not', () => {
  for (const p of ['/System/Library', '/Library/Preferences', '/private/etc', '/usr/bin'])
    assert.match(folderRefusal(p, mac) ?? '', /is a system folder/, p);
  assert.equal(folderRefusal('/var/folders/xy/T/test', mac), undefined);
  assert.equal(folderRefusal('/Users/ann/Documents', mac), undefined);
  assert.match(folderRefusal('/users/ANN', mac) ?? '', /whole home folder/);
});

test('Windows: the drive, C:\\Windows and Program Files are refused', () => {
  assert.match(folderRefusal('C:\\', win) ?? '', /whole disk/);
  assert.match(folderRefusal('c:\\windows\\System32', win) ?? '', /system folder/);
  assert.match(folderRefusal('C:\\Program Files\\App', win) ?? '', /system folder/);
  assert.match(folderRefusal('C:\\Users\\ann', win) ?? '', /whole home folder/);
  assert.match(folderRefusal('C:\\Users\\ann\\AppData\\Roaming', win) ?? '', /contains/);
  assert.equal(folderRefusal('C:\\Users\\ann\\Documents', win), undefined);
  assert.equal(folderRefusal('D:\\Photos', win), undefined);
});

test('importRefusal: a file in a system folder, a folder holding the data dir, the target', () => {
  const folder = '/home/ann/Sync';
  assert.match(importRefusal('/', folder, true, linux) ?? '', /whole disk/);
  assert.match(importRefusal('/etc/passwd', folder, false, linux) ?? '', /system folder \/etc/);
  assert.match(importRefusal('/home/ann', folder, true, linux) ?? '', /contains Replica Sync/);
  assert.match(importRefusal('/home/ann/.aws/credentials', folder, false, linux) ?? '', /keys/);
  assert.match(importRefusal('/home/ann/Sync/a.txt', folder, false, linux) ?? '', /already in/);
  assert.match(
    importRefusal('/home/ann/Docs', '/home/ann/Docs/Sync', true, linux) ?? '',
    /contains the folder/,
  );
  assert.equal(importRefusal('/home/ann/Desktop/report.pdf', folder, false, linux), undefined);
  assert.equal(
    importRefusal('C:\\Users\\ann\\Desktop\\a.txt', 'C:\\Users\\ann\\Sync', false, win),
    undefined,
  );
  assert.match(
    importRefusal('C:\\Windows\\win.ini', 'C:\\Users\\ann\\Sync', false, win) ?? '',
    /system folder/,
  );
});
