// Replication rules on a real Ceph RGW 16 (zone-a of the test multisite), through the
// ReplicationService with a custom account: RGW accepts PutBucketReplication but keeps less
// than was sent, and the save names what it dropped; GetBucketLocation answers the zonegroup
// name, which is shown as the location while the client keeps the account's signing region;
// and the canary finds that the rule does not replicate. A missing Ceph fails with what to
// install; it never skips.
import { CreateBucketCommand, PutBucketVersioningCommand, type S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { MemorySecretStore } from '../../main/core/accounts/secret-store.js';
import { EventHub } from '../../main/core/emitter.js';
import { newRule } from '../../main/core/replication/rules.js';
import { ReplicationService } from '../../main/core/replication/service.js';
import { SyncEngine } from '../../main/core/sync/engine.js';
import { startCephMultisite, type CephMultisite } from '../helpers/ceph.js';
import { tempDir } from '../helpers/temp-dir.js';

const SIGNING = 'us-east-1';
const signal = new AbortController().signal;
let ms: CephMultisite;
let raw: S3Client;
let engine: SyncEngine;
let service: ReplicationService;
const activity: { level: string; message: string }[] = [];
const tmp = tempDir('rs-rgw-');

/** RGW 16 takes bucket replication rules only under a zonegroup sync policy that allows them. */
async function allowBucketSyncPolicies(): Promise<void> {
  await ms.admin(['sync', 'group', 'create', '--group-id=rs-allowed', '--status=allowed']);
  await ms.admin([
    ...['sync', 'group', 'flow', 'create', '--group-id=rs-allowed', '--flow-id=all'],
    ...['--flow-type=symmetrical', '--zones=zone-a,zone-b'],
  ]);
  await ms.admin([
    ...['sync', 'group', 'pipe', 'create', '--group-id=rs-allowed', '--pipe-id=all'],
    ...['--source-zones=*', '--source-bucket=*', '--dest-zones=*', '--dest-bucket=*'],
  ]);
  await ms.admin(['period', 'update', '--commit']);
}

before(async () => {
  // Its zonegroup sync policy would change what every other test's buckets do: its own cluster.
  ms = await startCephMultisite({ private: true });
  raw = ms.client(0);
  for (const b of ['rgw-src', 'rgw-dst']) {
    await raw.send(new CreateBucketCommand({ Bucket: b }));
    await raw.send(
      new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Enabled' } }),
    );
  }
  const secrets = new MemorySecretStore();
  await secrets.set('rgw-secret', ms.credentials.secretAccessKey);
  engine = new SyncEngine({
    indexFile: path.join(tmp.dir, 'index.db'),
    device: 'rgw-device',
    concurrency: 2,
    secrets,
    events: new EventHub(),
    activity: () => {},
    onStatus: () => {},
  });
  engine.addAccount({
    id: 'rgw',
    kind: 'custom',
    name: 'Ceph',
    endpoint: ms.zones[0].endpoint,
    forcePathStyle: true,
    accessKeyId: ms.credentials.accessKeyId,
    secretId: 'rgw-secret',
    signingRegion: SIGNING,
  });
  await engine.start({ paused: false });
  service = ReplicationService.attach({
    folders: engine,
    uploads: engine,
    db: engine.indexDb,
    files: engine.files,
    events: new EventHub(),
    activity: (level, message) => activity.push({ level, message }),
    device: 'rgw-device',
    canaryTuning: { windowMs: 5000, firstDelayMs: 200, maxDelayMs: 1000 },
  });
  engine.addDisposable(service);
});

after(async () => {
  await engine?.dispose();
  raw?.destroy();
  await ms?.stop();
  tmp.cleanup();
});

test("RGW 16: the zonegroup is shown as the location, the client keeps the account's signing region", async () => {
  const buckets = await service.handlers['replication.buckets']({ accountId: 'rgw' }, signal);
  const src = buckets.find((b) => b.bucket === 'rgw-src');
  assert.deepEqual([src?.region, src?.location], [SIGNING, ms.zonegroup]);
});

test('RGW 16 without a zonegroup sync policy refuses the rules, and says why', async () => {
  await assert.rejects(
    service.handlers['replication.save'](
      {
        accountId: 'rgw',
        bucket: 'rgw-src',
        region: SIGNING,
        role: 'arn:aws:iam::123456789012:role/replica-sync',
        rules: [
          {
            ...newRule({ bucket: 'rgw-dst' }, { id: 'to-dst' }),
            destination: { bucket: 'rgw-dst', ownerOverride: false },
          },
        ],
      },
      signal,
    ),
    /does not take replication rules .*405 Method Not Allowed.*zonegroup sync policy/,
  );
});

test('RGW 16: the save names what the service did not keep, and the canary says it does not replicate', async (tc) => {
  await allowBucketSyncPolicies();
  const saved = await service.handlers['replication.save'](
    {
      accountId: 'rgw',
      bucket: 'rgw-src',
      region: SIGNING,
      role: 'arn:aws:iam::123456789012:role/replica-sync',
      rules: [
        {
          ...newRule(
            { bucket: 'rgw-dst' },
            { id: 'to-dst', filter: { prefix: '', tags: [] }, deleteMarkerReplication: true },
          ),
          destination: { bucket: 'rgw-dst', ownerOverride: false },
        },
      ],
    },
    signal,
  );
  tc.diagnostic(JSON.stringify(saved.notKept));
  const fields = saved.notKept.map((n) => n.field);
  for (const f of ['Filter', 'DeleteMarkerReplication', 'Role'])
    assert.ok(fields.includes(f), `${f} not named: ${saved.notKeptMessage ?? 'nothing named'}`);
  assert.match(saved.notKeptMessage ?? '', /^This service did not keep: /);
  assert.equal(saved.location, ms.zonegroup);
  assert.ok(
    activity.some((a) => a.level === 'warn' && a.message.includes('This service did not keep')),
    'logged as a warning',
  );

  const verdict = await service.handlers['replication.canary'](
    { accountId: 'rgw', bucket: 'rgw-src', region: SIGNING },
    signal,
  );
  tc.diagnostic(verdict.message);
  assert.equal(verdict.state, 'not-replicating', verdict.message);
});
