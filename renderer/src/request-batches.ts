// Splitting long lists into requests the contract takes. The limits mirror
// main/contract/limits.ts and wire.ts (the renderer imports only types from the contract;
// test/unit/renderer-request-batches.test.ts checks they are the same numbers).

/** wire.ts MAX_MESSAGE_BYTES: the largest message a transport carries. */
export const MESSAGE_MAX_BYTES = 4 * 1024 * 1024;
/** limits.ts IMPORT_PATHS_MAX_ITEMS / IMPORT_PATHS_MAX_CHARS. */
export const IMPORT_PATHS_LIMIT = { items: 1000, chars: 400_000 };
/** limits.ts KEY_LIST_MAX_ITEMS / KEY_LIST_MAX_CHARS. */
export const KEY_LIST_LIMIT = { items: 10_000, chars: 400_000 };

/**
 * `items` in order, cut into batches of at most `limit.items` items whose texts have at most
 * `limit.chars` characters together. An item longer than the budget alone gets a batch of its
 * own (the contract then names what is wrong with it).
 */
export function batchesWithin<T>(
  items: readonly T[],
  limit: { items: number; chars: number },
  text: (item: T) => string,
): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let chars = 0;
  for (const item of items) {
    const length = text(item).length;
    if (current.length > 0 && (current.length >= limit.items || chars + length > limit.chars)) {
      batches.push(current);
      current = [];
      chars = 0;
    }
    current.push(item);
    chars += length;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Whether a message text is over the transport's limit (its UTF-8 bytes, not its length). */
export function overMessageLimit(text: string): boolean {
  // A UTF-16 unit takes at most 3 bytes in UTF-8, so a short text need not be encoded.
  if (text.length * 3 <= MESSAGE_MAX_BYTES) return false;
  return new TextEncoder().encode(text).length > MESSAGE_MAX_BYTES;
}
