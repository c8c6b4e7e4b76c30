import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  KeyCollisions,
  MAX_KEY_BYTES,
  checkKeyName,
  displayPath,
  findCollisions,
  isValidUtf8,
  keyRefusal,
  objectKey,
} from '../../main/core/watch/key-names.js';

const codes = (relPath: string, prefix = '') => checkKeyName(relPath, prefix).map((p) => p.code);

const NFC = 'caf\u00e9.txt';
const NFD = 'cafe\u0301.txt';

test('ordinary names have no problems', () => {
  for (const p of ['a.txt', 'dir/sub/report 2024.pdf', 'Ünïcødé/日本語.md', '.hidden', 'a..b']) {
    assert.deepEqual(checkKeyName(p, 'backup/'), [], p);
  }
});

test('the key is prefix + NFC path; a slash is added after a bare prefix', () => {
  assert.equal(objectKey('', 'a/b.txt'), 'a/b.txt');
  assert.equal(objectKey('photos', 'a.jpg'), 'photos/a.jpg');
  assert.equal(objectKey('photos/', 'a.jpg'), 'photos/a.jpg');
  assert.equal(objectKey('', NFD), NFC);
});

test('a key over 1024 UTF-8 bytes is an error naming the size and the fix', () => {
  const ok = 'a'.repeat(MAX_KEY_BYTES);
  assert.deepEqual(codes(ok), []);
  assert.deepEqual(codes(ok, 'p/'), ['key-too-long'], 'the prefix counts');
  // 342 three-byte characters: 1026 bytes though only 342 UTF-16 units.
  const wide = '日'.repeat(342);
  const [problem] = checkKeyName(wide);
  assert.equal(problem?.code, 'key-too-long');
  assert.equal(problem?.severity, 'error');
  assert.match(problem?.message ?? '', /1026 bytes, over S3's limit of 1024; shorten the name/);
});

test('control characters are errors, shown escaped in the message', () => {
  const [p] = checkKeyName('bad\nname.txt');
  assert.equal(p?.code, 'control-character');
  assert.match(p?.message ?? '', /"bad\\u000aname\.txt" contains a control character.*rename/);
  assert.deepEqual(codes('tab\there'), ['control-character']);
  assert.deepEqual(codes('del\u007f'), ['control-character']);
  assert.equal(displayPath('a\u0001b'), 'a\\u0001b');
});

test('names that are not valid UTF-8 are errors', () => {
  assert.deepEqual(codes('broken\ud800.txt'), ['invalid-utf8']);
  assert.deepEqual(codes('decoded\ufffd.txt'), ['invalid-utf8']);
  assert.match(checkKeyName('x\udc00')[0]?.message ?? '', /"x\\udc00" .*not valid UTF-8.*rename/);
  assert.equal(isValidUtf8(Buffer.from('héllo')), true);
  assert.equal(isValidUtf8(Buffer.from([0x61, 0xff, 0x62])), false);
  assert.equal(isValidUtf8(Buffer.from([0xc3])), false, 'a truncated sequence');
});

test('dot and empty segments are errors', () => {
  assert.deepEqual(codes('a/./b'), ['dot-segment']);
  assert.deepEqual(codes('../b'), ['dot-segment']);
  assert.deepEqual(codes('..'), ['dot-segment']);
  assert.deepEqual(codes('a//b'), ['empty-segment']);
  assert.deepEqual(codes('/a'), ['empty-segment']);
});

test('names Windows cannot hold are warnings', () => {
  for (const p of ['notes.', 'dir /a.txt', 'CON', 'sub/nul.txt', 'Com1.log', 'ab:c', 'q?.txt']) {
    const problems = checkKeyName(p);
    assert.deepEqual(
      problems.map((x) => [x.code, x.severity]),
      [['windows-name', 'warning']],
      p,
    );
    assert.match(problems[0]?.message ?? '', /Windows cannot hold.*rename it/, p);
  }
  assert.match(checkKeyName('dir /a.txt')[0]?.message ?? '', /"dir " ends with a space/);
  assert.deepEqual(codes('console.txt'), []);
});

test('names the pull would refuse to bring down are errors: a backslash, a drive letter', () => {
  assert.deepEqual(codes('a\\b.txt'), ['not-downloadable']);
  assert.match(
    checkKeyName('dir/a\\b.txt')[0]?.message ?? '',
    /"dir\/a\\b\.txt" contains a backslash.*rename/,
  );
  assert.deepEqual(codes('sub/c:notes'), ['not-downloadable', 'windows-name']);
  assert.equal(keyRefusal('fine/name.txt'), null);
  assert.match(keyRefusal('tab\there.txt') ?? '', /control character/);
  assert.match(keyRefusal(`${'x'.repeat(1100)}.txt`) ?? '', /over S3's limit of 1024/);
  assert.match(keyRefusal('a\\b') ?? '', /backslash/);
});

test('two names in different Unicode forms collide on the same key (error)', () => {
  const problems = findCollisions([NFC, NFD, 'other.txt']);
  assert.deepEqual(
    problems.map((p) => [p.code, p.severity, p.relPath, p.others]),
    [
      ['unicode-collision', 'error', NFD, [NFC]],
      ['unicode-collision', 'error', NFC, [NFD]],
    ].sort((a, b) => (String(a[2]) < String(b[2]) ? -1 : 1)),
  );
  assert.match(problems[0]?.message ?? '', /different Unicode forms.*same S3 key; rename one/);
});

test('names differing only by case collide on other devices (warning)', () => {
  const problems = findCollisions(['Report.pdf', 'report.pdf', 'REPORT.PDF', 'unrelated.pdf']);
  assert.equal(problems.length, 3);
  for (const p of problems) {
    assert.equal(p.code, 'case-collision');
    assert.equal(p.severity, 'warning');
    assert.equal(p.others?.length, 2);
    assert.match(p.message, /differ only in letter case.*case-insensitive.*rename one/);
  }
});

test('folders differing by case, and a file against a folder, collide too', () => {
  const byPath = new Map(
    findCollisions(['Docs/a.txt', 'docs/b.txt', 'notes', 'Notes/x.md']).map((p) => [p.relPath, p]),
  );
  assert.deepEqual(byPath.get('Docs/a.txt')?.others, ['docs/']);
  assert.match(byPath.get('Docs/a.txt')?.message ?? '', /its folder "Docs\/" and "docs\/"/);
  assert.deepEqual(byPath.get('notes')?.others, ['Notes/']);
  assert.deepEqual(byPath.get('Notes/x.md')?.others, ['notes']);
  // One warning per path even when both the file and its folder differ by case.
  assert.equal(findCollisions(['A/x.txt', 'a/X.txt']).length, 2);
});

test('KeyCollisions follows adds and removes', () => {
  const set = new KeyCollisions();
  set.add('a/File.txt');
  set.add('b.txt');
  assert.deepEqual(set.check('a/file.txt')[0]?.others, ['a/File.txt'], 'checks a path not held');
  assert.deepEqual(set.check('A/other.txt')[0]?.others, ['a/']);
  set.add('a/file.txt');
  set.add('a/file.txt');
  set.remove('a/File.txt');
  assert.deepEqual(set.check('a/file.txt'), []);
  set.remove('a/file.txt');
  set.remove('never-added');
  assert.deepEqual(set.check('A/x'), []);
  assert.deepEqual(set.check('B.TXT')[0]?.code, 'case-collision');
});

test('collision checks over 100,000 paths take well under a second or two', () => {
  const paths = Array.from({ length: 100_000 }, (_, i) => `dir-${i % 300}/sub-${i % 7}/f-${i}.bin`);
  paths.push('DIR-1/sub-1/f-1.bin');
  const started = performance.now();
  const problems = findCollisions(paths);
  const ms = performance.now() - started;
  assert.ok(problems.some((p) => p.relPath === 'DIR-1/sub-1/f-1.bin'));
  assert.ok(ms < 5000, `${Math.round(ms)} ms`);
});
