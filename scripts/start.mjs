// `npm start`: desktop mode when Electron can start, otherwise browser mode (DESIGN.md §6).
// Arguments after `--` go to the app: --data-dir DIR, --port N, --browser, --no-open.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAll } from './build.mjs';
import './quiet-warnings.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const marker = path.join(root, 'node_modules', '.cache', 'replica-sync', 'electron-download.json');
const RETRY_AFTER_MS = 24 * 3600 * 1000;

/**
 * The Electron executable when it is installed. Reads electron's path.txt (written by its
 * installer) instead of require('electron'): since Electron 45 that require downloads the
 * binary when it is missing, printing the installer's stack trace at every start.
 */
function electronBinary() {
  const pkg = path.join(root, 'node_modules', 'electron');
  let rel = '';
  try {
    rel = fs.readFileSync(path.join(pkg, 'path.txt'), 'utf8');
  } catch {
    // Not installed, unless ELECTRON_OVERRIDE_DIST_PATH points at one.
  }
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const bin = override
    ? path.join(override, rel || 'electron')
    : rel && path.join(pkg, 'dist', rel);
  return bin && fs.existsSync(bin) ? bin : undefined;
}

/** npm install does not run electron's download (allowScripts); try it once a day here. */
function fetchElectron() {
  try {
    const last = JSON.parse(fs.readFileSync(marker, 'utf8'));
    if (Date.now() - last.failedAt < RETRY_AFTER_MS)
      return `its binary is not installed (download failed: ${last.reason})`;
  } catch {
    // No earlier failure recorded: try now.
  }
  process.stderr.write('Fetching the Electron binary (first start)…\n');
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/electron/install.js')], {
    cwd: path.join(root, 'node_modules/electron'),
    encoding: 'utf8',
    timeout: 90_000,
  });
  if (electronBinary()) return undefined;
  // The installer prints a stack; its first error line says what went wrong.
  const lines = (r.error?.message ?? r.stderr ?? '').split('\n').map((l) => l.trim());
  const found =
    lines.find((l) => /error/i.test(l) && !l.startsWith('at ')) ??
    lines.find((l) => l && !l.startsWith('at ')) ??
    `installer exited with ${r.status}`;
  // Electron 45's installer (fetch) says only "TypeError: fetch failed" when offline.
  const reason = /fetch failed/i.test(found)
    ? 'its download host cannot be reached: fetch failed'
    : found;
  fs.mkdirSync(path.dirname(marker), { recursive: true });
  fs.writeFileSync(marker, JSON.stringify({ failedAt: Date.now(), reason: reason.slice(0, 200) }));
  return `its binary is not installed and could not be downloaded (${reason.slice(0, 200)})`;
}

function whyNoElectron() {
  if (args.includes('--browser')) return 'browser mode was asked for with --browser';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)';
  if (!electronBinary()) return fetchElectron();
  return undefined;
}

function runBrowserMode() {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'main/server/main.ts'), ...args],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

function runDesktopMode(bin) {
  const started = Date.now();
  const child = spawn(bin, [path.join(root, 'dist/electron/main.mjs'), ...args], {
    cwd: root,
    stdio: ['inherit', 'inherit', 'pipe'],
  });
  let lastError = '';
  child.stderr.on('data', (d) => {
    process.stderr.write(d);
    lastError = String(d).trim().split('\n').pop() ?? lastError;
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => {
    if (code !== 0 && Date.now() - started < 10_000) {
      console.log(
        `Electron cannot start: it exited with code ${code} (${lastError || 'no message'}); running browser mode.`,
      );
      runBrowserMode();
    } else process.exit(code ?? 0);
  });
}

await buildAll();
const reason = whyNoElectron();
if (reason) {
  console.log(`Electron cannot start: ${reason}; running browser mode.`);
  runBrowserMode();
} else runDesktopMode(electronBinary());
