// The setup the interop tests (AWS CLI, rclone) share: a temp dir with an empty work/ folder
// for the test's files, and the regions running as a separate process on DIR/regions.
import fs from 'node:fs';
import path from 'node:path';
import { spawnRegions, type RegionsProcess } from './regions-process.js';
import { tempDir } from './temp-dir.js';

export interface InteropSetup {
  server: RegionsProcess;
  /** The temp dir, for the peer's own config files. */
  dir: string;
  /** DIR/work, empty. */
  work: string;
  /** Removes the temp dir (stop the server first). */
  cleanup: () => void;
}

/** Starts us-east-1 and eu-west-1 in a fresh temp dir; on failure the dir is removed. */
export async function startInterop(prefix: string): Promise<InteropSetup> {
  const t = tempDir(prefix);
  try {
    const work = path.join(t.dir, 'work');
    fs.mkdirSync(work);
    const server = await spawnRegions({
      regions: ['us-east-1', 'eu-west-1'],
      dataDir: path.join(t.dir, 'regions'),
    });
    return { server, dir: t.dir, work, cleanup: t.cleanup };
  } catch (err) {
    t.cleanup();
    throw err;
  }
}
