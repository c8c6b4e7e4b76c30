// The shared part of every S3 listing: walk rows in key order page by page, roll keys up into
// CommonPrefixes at the delimiter, stop at max-keys and say whether more remain.

export interface Cursor {
  /** Rows strictly after this key (or from it when inclusive) ... */
  key: string;
  inclusive: boolean;
  /** ... plus, for rows of exactly this key, those after this tie-breaker (listing-specific). */
  tie?: string;
}

export interface ListOptions {
  prefix: string;
  delimiter: string;
  maxKeys: number;
}

export interface Listed<T> {
  items: T[];
  prefixes: string[];
  truncated: boolean;
  /** The last thing emitted, for NextMarker / continuation tokens. */
  last?: { row?: T; prefix?: string };
}

const PAGE = 500;
// Sorts after every key that starts with a given prefix (UTF-8 byte order, as SQLite compares).
const PAST = '\u{10FFFF}';

export function collect<T extends { key: string }>(
  page: (cursor: Cursor, limit: number) => T[],
  cursorAfter: (row: T) => Cursor,
  start: Cursor,
  opts: ListOptions,
): Listed<T> {
  const out: Listed<T> = { items: [], prefixes: [], truncated: false };
  const { prefix, delimiter, maxKeys } = opts;
  let cursor = start;
  if (prefix !== '' && prefix > cursor.key) cursor = { key: prefix, inclusive: true, tie: '~' };
  // A marker that is itself a common prefix was emitted by the previous page: skip its keys.
  let lastPrefix: string | undefined = start.key !== '' ? start.key : undefined;
  let count = 0;
  for (;;) {
    const rows = page(cursor, PAGE);
    if (rows.length === 0) return out;
    let reseek = false;
    for (const row of rows) {
      if (!row.key.startsWith(prefix)) return out;
      const at = delimiter === '' ? -1 : row.key.indexOf(delimiter, prefix.length);
      const cp = at >= 0 ? row.key.slice(0, at + delimiter.length) : undefined;
      // A key under the common prefix emitted last is passed over with the rest of them below.
      if (cp === undefined || cp !== lastPrefix) {
        if (count >= maxKeys) {
          out.truncated = true;
          return out;
        }
        count++;
        if (cp === undefined) {
          out.items.push(row);
          out.last = { row };
          cursor = cursorAfter(row);
          continue;
        }
        out.prefixes.push(cp);
        out.last = { prefix: cp };
        lastPrefix = cp;
      }
      // Seek past every key under the common prefix.
      cursor = { key: cp + PAST, inclusive: false, tie: '' };
      reseek = true;
      break;
    }
    if (!reseek && rows.length < PAGE) return out;
  }
}
