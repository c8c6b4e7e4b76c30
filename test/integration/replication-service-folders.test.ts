// The ReplicationService works on a folder with that folder's own account: every S3 client it
// takes for the tracker, stale replicas and the canary comes from clientFor(folderId, region)
// of the folder directory it is given (here the engine, with the calls recorded), never from
// another account. Real local regions over HTTP.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { MemorySecretStore } from '../../main/core/accounts/secret-store.js';
import { localAccount } from '../../main/core/app/start-engine.js';
import { EventHub } from '../../main/core/emitter.js';
import { ReplicationService } from '../../main/core/replication/service.js';
import { SyncEngine } from '../../main/core/sync/engine.js';
import type { FolderDirectory } from '../../main/core/sync/folder-directory.js';
import {
  createBucket,
  putReplication,
  replicationRule,
  startTestRegions,
  waitFor,
} from '../helpers/regions.js';
import { tempDir } from '../helpers/temp-dir.js';

const US = 'us-east-1';
const EU = 'eu-west-1';
const signal = new AbortController().signal;
const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

test("tracker, stale replicas and canary use the folder's own account client", async () => {
  const t = await startTestRegions({ regions: [US, EU] });
  cleanups.push(() => t.stop());
  const src = await createBucket(t, US, { versioning: 'Enabled', prefix: 'own' });
  const dst = await createBucket(t, EU, { versioning: 'Enabled', prefix: 'own' });
  await putReplication(t, US, src, [replicationRule(dst)]);

  const tmp = tempDir('rs-own-');
  const engine = new SyncEngine({
    indexFile: path.join(tmp.dir, 'index.db'),
    device: 'own-device',
    concurrency: 2,
    secrets: new MemorySecretStore(),
    events: new EventHub(),
    activity: () => {},
    onStatus: () => {},
    tuning: { settleMs: 50, pollMs: 60_000, rescanMs: 600_000 },
  });
  cleanups.push(async () => {
    await engine.dispose();
    tmp.cleanup();
  });
  engine.addAccount(localAccount(t.handle));
  await engine.start({ paused: false });

  const calls: string[] = [];
  const folders: FolderDirectory = {
    folders: () => engine.folders(),
    folder: (id) => engine.folder(id),
    clientFor: (id, region) => {
      calls.push(`folder ${id} ${region}`);
      return engine.clientFor(id, region);
    },
    accountClient: (id, region) => {
      calls.push(`account ${id} ${region}`);
      return engine.accountClient(id, region);
    },
    account: (id) => engine.account(id),
    capabilities: (id) => engine.capabilities(id),
  };
  const service = ReplicationService.attach({
    folders,
    uploads: engine,
    db: engine.indexDb,
    files: engine.files,
    events: new EventHub(),
    activity: () => {},
    device: 'own-device',
    canaryTuning: { windowMs: 8000, firstDelayMs: 100, maxDelayMs: 500 },
  });
  engine.addDisposable(service);

  const dir = path.join(tmp.dir, 'folder');
  fs.mkdirSync(dir);
  const folder = await engine.addFolder({ path: dir, bucket: src, region: US });
  fs.writeFileSync(path.join(dir, 'a.txt'), 'to the EU\n');
  await waitFor(
    async () => {
      await engine.settle();
      return service.tracker.status(folder.id, 'a.txt').destinations[0]?.state === 'verified';
    },
    30_000,
    'the replica of a.txt verified',
  );
  assert.ok(calls.includes(`folder ${folder.id} ${US}`), calls.join('\n'));
  assert.ok(calls.includes(`folder ${folder.id} ${EU}`), calls.join('\n'));
  assert.deepEqual(
    calls.filter((c) => !c.startsWith('folder ')),
    [],
    'the tracker took no client of an account',
  );

  calls.length = 0;
  await service.handlers['replication.staleReplicas']({ folderId: folder.id }, signal);
  assert.deepEqual(
    calls.filter((c) => !c.startsWith(`folder ${folder.id} `)),
    [],
    'stale replicas of the folder: its own client only',
  );

  calls.length = 0;
  const verdict = await service.handlers['replication.canary'](
    { accountId: 'local', bucket: src, region: US },
    signal,
  );
  assert.equal(verdict.state, 'replicating', verdict.message);
  // The canary itself runs on the folder syncing to the bucket, with the folder's client.
  assert.ok(calls.includes(`folder ${folder.id} ${US}`), calls.join('\n'));
  assert.ok(calls.includes(`folder ${folder.id} ${EU}`), calls.join('\n'));
});
