// The hosts' last net, in a child process of its own: an exception thrown from a callback and
// a rejection nobody handles are logged with their stacks and the process runs on; a storm of
// exceptions stops it with code 70.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const moduleUrl = pathToFileURL(
  path.resolve(
    path.dirname(fileURLToPath(import.meta.url)),
    '../../main/core/app/process-safety-net.ts',
  ),
).href;

function run(body: string) {
  const script = `
    const { installProcessSafetyNet } = await import(${JSON.stringify(moduleUrl)});
    installProcessSafetyNet({ log: (l) => process.stderr.write(l + '\\n'), maxPerMinute: 3 });
    ${body}
  `;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
}

test('an uncaught exception and an unhandled rejection are logged and the process runs on', () => {
  const r = run(`
    setTimeout(() => { throw new Error('boom from a timer'); }, 0);
    setTimeout(() => void Promise.reject(new Error('nobody waits for me')), 0);
    setTimeout(() => { process.stdout.write('still running'); process.exit(0); }, 200);
  `);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'still running');
  assert.match(
    r.stderr,
    /uncaught exception \(uncaughtException\), the app keeps running: Error: boom from a timer\n\s+at /,
  );
  assert.match(
    r.stderr,
    /unhandled promise rejection, the app keeps running: Error: nobody waits for me\n\s+at /,
  );
});

test('a storm of uncaught exceptions stops the process with code 70', () => {
  const r = run(`
    for (let i = 0; i < 10; i++) setTimeout(() => { throw new Error('again ' + i); }, 0);
    setTimeout(() => process.exit(0), 500);
  `);
  assert.equal(r.status, 70, r.stderr);
  assert.match(r.stderr, /more than 3 uncaught exceptions in a minute: stopping/);
});
