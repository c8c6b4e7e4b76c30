import { spawn } from 'node:child_process';

/** Opens a path or URL with the system's handler, outside Electron. Resolves to '' or an error. */
export function openWithSystem(
  target: string,
  platform: NodeJS.Platform = process.platform,
): Promise<string> {
  const command = platform === 'darwin' ? 'open' : platform === 'win32' ? 'explorer' : 'xdg-open';
  return new Promise((resolve) => {
    const child = spawn(command, [target], { detached: true, stdio: 'ignore' });
    child.once('error', (err) =>
      resolve(`cannot open ${target}: ${command} is not available (${(err as Error).message})`),
    );
    child.once('spawn', () => {
      child.unref();
      resolve('');
    });
  });
}
