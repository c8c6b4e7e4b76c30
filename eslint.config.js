// Lint enforces the layering of DESIGN.md section 3:
// contract <- core <- electron/server; renderer imports only types from contract;
// regions stands alone.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const electron = { name: 'electron', message: 'Only main/electron/ may import electron.' };
const folders = (names) => names.map((n) => `**/${n}/**`);
const coreLayer = {
  group: folders(['electron', 'server', 'renderer', 'regions']),
  message: 'core/ depends only on contract/.',
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      '**/*.cjs',
      '.bench-data/**',
      '.scratch*/**',
      'release/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['main/contract/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\./[\\w.-]+$)',
              message:
                'main/contract/ imports nothing but its own files: it is shared by main and renderer.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['main/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [electron],
          patterns: [coreLayer],
        },
      ],
    },
  },
  {
    // Services get narrow interfaces (FolderDirectory, UploadEvents…), never the app.
    files: ['main/core/**/*.ts'],
    ignores: ['main/core/app/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [electron],
          patterns: [
            coreLayer,
            {
              group: ['**/app/*', '../app', './app'],
              message:
                'core/ services do not import core/app: take a narrow interface (core/sync/folder-directory.ts, core/command-handlers.ts).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['main/server/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [electron],
          patterns: [
            {
              group: folders(['electron', 'renderer']),
              message: 'server/ may not use the Electron side.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['main/regions/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [electron],
          patterns: [
            {
              group: folders(['contract', 'core', 'electron', 'server', 'renderer']),
              message: 'regions/ stands alone: it depends on no other folder of the project.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['main/electron/**/*.ts'],
    ignores: ['main/electron/ipc-host.ts', 'main/electron/preload.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'MemberExpression[object.name=/^ipc(Main|Renderer)$/]',
          message:
            'Raw IPC is only used by ipc-host.ts and preload.ts; go through the typed contract.',
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    ignores: ['renderer/vite.config.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'The renderer never imports electron; use the api module.',
            },
            ...nodeBuiltins.map((name) => ({
              name,
              message: 'The renderer never imports node built-ins.',
            })),
          ],
          patterns: [
            {
              group: ['**/main/**', '!**/main/contract/**'],
              message: 'The renderer talks to main only through the contract and the api module.',
            },
            {
              group: ['**/main/contract/**'],
              allowTypeImports: true,
              message: 'The renderer imports only types from main/contract/.',
            },
          ],
        },
      ],
    },
  },
);
