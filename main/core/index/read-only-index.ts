// The index opened read-only, for tools that look at an instance that is not running (the
// command line). It never creates, migrates or writes anything.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { INDEX_SCHEMA_VERSION, type IndexDb } from './index-db.js';

/** The index file does not exist: nothing was ever synced with this data dir. */
export class NoIndexError extends Error {
  constructor(readonly file: string) {
    super(`there is no index at ${file}`);
    this.name = 'NoIndexError';
  }
}

/**
 * Opens `file` read-only and checks its schema is the one this version reads. Statements
 * that write (FolderTable, FileIndex prepare some) can be prepared but fail if run.
 */
export function openIndexReadOnly(file: string): IndexDb {
  if (!fs.existsSync(file)) throw new NoIndexError(file);
  let db: IndexDb | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    // Waits out a checkpoint of a running instance instead of failing with SQLITE_BUSY.
    db.pragma('busy_timeout = 2000');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > INDEX_SCHEMA_VERSION)
      throw new Error(
        `the index ${file} was written by a newer Replica Sync (schema ${version}, this ` +
          `version knows ${INDEX_SCHEMA_VERSION}); update the app`,
      );
    if (version < INDEX_SCHEMA_VERSION)
      throw new Error(
        `the index ${file} has schema ${version}, older than this version's ` +
          `${INDEX_SCHEMA_VERSION}; start Replica Sync once to upgrade it`,
      );
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof Error && /^the index /.test(err.message)) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`cannot read the index ${file}: ${reason}`, { cause: err });
  }
}
