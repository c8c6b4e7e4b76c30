// Builds the renderer into dist/renderer. The output runs from the browser-mode HTTP server
// at `/` and from the Electron custom protocol `app://replica-sync/`, under a strict CSP
// (no inline scripts or styles), so paths are relative and the preload polyfill is off.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  publicDir: false,
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'react' },
  },
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    cssCodeSplit: false,
    assetsInlineLimit: 0,
    sourcemap: true,
    target: 'es2022',
  },
  server: {
    host: '127.0.0.1',
    strictPort: false,
  },
});
