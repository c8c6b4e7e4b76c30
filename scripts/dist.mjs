// `npm run dist`: packages the desktop app with electron-builder (electron-builder.yml):
// AppImage and deb under release/ on Linux. electron-builder downloads Electron's zip, and
// rebuilds better-sqlite3 for Electron's ABI (npmRebuild), which needs Electron's headers;
// so this checks first that Electron can be downloaded, and says so in one line if not.
// Arguments go to electron-builder (default: --linux).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildAll } from './build.mjs';
import {
  builtAbi,
  electronAbi,
  electronBuildEnv,
  forgetRebuildNote,
  electronVersion,
  electronZipUrl,
  restoreNodeBuild,
  root,
  saveNodeBuild,
  unreachable,
} from './electron-native.mjs';

const args = process.argv.slice(2);
const platform = args.includes('--win') ? 'win32' : args.includes('--mac') ? 'darwin' : 'linux';
const url = electronZipUrl(platform);
const why = await unreachable(url);
if (why) {
  console.error(
    `npm run dist needs to download Electron ${electronVersion} (${url}: ${why}); ` +
      'run it on a machine that can, or set ELECTRON_MIRROR.',
  );
  process.exit(1);
}

await buildAll({ force: true });
// electron-builder rebuilds node_modules/better-sqlite3 in place for Electron; Node's build
// is put back afterwards so browser mode and npm test keep working.
const kept = saveNodeBuild();
forgetRebuildNote();
const r = spawnSync(
  process.execPath,
  [
    path.join(root, 'node_modules/electron-builder/cli.js'),
    '--config',
    'electron-builder.yml',
    ...(args.length ? args : ['--linux']),
  ],
  { cwd: root, env: electronBuildEnv(), stdio: 'inherit' },
);
if (kept) restoreNodeBuild();
if (r.status !== 0) {
  console.error(`npm run dist failed: electron-builder exited with ${r.status ?? r.signal}.`);
  process.exit(1);
}
// The unpacked app's better-sqlite3 must be Electron's, or the index would not open.
const unpacked = path.join(
  root,
  'release',
  'linux-unpacked',
  'resources',
  'app.asar.unpacked',
  'node_modules',
  'better-sqlite3',
  'build',
  'Release',
);
if (fs.existsSync(unpacked) && builtAbi(unpacked) !== electronAbi) {
  console.error(
    `npm run dist failed: the packaged better-sqlite3 has ABI ${builtAbi(unpacked)}, ` +
      `not Electron's ${electronAbi}.`,
  );
  process.exit(1);
}
console.log(`Packaged Replica Sync with Electron ${electronVersion} into release/.`);
