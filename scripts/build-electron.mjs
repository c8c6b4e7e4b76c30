// Bundles the Electron entry (ESM) and preload (CommonJS: sandboxed preloads cannot be ESM).
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'electron');

export async function buildElectron() {
  await build({
    entryPoints: [path.join(root, 'main/electron/main.ts')],
    outfile: path.join(out, 'main.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
  await build({
    entryPoints: [path.join(root, 'main/electron/preload.ts')],
    outfile: path.join(out, 'preload.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'chrome130',
    external: ['electron'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  fs.cpSync(path.join(root, 'assets', 'icons'), path.join(root, 'dist', 'icons'), {
    recursive: true,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildElectron();
