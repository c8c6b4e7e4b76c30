// Sync-engine scenarios as a table (rclone bisync style), on the local regions: every case
// drives the real engine (watcher, folder loop, upload queue, pull) through a recording
// proxy, and ends by checking the bucket's versions and the index. The table is
// test/helpers/scenario-table.ts (the same on moto and Ceph RGW: engine-scenarios-moto and
// engine-scenarios-ceph); the language is described in test/helpers/scenario-language.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseScenarios, runScenario } from '../helpers/scenario.js';
import { scenarioSuite } from '../helpers/scenario-table.js';

const { env } = scenarioSuite('local');

test('the table language rejects typos and a wrong expectation fails its case', async () => {
  assert.throws(
    () => parseScenarios('case: x\nlocal write a "1"\nexpcet bucket a versions=1'),
    /unknown verb/,
  );
  assert.throws(() => parseScenarios('local write a "1"'), /before the first/);
  const [wrong] = parseScenarios(
    'case: wrong on purpose\nlocal write a.txt "v1"\nsync\nexpect bucket a.txt versions=2',
  );
  assert.ok(wrong);
  await assert.rejects(
    runScenario(env(), wrong),
    /line 4: expect bucket a\.txt versions=2[\s\S]*versions/,
  );
});

test('a server-specific line needs a known qualifier and a reason, and runs only there', async () => {
  assert.throws(
    () => parseScenarios('case: x\nlocal write a "1"\nexpect@ceph bucket a versions=1'),
    /needs a "# reason"/,
  );
  assert.throws(
    () => parseScenarios('case: x\nlocal write a "1"\nexpect@minio bucket a versions=1 # why'),
    /a qualifier is one of/,
  );
  const [sc] = parseScenarios(
    [
      'case: qualified',
      'local write a.txt "v1"',
      'sync',
      'expect@ceph,unconditional bucket a.txt versions=5  # never runs on the local regions',
      'expect@local,moto bucket a.txt versions=1 # "quoted # is no comment" neither is this',
      'expect@conditional bucket a.txt versions=1 # the local regions honour If-Match',
    ].join('\n'),
  );
  assert.ok(sc);
  assert.deepEqual(sc.steps[2]?.only, ['ceph', 'unconditional']);
  assert.equal(sc.steps[2]?.reason, 'never runs on the local regions');
  assert.equal(sc.steps[2]?.tokens[0]?.value, 'expect');
  await runScenario(env(), sc);
  const [wrong] = parseScenarios(
    'case: wrong here\nlocal write a.txt "v1"\nsync\nexpect@local bucket a.txt versions=2 # x',
  );
  assert.ok(wrong);
  await assert.rejects(runScenario(env(), wrong), /line 4: expect@local bucket a\.txt/);
});
