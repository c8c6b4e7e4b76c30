import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir } from '../paths.js';

/**
 * One running instance per data dir (Electron's single-instance lock covers desktop mode;
 * this covers browser mode and the CLI). A lock left by a dead process is taken over.
 */
export class InstanceLock {
  private constructor(private readonly file: string) {}

  static acquire(dataDir: string): InstanceLock {
    ensurePrivateDir(dataDir);
    const file = path.join(dataDir, 'instance.lock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
        return new InstanceLock(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const pid = Number(fs.readFileSync(file, 'utf8'));
        if (Number.isInteger(pid) && pid > 0 && isAlive(pid))
          throw new Error(
            `another Replica Sync (pid ${pid}) is already running with data dir ${dataDir}; quit it or use --data-dir with another folder`,
          );
        fs.rmSync(file, { force: true });
      }
    }
    throw new Error(`cannot take the instance lock in ${dataDir}`);
  }

  release(): void {
    try {
      if (fs.readFileSync(this.file, 'utf8') === String(process.pid)) fs.rmSync(this.file);
    } catch {
      // Already gone: nothing to release.
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
