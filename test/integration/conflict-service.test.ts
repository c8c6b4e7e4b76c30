// The conflict commands as the window and the CLI use them: a fork made by two devices in
// two regions is listed with both sides, "keep both" writes a merge naming both heads and
// saves the other side under the conflict-copy name, and the conflict goes away by itself.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MemorySecretStore } from '../../main/core/accounts/secret-store.js';
import { startLocalChannel } from '../../main/core/app/local-channel.js';
import { parseLineage } from '../../main/core/transfer/lineage.js';
import { startTestApp } from '../helpers/accounts-app.js';
import { EU, US, replicationSettled, twoWayPair, writeVersion } from '../helpers/conflict-lab.js';
import { startTestRegions, waitFor } from '../helpers/regions.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', 'cli', '--', ...args],
      { cwd: root, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

test('a cross-region fork is listed, kept both from the command, and clears by itself', async (t) => {
  const regions = await startTestRegions({ replicationDelayMs: 300 });
  t.after(() => regions.stop());
  const { dir, cleanup } = tempDir('rs-conflict-svc-');
  t.after(cleanup);
  const pair = await twoWayPair(regions);
  const dataDir = path.join(dir, 'data');
  const app = await startTestApp({
    dataDir,
    regions,
    secrets: new MemorySecretStore(),
  });
  t.after(() => app.stop());
  const folderPath = path.join(dir, 'Folder');
  const folder = await app.call('folders.add', {
    path: folderPath,
    create: true,
    accountId: 'local',
    bucket: pair.us,
    region: US,
  });

  // The base version, from this device, synced and replicated.
  fs.writeFileSync(path.join(folderPath, 'plan.txt'), 'base\n');
  const base = await waitFor(
    async () => {
      await app.engine.settle();
      return app.engine.files.get(folder.id, 'plan.txt')?.versionId ?? undefined;
    },
    20_000,
    'plan.txt synced',
  );
  await replicationSettled(regions);

  // Two other devices edit the same base in the two regions at nearly the same time.
  const a = await writeVersion(
    regions,
    US,
    pair.us,
    'plan.txt',
    'edit from A\n',
    'device-aaaa-0001',
    [base],
  );
  const b = await writeVersion(
    regions,
    EU,
    pair.eu,
    'plan.txt',
    'edit from B\n',
    'device-bbbb-0002',
    [base],
  );
  await replicationSettled(regions);

  const [fork] = await waitFor(
    async () => {
      await app.call('conflicts.scan', { folderId: folder.id });
      const list = await app.call('conflicts.list', { folderId: folder.id });
      return list.length > 0 ? list : undefined;
    },
    20_000,
    'the fork is found',
  );
  assert.ok(fork);
  assert.equal(fork.kind, 'fork');
  assert.equal(fork.certain, true);
  assert.equal(fork.relPath, 'plan.txt');
  assert.deepEqual(
    fork.sides
      .filter((s) => !s.isLocal)
      .map((s) => s.versionId)
      .sort(),
    [a, b].sort(),
  );
  assert.equal(fork.base?.versionId, base);
  const preview = await app.call('conflicts.preview', { id: fork.id, side: b });
  assert.deepEqual(preview, { kind: 'text', text: 'edit from B\n', truncated: false });
  assert.equal(app.controller.getState().conflicts, 1);

  // The command line sees the same conflict through the running app, and resolves it as
  // the window would.
  const channel = await startLocalChannel({ dataDir, dispatcher: app.dispatcher });
  t.after(() => channel.close());
  const listed = await cli(['conflicts', '--data-dir', dataDir, '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const json = JSON.parse(listed.stdout) as {
    source: string;
    conflicts: { id: string; key: string; kind: string; sides: { versionId: string | null }[] }[];
  };
  assert.equal(json.source, 'running');
  assert.equal(json.conflicts[0]?.id, fork.id);
  assert.equal(json.conflicts[0]?.kind, 'fork');
  const resolved = await cli(['resolve', fork.id, '--data-dir', dataDir, '--keep', 'both']);
  assert.equal(resolved.code, 0, resolved.stderr);
  const m = /new version (\S+); the other side is kept as (.+)$/m.exec(resolved.stdout);
  assert.ok(m, resolved.stdout);
  const r = { versionId: m[1] as string, copy: m[2] as string };
  assert.match(r.copy, /^plan \(conflict device-[ab]{4}-000[12] \d{4}-\d\d-\d\d \d{6}\)\.txt$/);
  const head = await regions
    .client(US)
    .send(new HeadObjectCommand({ Bucket: pair.us, Key: 'plan.txt', VersionId: r.versionId }));
  assert.deepEqual(parseLineage(head.Metadata)?.bases.sort(), [a, b].sort());
  const kept = fs.readFileSync(path.join(folderPath, 'plan.txt'), 'utf8');
  const copy = fs.readFileSync(path.join(folderPath, r.copy), 'utf8');
  assert.deepEqual([kept, copy].sort(), ['edit from A\n', 'edit from B\n']);

  // Once the merge has replicated, nothing is left open.
  await replicationSettled(regions);
  await app.call('conflicts.scan', { folderId: folder.id });
  assert.deepEqual(await app.call('conflicts.list', { folderId: folder.id }), []);
  assert.equal(app.controller.getState().conflicts, 0);

  // The automatic policy is per folder, never on by default, and shown with the folder.
  assert.equal((await app.call('folders.list', {}))[0]?.conflictPolicy, 'ask');
  await app.call('conflicts.setPolicy', { folderId: folder.id, policy: 'newest-wins' });
  assert.equal((await app.call('folders.list', {}))[0]?.conflictPolicy, 'newest-wins');

  const versions = await app.call('conflicts.versions', {
    folderId: folder.id,
    relPath: 'plan.txt',
  });
  for (const v of [base, a, b, r.versionId])
    assert.ok(
      versions.some((x) => x.versionId === v),
      `version ${v} is listed`,
    );
  assert.ok(versions.some((x) => x.region === EU));
});
