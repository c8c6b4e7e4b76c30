// The list limits that keep the largest valid message under MAX_MESSAGE_BYTES (wire.ts).
// A character may take 6 bytes in JSON (a control character or a lone surrogate becomes
// \u0000), so a budget of N characters costs at most 6·N bytes:
//   paths and keys: 400,000 characters → 2.4 MB; rules: 100 of at most ~32 KB → 3.2 MB;
// against 4 MiB. test/unit/contract-message-size.test.ts builds each largest message.

/** files.importPaths: paths per call, and their characters together. */
export const IMPORT_PATHS_MAX_ITEMS = 1000;
export const IMPORT_PATHS_MAX_CHARS = 400_000;

/** replication.replicateExisting / placeDeleteMarkers: keys per call, and their characters. */
export const KEY_LIST_MAX_ITEMS = 10_000;
export const KEY_LIST_MAX_CHARS = 400_000;

/** replication.check / save: the rules of one bucket's configuration. */
export const REPLICATION_RULES_MAX = 100;
