// The line diff the Conflicts view shows between two text sides.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffLines, splitLines, withContext, type DiffLine } from '../../renderer/src/text-diff.js';

const ops = (lines: readonly DiffLine[]) =>
  lines.map((l) => `${l.op === 'same' ? ' ' : l.op === 'added' ? '+' : '-'}${l.text}`);

/** Applying the diff to `before` must give `after`, and dropping additions gives `before`. */
function assertConsistent(before: string, after: string) {
  const { lines } = diffLines(before, after);
  assert.deepEqual(
    lines.filter((l) => l.op !== 'added').map((l) => l.text),
    splitLines(before),
  );
  assert.deepEqual(
    lines.filter((l) => l.op !== 'removed').map((l) => l.text),
    splitLines(after),
  );
}

describe('splitLines', () => {
  it('ends lines at \\n, \\r\\n and \\r, without an empty last line', () => {
    assert.deepEqual(splitLines(''), []);
    assert.deepEqual(splitLines('a'), ['a']);
    assert.deepEqual(splitLines('a\n'), ['a']);
    assert.deepEqual(splitLines('a\r\nb\rc\n\n'), ['a', 'b', 'c', '']);
  });
});

describe('diffLines', () => {
  it('says nothing changed for equal texts', () => {
    const d = diffLines('a\nb\n', 'a\nb\n');
    assert.deepEqual(ops(d.lines), [' a', ' b']);
    assert.equal(d.added + d.removed, 0);
    assert.equal(d.exact, true);
  });

  it('finds a changed line between unchanged ones, with line numbers on both sides', () => {
    const d = diffLines('one\ntwo\nthree\n', 'one\n2\nthree\nfour\n');
    assert.deepEqual(ops(d.lines), [' one', '-two', '+2', ' three', '+four']);
    assert.deepEqual(
      d.lines.map((l) => [l.a, l.b]),
      [
        [1, 1],
        [2, null],
        [null, 2],
        [3, 3],
        [null, 4],
      ],
    );
    assert.equal(d.added, 2);
    assert.equal(d.removed, 1);
  });

  it('is minimal: the longest common subsequence stays', () => {
    const d = diffLines('a\nb\nc\nd\ne\n', 'b\nc\nx\nd\ne\ny\n');
    assert.deepEqual(ops(d.lines), ['-a', ' b', ' c', '+x', ' d', ' e', '+y']);
  });

  it('handles empty sides', () => {
    assert.deepEqual(ops(diffLines('', 'a\nb').lines), ['+a', '+b']);
    assert.deepEqual(ops(diffLines('a\nb', '').lines), ['-a', '-b']);
    assert.deepEqual(diffLines('', '').lines, []);
  });

  it('stays consistent on mixed edits', () => {
    assertConsistent('x\ny\nz\nx\ny\nz\n', 'y\nx\nz\nz\ny\n');
    assertConsistent('same\n'.repeat(50) + 'a\n', 'b\n' + 'same\n'.repeat(50));
  });

  it('falls back to remove-then-add past the size limit, still consistent', () => {
    const before = 'head\na\nb\nc\ntail\n';
    const after = 'head\nc\nb\na\ntail\n';
    const d = diffLines(before, after, 4);
    assert.equal(d.exact, false);
    assert.deepEqual(ops(d.lines), [' head', '-a', '-b', '-c', '+c', '+b', '+a', ' tail']);
  });
});

describe('withContext', () => {
  it('keeps a few unchanged lines around changes and counts the rest', () => {
    const before = Array.from({ length: 20 }, (_, i) => `l${i}`).join('\n');
    const after = before.replace('l10', 'L10');
    const shown = withContext(diffLines(before, after).lines, 2);
    assert.deepEqual(
      shown.map((s) => (s.op === 'skip' ? `…${s.count}` : `${s.op[0]}${s.text}`)),
      ['…8', 'sl8', 'sl9', 'rl10', 'aL10', 'sl11', 'sl12', '…7'],
    );
  });

  it('shows no skip when nothing is left out, and only a skip when nothing changed', () => {
    assert.deepEqual(
      withContext(diffLines('a\nb', 'a\nc').lines).map((s) => s.op),
      ['same', 'removed', 'added'],
    );
    assert.deepEqual(withContext(diffLines('a\nb', 'a\nb').lines), [{ op: 'skip', count: 2 }]);
  });
});
