// `npm test`: lint, format, typecheck, then every test (unit, integration, e2e) with Node's
// test runner, and one closing line "N passed, N failed" counting checks and tests.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const argv = process.argv.slice(2);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
const suites = only ? [only] : ['unit', 'integration', 'e2e'];

let passed = 0;
let failed = 0;

function check(name, cmd, cmdArgs) {
  process.stdout.write(`\n== ${name}: ${[path.basename(cmd), ...cmdArgs].join(' ')}\n`);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });
  if (r.status === 0) passed++;
  else {
    failed++;
    process.stdout.write(`== ${name} FAILED\n`);
  }
}

function testFiles(dir) {
  const out = [];
  const walk = (d) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.test.ts')) out.push(path.relative(root, p));
    }
  };
  walk(path.join(root, 'test', dir));
  return out.sort();
}

// One Ceph RGW multisite cluster for every test file that needs it (test/helpers/ceph.ts),
// started now so its ~30 s overlap the checks; a file that finds none starts its own.
let ceph;
const cephFile = path.join(os.tmpdir(), `rs-ceph-shared-${process.pid}.json`);
const cephLog = path.join(os.tmpdir(), `rs-ceph-shared-${process.pid}.log`);
if (suites.includes('integration') && spawnSync('which', ['radosgw']).status === 0) {
  const out = fs.openSync(cephLog, 'w');
  ceph = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/ceph-serve.ts', cephFile], {
    cwd: root,
    stdio: ['ignore', out, out],
  });
}

async function waitForCeph() {
  if (!ceph) return;
  const deadline = Date.now() + 150_000;
  while (!fs.existsSync(cephFile) && ceph.exitCode === null && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 500));
  if (fs.existsSync(cephFile)) process.env.RS_CEPH_SHARED = cephFile;
  else {
    process.stdout.write(`\n== the shared Ceph cluster did not start; its log:\n`);
    process.stdout.write(
      fs.existsSync(cephLog) ? fs.readFileSync(cephLog, 'utf8').slice(-3000) : '',
    );
  }
}

async function stopCeph() {
  if (!ceph || ceph.exitCode !== null) return;
  const exited = new Promise((r) => ceph.once('exit', r));
  ceph.kill('SIGTERM');
  const timer = new Promise((r) => setTimeout(() => r('timeout'), 30_000));
  if ((await Promise.race([exited, timer])) === 'timeout') ceph.kill('SIGKILL');
}

if (!only) {
  check('lint', bin('eslint'), ['--max-warnings', '0', '.']);
  check('format', bin('prettier'), ['--check', '--log-level', 'warn', '.']);
  check('typecheck main', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
  check('typecheck renderer', bin('tsc'), ['-p', 'renderer/tsconfig.json', '--noEmit']);
}
if (suites.includes('e2e')) check('build', process.execPath, ['scripts/build.mjs']);

const files = suites.flatMap(testFiles);
await waitForCeph();
if (files.length > 0) {
  const tap = path.join(os.tmpdir(), `replica-sync-tests-${process.pid}.tap`);
  process.stdout.write(`\n== tests: ${files.length} files\n`);
  spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-concurrency=2',
      '--test-timeout=300000',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...files,
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } },
  );
  const summary = fs.existsSync(tap) ? fs.readFileSync(tap, 'utf8') : '';
  fs.rmSync(tap, { force: true });
  const count = (key) => Number(summary.match(new RegExp(`^# ${key} (\\d+)$`, 'm'))?.[1] ?? 0);
  const testsPassed = count('pass');
  const testsFailed = count('fail') + count('cancelled');
  if (!summary) failed++;
  passed += testsPassed;
  failed += testsFailed;
  process.stdout.write(`\n== tests: ${testsPassed} passed, ${testsFailed} failed\n`);
} else if (only) {
  process.stdout.write(`no test files under test/${only}\n`);
  failed++;
}

await stopCeph();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
