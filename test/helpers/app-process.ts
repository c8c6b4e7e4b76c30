import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface RunningApp {
  url: string;
  origin: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts the app the way a user does (`npm start -- …`) and waits for its URL line. */
export async function startApp(args: string[], timeoutMs = 120_000): Promise<RunningApp> {
  // Never let a test create ~/Replica Sync: the first-start folder goes beside the data dir
  // (never inside it, which folders.add refuses), so the data dir is a folder of the test's
  // own temp dir.
  const dataDir = args[args.indexOf('--data-dir') + 1];
  if (!args.includes('--folder') && args.includes('--data-dir') && dataDir) {
    if (path.resolve(path.dirname(dataDir)) === path.resolve(os.tmpdir()))
      throw new Error(`give a data dir inside the test's temp dir (e.g. ${dataDir}/data)`);
    args = [...args, '--folder', path.join(path.dirname(dataDir), 'Replica Sync')];
  }
  const child: ChildProcess = spawn('npm', ['start', '--silent', '--', '--no-open', ...args], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DISPLAY: '', WAYLAND_DISPLAY: '' },
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const stop = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise((r) => child.once('exit', r));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the app printed no URL in ${timeoutMs} ms:\n${out}`)),
      timeoutMs,
    );
    const onData = () => {
      const m = /Replica Sync running at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the app exited with code ${code} before printing its URL:\n${out}`));
    });
  }).catch(async (err) => {
    await stop();
    throw err;
  });
  return { url, origin: new URL(url).origin, output: () => out, stop };
}
