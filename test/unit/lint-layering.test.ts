// The layering of DESIGN.md section 3 is enforced by lint; this proves the rules bite.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((m) => /no-restricted-(imports|syntax)/.test(m.ruleId ?? ''))
    .map((m) => m.message);
}

test('core and server may not import electron', async () => {
  for (const file of ['main/core/x.ts', 'main/server/x.ts']) {
    const msgs = await restricted(file, "import { app } from 'electron';\nexport const a = app;\n");
    assert.equal(msgs.length, 1, `${file}: ${msgs.join(' | ')}`);
  }
  assert.equal(
    (
      await restricted(
        'main/electron/x.ts',
        "import { app } from 'electron';\nexport const a = app;\n",
      )
    ).length,
    0,
  );
});

test('contract imports nothing but its own files', async () => {
  assert.equal(
    (await restricted('main/contract/x.ts', "import fs from 'node:fs';\nexport const a = fs;\n"))
      .length,
    1,
  );
  assert.equal(
    (await restricted('main/contract/x.ts', "import { z } from 'zod';\nexport const a = z;\n"))
      .length,
    1,
  );
  assert.equal(
    (
      await restricted(
        'main/contract/x.ts',
        "import { a } from '../core/paths.js';\nexport const b = a;\n",
      )
    ).length,
    1,
  );
  assert.equal(
    (
      await restricted(
        'main/contract/x.ts',
        "import { parse } from './schema.js';\nexport const b = parse;\n",
      )
    ).length,
    0,
  );
});

test('renderer: no node built-ins, no electron, only types from contract', async () => {
  const file = 'renderer/src/x.ts';
  assert.ok(
    (await restricted(file, "import fs from 'node:fs';\nexport const a = fs;\n")).length >= 1,
  );
  assert.ok(
    (await restricted(file, "import path from 'path';\nexport const a = path;\n")).length >= 1,
  );
  assert.ok(
    (
      await restricted(
        file,
        "import { ipcRenderer } from 'electron';\nexport const a = ipcRenderer;\n",
      )
    ).length >= 1,
  );
  assert.ok(
    (
      await restricted(
        file,
        "import { parse } from '../../main/contract/index.js';\nexport const a = parse;\n",
      )
    ).length >= 1,
  );
  assert.ok(
    (await restricted(file, "import { x } from '../../main/core/paths.js';\nexport const a = x;\n"))
      .length >= 1,
  );
  assert.equal(
    (
      await restricted(
        file,
        "import type { AppState } from '../../main/contract/index.js';\nexport type A = AppState;\n",
      )
    ).length,
    0,
  );
});

test('regions stands alone', async () => {
  assert.equal(
    (
      await restricted(
        'main/regions/x.ts',
        "import { a } from '../core/paths.js';\nexport const b = a;\n",
      )
    ).length,
    1,
  );
  assert.equal(
    (
      await restricted(
        'main/regions/x.ts',
        "import { a } from '../contract/index.js';\nexport const b = a;\n",
      )
    ).length,
    1,
  );
});

test('raw ipc is banned outside the IPC host and preload', async () => {
  const code = "import { ipcMain } from 'electron';\nipcMain.on('x', () => {});\n";
  assert.equal((await restricted('main/electron/window.ts', code)).length, 1);
  assert.equal((await restricted('main/electron/ipc-host.ts', code)).length, 0);
});

test('core services may not import core/app; core/app may import them', async () => {
  const code =
    "import type { AppController } from '../app/app-controller.js';\nexport type A = AppController;\n";
  for (const file of [
    'main/core/conflicts/x.ts',
    'main/core/replication/x.ts',
    'main/core/sync/x.ts',
  ]) {
    const msgs = await restricted(file, code);
    assert.equal(msgs.length, 1, `${file}: ${msgs.join(' | ')}`);
    assert.match(msgs[0] ?? '', /do not import core\/app/);
  }
  const inApp =
    "import type { SyncEngine } from '../sync/engine.js';\nexport type E = SyncEngine;\n";
  assert.equal((await restricted('main/core/app/x.ts', inApp)).length, 0);
});
