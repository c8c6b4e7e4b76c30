// Test data for bench/sync-engine.ts: small files, one big file, and the restart folder with
// an index that already calls every file 'synced'.
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { FileIndex } from '../../main/core/index/file-index.js';
import { FolderTable, openIndexDb } from '../../main/core/index/index-db.js';
import { objectKey } from '../../main/core/watch/key-names.js';
import { MiB, REGION } from './common.js';

/** Writes `count` files of `size` random bytes, 1000 per subfolder. */
export function writeSmallFiles(dir: string, count: number, size: number): void {
  for (let i = 0; i < count; i++) {
    const sub = path.join(dir, `d${String(Math.floor(i / 1000)).padStart(3, '0')}`);
    if (i % 1000 === 0) fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(path.join(sub, `f${String(i).padStart(6, '0')}.bin`), randomBytes(size));
  }
}

/** Streams `size` pseudo-random bytes (an AES-CTR keystream) to `file`; returns their sha256. */
export async function writeBigFile(file: string, size: number): Promise<string> {
  const cipher = createCipheriv('aes-256-ctr', randomBytes(32), randomBytes(16));
  const zeros = Buffer.alloc(4 * MiB);
  const sha = createHash('sha256');
  const out = fs.createWriteStream(file);
  for (let done = 0; done < size;) {
    const n = Math.min(zeros.length, size - done);
    const chunk = cipher.update(zeros.subarray(0, n));
    sha.update(chunk);
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    done += n;
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  return sha.digest('hex');
}

/** Writes `count` 1-byte files over `dirs` subfolders of `folder`; returns their relative paths. */
export function writeRestartFiles(folder: string, count: number, dirs: number): string[] {
  const rels: string[] = [];
  const perDir = Math.ceil(count / dirs);
  const width = Math.max(6, String(count).length);
  for (let i = 0; i < count; i++) {
    const sub = `s${String(Math.floor(i / perDir)).padStart(3, '0')}`;
    if (i % perDir === 0) fs.mkdirSync(path.join(folder, sub), { recursive: true });
    const rel = `${sub}/f${String(i).padStart(width, '0')}.txt`;
    fs.writeFileSync(path.join(folder, rel), String(i % 10));
    rels.push(rel);
  }
  return rels;
}

/** An index at `indexFile` with one folder and a 'synced' row (real size/mtime) per file. */
export function fillSyncedIndex(
  indexFile: string,
  folder: string,
  bucket: string,
  rels: string[],
): void {
  const shas = Array.from({ length: 10 }, (_, d) =>
    createHash('sha256').update(String(d)).digest('hex'),
  );
  const db = openIndexDb(indexFile);
  const folderRecord = new FolderTable(db).add({
    id: 'bench-restart',
    localPath: folder,
    accountId: 'local',
    bucket,
    prefix: '',
    region: REGION,
  });
  const index = new FileIndex(db);
  index.transaction(() => {
    rels.forEach((rel, i) => {
      const st = fs.statSync(path.join(folder, rel));
      index.upsert({
        folderId: folderRecord.id,
        relPath: rel,
        key: objectKey('', rel),
        size: st.size,
        mtimeMs: st.mtimeMs,
        sha256: shas[i % 10] ?? null,
        state: 'synced',
        // Placeholders shaped like real ones; the bucket stays empty, so the pull lists nothing.
        versionId: `bench-${String(i).padStart(8, '0')}`,
        etag: `"${createHash('md5')
          .update(String(i % 10))
          .digest('hex')}"`,
      });
    });
  });
  db.close();
}
