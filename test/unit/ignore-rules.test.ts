import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { IgnoreRules, SYNCIGNORE } from '../../main/core/watch/ignore-rules.js';
import { tempDir } from '../helpers/temp-dir.js';

test('built-in rules ignore editor, OS, download and our own temp files anywhere', () => {
  const rules = IgnoreRules.fromText('', { ignoreCase: false });
  const ignored = [
    'notes.txt.swp',
    'a/.notes.txt.swo',
    'draft.md~',
    '.~lock.report.odt#',
    'docs/~$budget.xlsx',
    '.#main.c',
    'src/4913',
    '.DS_Store',
    'photos/Thumbs.db',
    'desktop.ini',
    'movie.mkv.crdownload',
    'iso/ubuntu.iso.part',
    'x.partial',
    'Safari.download/data.bin',
    '.rs-tmp-1234-abc',
    'deep/dir/.rs-tmp-x',
    '.replica-sync-trash/old.txt',
    'sub/.replica-sync-trash/old.txt',
  ];
  for (const p of ignored) assert.equal(rules.ignores(p), true, p);
  const kept = [
    'notes.txt',
    'swp',
    'report.odt',
    'a~b.txt',
    '49130',
    'budget~$.xlsx',
    'part/file.txt',
    '.syncignore',
    '.replica-sync-trash-not.txt',
    'DS_Store',
  ];
  for (const p of kept) assert.equal(rules.ignores(p), false, p);
  assert.equal(rules.ignores('.replica-sync-trash', true), true);
  assert.equal(rules.ignores(''), false, 'the root itself is never ignored');
});

test('.syncignore uses gitignore syntax: globs, anchors, dir-only, negation', () => {
  const rules = IgnoreRules.fromText(
    [
      '# comment',
      'node_modules/',
      '/build',
      '*.log',
      '!keep.log',
      'cache/**/*.tmp',
      '!*.part',
    ].join('\n'),
    { ignoreCase: false },
  );
  assert.equal(rules.ignores('node_modules', true), true);
  assert.equal(rules.ignores('node_modules', false), false, 'dir-only pattern, file of that name');
  assert.equal(rules.ignores('app/node_modules/x/index.js'), true);
  assert.equal(rules.ignores('build/out.js'), true);
  assert.equal(rules.ignores('src/build/out.js'), false, 'anchored to the root');
  assert.equal(rules.ignores('logs/a.log'), true);
  assert.equal(rules.ignores('logs/keep.log'), false);
  assert.equal(rules.ignores('cache/a/b/c.tmp'), true);
  assert.equal(rules.ignores('cache/a/b/c.txt'), false);
  assert.equal(rules.ignores('# comment'), false);
  assert.equal(rules.ignores('video.part'), false, 'a negation re-includes a built-in');
  assert.equal(rules.ignores('LOGS/A.LOG'), false, 'case-sensitive when asked');
});

test('a .syncignore cannot re-include our own temp files or trash', () => {
  const rules = IgnoreRules.fromText('!.rs-tmp-*\n!.replica-sync-trash/\n!.replica-sync-trash/**');
  assert.equal(rules.ignores('.rs-tmp-1'), true);
  assert.equal(rules.ignores('.replica-sync-trash/x'), true);
});

test('case-insensitive matching applies to the user rules when asked', () => {
  const rules = IgnoreRules.fromText('*.log\nSecret/', { ignoreCase: true });
  assert.equal(rules.ignores('A.LOG'), true);
  assert.equal(rules.ignores('secret/key.pem'), true);
});

test('odd paths are answered, not thrown on', () => {
  const rules = IgnoreRules.fromText('*.log');
  assert.equal(rules.ignores('/a.log'), true, 'a leading slash is dropped');
  assert.equal(rules.ignores('dir/'), false);
  assert.equal(rules.ignores('../a.log'), false);
  assert.equal(rules.ignores('./a.log'), false);
});

test('load reads .syncignore; reload picks up edits and removal and tells listeners', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const rules = await IgnoreRules.load(dir, { ignoreCase: false });
  assert.equal(rules.ignores('a.log'), false);
  let changes = 0;
  const sub = rules.onDidChange(() => changes++);

  fs.writeFileSync(path.join(dir, SYNCIGNORE), '*.log\n');
  assert.equal(await rules.reload(), true);
  assert.equal(rules.ignores('a.log'), true);
  assert.equal(rules.source, '*.log\n');
  assert.equal(await rules.reload(), false, 'same text, no change');

  fs.writeFileSync(path.join(dir, SYNCIGNORE), '*.tmp\n');
  await rules.reload();
  assert.equal(rules.ignores('a.log'), false);
  assert.equal(rules.ignores('a.tmp'), true);

  fs.rmSync(path.join(dir, SYNCIGNORE));
  assert.equal(await rules.reload(), true);
  assert.equal(rules.ignores('a.tmp'), false);
  assert.equal(changes, 3);
  sub.dispose();
  fs.writeFileSync(path.join(dir, SYNCIGNORE), 'x\n');
  await rules.reload();
  assert.equal(changes, 3, 'a disposed listener hears nothing');
  assert.equal(IgnoreRules.isRulesFile('.syncignore'), true);
  assert.equal(IgnoreRules.isRulesFile('sub/.syncignore'), false);
});

test('an unreadable .syncignore keeps the previous rules and says why', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  fs.writeFileSync(path.join(dir, SYNCIGNORE), '*.log\n');
  const rules = await IgnoreRules.load(dir);
  fs.rmSync(path.join(dir, SYNCIGNORE));
  // A directory in its place cannot be read as a file (EISDIR), even as root.
  fs.mkdirSync(path.join(dir, SYNCIGNORE));
  assert.equal(await rules.reload(), false);
  assert.equal(rules.ignores('a.log'), true);
  assert.match(rules.error ?? '', /cannot read .*\.syncignore \(EISDIR\).*previous rules stay/);
  fs.rmdirSync(path.join(dir, SYNCIGNORE));
  await rules.reload();
  assert.equal(rules.error, null);
});
