// The key rules (key-names.ts keyRefusal) applied where the folder loop hands work on: the
// same check for watcher batches, scans, the rescan's re-queue of waiting rows, uploads
// resumed at start and retries. A name S3 (or the pull) cannot take stays visible as an
// error row with the fix, is said once, and is never uploaded.
import { keyRefusal, objectKey } from '../watch/key-names.js';
import type { Decision } from './change-detector.js';
import type { FolderConfig, FolderDeps } from './folder-types.js';
import type { OnceLog } from './once-log.js';

export class KeyGate {
  constructor(
    private readonly folder: FolderConfig,
    private readonly deps: FolderDeps,
    private readonly said: OnceLog,
  ) {}

  /** True when the path may be uploaded; otherwise its row says why (written once). */
  allows(relPath: string, size: number, mtimeMs: number): boolean {
    const message = keyRefusal(relPath, this.folder.prefix);
    if (message === null) return true;
    const { index } = this.deps;
    const row = index.get(this.folder.id, relPath);
    if (row?.state !== 'error' || row.error !== message || row.size !== size) {
      index.upsert({
        folderId: this.folder.id,
        relPath,
        key: objectKey(this.folder.prefix, relPath),
        size,
        mtimeMs,
        state: 'error',
        error: message,
      });
      const updated = index.get(this.folder.id, relPath);
      if (updated) this.deps.onRows([updated]);
    }
    this.said.say(`path:${relPath}`, 'warn', message);
    return false;
  }

  /** An upload to a refused key is dropped; a rename to one is the delete of its source. */
  filter(d: Decision): Decision[] {
    if (d.kind === 'upload' && !this.allows(d.relPath, d.size, d.mtimeMs)) return [];
    if (d.kind === 'rename' && !this.allows(d.to, d.size, d.mtimeMs))
      return [{ kind: 'delete', relPath: d.from, record: d.record }];
    return [d];
  }
}
