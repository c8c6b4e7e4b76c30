// `npm run rebuild:electron`: rebuilds better-sqlite3 for Electron's ABI with @electron/rebuild
// (which electron-builder brings), so `npm start` can open the index in desktop mode. It
// needs Electron's headers (downloaded from electronjs.org). Node (browser mode, `npm test`)
// then needs Node's build back: `npm rebuild better-sqlite3`.
// If the rebuild fails, Node's build is put back and one line says why.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import {
  builtAbi,
  electronAbi,
  electronBuildEnv,
  electronVersion,
  restoreNodeBuild,
  root,
  saveNodeBuild,
} from './electron-native.mjs';

const kept = saveNodeBuild();
const r = spawnSync(
  process.execPath,
  [
    path.join(root, 'node_modules/@electron/rebuild/lib/cli.js'),
    '--version',
    electronVersion,
    '--force',
    '--only',
    'better-sqlite3',
  ],
  { cwd: root, env: electronBuildEnv(), encoding: 'utf8', timeout: 10 * 60_000 },
);
const abi = r.status === 0 ? builtAbi() : undefined;
if (r.status === 0 && abi === electronAbi) {
  console.log(
    `better-sqlite3 is rebuilt for Electron ${electronVersion}; ` +
      'for browser mode and npm test again, run npm rebuild better-sqlite3',
  );
} else {
  if (kept) restoreNodeBuild();
  const out = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
  const network =
    /network connectivity|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|getaddrinfo/.test(out);
  const why = r.error
    ? r.error.message
    : r.status === 0
      ? `the module it made has ABI ${abi ?? 'unknown'}, not Electron's ${electronAbi} (is a nodedir set in .npmrc?)`
      : network
        ? `it needs to download Electron ${electronVersion}'s headers from electronjs.org, which cannot be reached`
        : (out
            .split('\n')
            .map((l) => l.trim())
            .find((l) => /error/i.test(l) && !l.startsWith('at ')) ?? `exit code ${r.status}`);
  console.error(
    `npm run rebuild:electron failed: ${why}${kept ? " (Node's build of better-sqlite3 is kept)" : ''}.`,
  );
  process.exit(1);
}
