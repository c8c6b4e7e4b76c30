// A line diff of two texts (longest common subsequence), for comparing the sides of a
// conflict. Pure, so it runs under Node for the unit tests.

export type DiffOp = 'same' | 'removed' | 'added';

export interface DiffLine {
  op: DiffOp;
  text: string;
  /** 1-based line number in the first text; null for an added line. */
  a: number | null;
  /** 1-based line number in the second text; null for a removed line. */
  b: number | null;
}

export interface LineDiff {
  lines: DiffLine[];
  added: number;
  removed: number;
  /**
   * False when the changed middle was too long to align line by line: it is then shown as
   * all removed, then all added (still correct, just not minimal).
   */
  exact: boolean;
}

/** Unchanged lines left out between two changes, in a shortened diff. */
export interface DiffSkip {
  op: 'skip';
  count: number;
}

/** Above this many table cells (lines × lines of the changed middle) the diff is not aligned. */
export const MAX_DIFF_CELLS = 4_000_000;

/** Lines of a text; a final newline ends the last line rather than starting an empty one. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r\n|\n|\r/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The lines that turn `before` into `after`: same, removed (only in before), added. */
export function diffLines(before: string, after: string, maxCells = MAX_DIFF_CELLS): LineDiff {
  const a = splitLines(before);
  const b = splitLines(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }

  const lines: DiffLine[] = [];
  for (let i = 0; i < start; i++) lines.push({ op: 'same', text: a[i]!, a: i + 1, b: i + 1 });

  const n = endA - start;
  const m = endB - start;
  const exact = (n + 1) * (m + 1) <= maxCells;
  if (exact) alignMiddle(a, b, start, n, m, lines);
  else {
    for (let i = 0; i < n; i++)
      lines.push({ op: 'removed', text: a[start + i]!, a: start + i + 1, b: null });
    for (let j = 0; j < m; j++)
      lines.push({ op: 'added', text: b[start + j]!, a: null, b: start + j + 1 });
  }

  for (let k = 0; k < a.length - endA; k++)
    lines.push({ op: 'same', text: a[endA + k]!, a: endA + k + 1, b: endB + k + 1 });

  let added = 0;
  let removed = 0;
  for (const line of lines) {
    if (line.op === 'added') added++;
    else if (line.op === 'removed') removed++;
  }
  return { lines, added, removed, exact };
}

/** LCS of a[start..start+n) and b[start..start+m), walked forward into diff lines. */
function alignMiddle(
  a: string[],
  b: string[],
  start: number,
  n: number,
  m: number,
  out: DiffLine[],
): void {
  const width = m + 1;
  // lcs[i * width + j]: length of the LCS of the middles' suffixes from i and j.
  const lcs = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * width + j] =
        a[start + i] === b[start + j]
          ? lcs[(i + 1) * width + j + 1]! + 1
          : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[start + i] === b[start + j]) {
      out.push({ op: 'same', text: a[start + i]!, a: start + i + 1, b: start + j + 1 });
      i++;
      j++;
    } else if (j >= m || (i < n && lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!)) {
      out.push({ op: 'removed', text: a[start + i]!, a: start + i + 1, b: null });
      i++;
    } else {
      out.push({ op: 'added', text: b[start + j]!, a: null, b: start + j + 1 });
      j++;
    }
  }
}

/**
 * The diff with long unchanged stretches left out: `context` unchanged lines stay around
 * each change, the rest become one skip entry.
 */
export function withContext(lines: readonly DiffLine[], context = 3): (DiffLine | DiffSkip)[] {
  const keep = new Array<boolean>(lines.length).fill(false);
  lines.forEach((line, index) => {
    if (line.op === 'same') return;
    const from = Math.max(0, index - context);
    const to = Math.min(lines.length - 1, index + context);
    for (let k = from; k <= to; k++) keep[k] = true;
  });
  const out: (DiffLine | DiffSkip)[] = [];
  let skipped = 0;
  lines.forEach((line, index) => {
    if (keep[index]) {
      if (skipped > 0) out.push({ op: 'skip', count: skipped });
      skipped = 0;
      out.push(line);
    } else skipped++;
  });
  if (skipped > 0) out.push({ op: 'skip', count: skipped });
  return out;
}
