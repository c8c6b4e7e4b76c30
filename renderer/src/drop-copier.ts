// How files dropped on the window reach a watched folder. Desktop: the preload tells each
// File's local path and main copies them (files.importPaths). Browser mode: the page has no
// paths, so each file is uploaded to this page's own server (PUT /drop/<folderId>?name=…,
// authenticated by the rs_token cookie set when the page was loaded).
import type { ReplicaSyncApi } from '../../main/contract/api.js';
import { errorMessage } from './contract-error.js';
import { dropName, dropUrl, writtenPath } from './drop-target.js';
import { batchesWithin, IMPORT_PATHS_LIMIT } from './request-batches.js';

export interface DroppedItem {
  file: File;
  /** Relative name inside the folder (`photos/a.jpg` for a file of a dropped directory). */
  name: string;
}

export type DropReport =
  { ok: true; name: string; path: string } | { ok: false; name: string; message: string };

export interface DropCopier {
  /** Reads what was dropped; call it during the drop event (the items expire after it). */
  collect(data: DataTransfer): Promise<DroppedItem[]>;
  /** Copies the items into the folder, reporting each one as it finishes. */
  copy(folderId: string, items: DroppedItem[], report: (r: DropReport) => void): Promise<void>;
}

function plainFiles(data: DataTransfer): DroppedItem[] {
  return Array.from(data.files, (file) => ({ file, name: file.name }));
}

/** Desktop: main copies the files from their paths. */
export function createPathDropCopier(
  api: ReplicaSyncApi,
  pathForFile: (file: File) => string,
): DropCopier {
  return {
    collect: (data) => Promise.resolve(plainFiles(data)),

    async copy(folderId, items, report) {
      const withPaths: { name: string; path: string }[] = [];
      for (const item of items) {
        let path = '';
        try {
          path = pathForFile(item.file);
        } catch {
          path = '';
        }
        if (path === '') {
          report({ ok: false, name: item.name, message: 'it is not a file on this computer' });
        } else {
          withPaths.push({ name: item.name, path });
        }
      }
      // importPaths takes so many paths, and characters, per call (the contract's limits).
      for (const batch of batchesWithin(withPaths, IMPORT_PATHS_LIMIT, (b) => b.path)) {
        try {
          const { copied } = await api.invoke('files.importPaths', {
            folderId,
            paths: batch.map((b) => b.path),
          });
          for (const path of copied) report({ ok: true, name: path, path });
          if (copied.length === 0) {
            for (const b of batch) {
              report({ ok: false, name: b.name, message: 'Replica Sync copied nothing' });
            }
          }
        } catch (error) {
          for (const b of batch) report({ ok: false, name: b.name, message: errorMessage(error) });
        }
      }
    },
  };
}

function readEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

function isDirectory(entry: FileSystemEntry): entry is FileSystemDirectoryEntry {
  return entry.isDirectory;
}

function isFile(entry: FileSystemEntry): entry is FileSystemFileEntry {
  return entry.isFile;
}

/** Every file under an entry, with its path from the dropped item (`/photos/a.jpg`). */
async function filesUnder(entry: FileSystemEntry, out: DroppedItem[]): Promise<void> {
  if (isFile(entry)) {
    const file = await fileOf(entry);
    out.push({ file, name: dropName(entry.fullPath, file.name) });
    return;
  }
  if (!isDirectory(entry)) return;
  const reader = entry.createReader();
  // readEntries answers in batches until it answers an empty one.
  for (;;) {
    const batch = await readEntries(reader);
    if (batch.length === 0) break;
    for (const child of batch) await filesUnder(child, out);
  }
}

async function uploadFailure(response: Response): Promise<string> {
  if (response.status === 401) {
    return 'this page is no longer signed in: open the address Replica Sync printed again';
  }
  const text = (await response.text().catch(() => '')).trim();
  return text !== '' ? text : `the server answered ${response.status}`;
}

/** Browser mode: each file goes to the page's own server over HTTP. */
export function createUploadDropCopier(): DropCopier {
  return {
    collect(data) {
      // Entries are taken now: the DataTransfer is emptied once the drop event is over.
      const entries: FileSystemEntry[] = [];
      const loose: DroppedItem[] = [];
      for (const item of Array.from(data.items)) {
        if (item.kind !== 'file') continue;
        const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
        if (entry) {
          entries.push(entry);
        } else {
          const file = item.getAsFile();
          if (file) loose.push({ file, name: file.name });
        }
      }
      if (entries.length === 0 && loose.length === 0) return Promise.resolve(plainFiles(data));
      return (async () => {
        const out: DroppedItem[] = [...loose];
        for (const entry of entries) await filesUnder(entry, out);
        return out;
      })();
    },

    async copy(folderId, items, report) {
      for (const item of items) {
        try {
          const response = await fetch(dropUrl(folderId, item.name), {
            method: 'PUT',
            body: item.file,
            credentials: 'same-origin',
            headers: { 'content-type': 'application/octet-stream' },
          });
          if (response.status === 201) {
            report({
              ok: true,
              name: item.name,
              path: writtenPath(await response.text(), item.name),
            });
          } else {
            report({ ok: false, name: item.name, message: await uploadFailure(response) });
          }
        } catch (error) {
          report({
            ok: false,
            name: item.name,
            message: `could not reach Replica Sync (${errorMessage(error)})`,
          });
        }
      }
    },
  };
}
