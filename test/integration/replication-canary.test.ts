// Does a service that accepts replication rules replicate? Through the ReplicationService over
// real HTTP: on the local regions a saved rule is read back as sent and the canary (in the
// folder's reserved area) reaches the destination: 'replicating'. On moto_server, which stores
// replication configurations but never replicates, the canary never arrives: 'not replicating'
// instead of pending forever. Both clean their canary up, and replication.buckets shows the
// verdict. On moto (a custom account) the location label is shown apart from the signing region.
import { ListObjectVersionsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import type { Account } from '../../main/core/accounts/account.js';
import { MemorySecretStore } from '../../main/core/accounts/secret-store.js';
import { localAccount } from '../../main/core/app/start-engine.js';
import { EventHub } from '../../main/core/emitter.js';
import { CanaryRuns } from '../../main/core/replication/canary-runs.js';
import { canaryKey, runCanary } from '../../main/core/replication/canary.js';
import { newRule, writeBucketReplication } from '../../main/core/replication/rules.js';
import { LOCAL_ROLE_ARN } from '../../main/core/replication/iam.js';
import { ReplicationService } from '../../main/core/replication/service.js';
import { SyncEngine } from '../../main/core/sync/engine.js';
import { INSTALL_MOTO, startMoto, type Moto } from '../helpers/moto.js';
import { createBucket, startTestRegions, type TestRegions } from '../helpers/regions.js';
import { tempDir } from '../helpers/temp-dir.js';

const US = 'us-east-1';
const EU = 'eu-west-1';
const signal = new AbortController().signal;
const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function serviceFor(account: Account, secrets = new MemorySecretStore()) {
  const tmp = tempDir('rs-canary-');
  const engine = new SyncEngine({
    indexFile: path.join(tmp.dir, 'index.db'),
    device: 'canary-device',
    concurrency: 2,
    secrets,
    events: new EventHub(),
    activity: () => {},
    onStatus: () => {},
    tuning: { settleMs: 50, pollMs: 60_000, rescanMs: 600_000 },
  });
  engine.addAccount(account);
  await engine.start({ paused: false });
  const activity: { level: string; message: string }[] = [];
  const service = ReplicationService.attach({
    folders: engine,
    uploads: engine,
    db: engine.indexDb,
    files: engine.files,
    events: new EventHub(),
    activity: (level, message) => activity.push({ level, message }),
    device: 'canary-device',
    canaryTuning: { windowMs: 4000, firstDelayMs: 100, maxDelayMs: 500 },
  });
  engine.addDisposable(service);
  cleanups.push(async () => {
    await engine.dispose();
    tmp.cleanup();
  });
  return { engine, service, activity, dir: tmp.dir };
}

/** Every version and delete marker under `prefix` (listed whole: moto refuses a '/' prefix). */
async function keysUnder(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const out = await client.send(new ListObjectVersionsCommand({ Bucket: bucket }));
  return [...(out.Versions ?? []), ...(out.DeleteMarkers ?? [])]
    .map((v) => v.Key ?? '')
    .filter((k) => k.startsWith(prefix));
}

test('local regions: the saved rule reads back as sent, and the canary in the folder’s reserved area is replicated', async () => {
  const t: TestRegions = await startTestRegions({ regions: [US, EU] });
  cleanups.push(() => t.stop());
  const src = await createBucket(t, US, { versioning: 'Enabled', prefix: 'can' });
  const dst = await createBucket(t, EU, { versioning: 'Enabled', prefix: 'can' });
  const { engine, service, dir } = await serviceFor(localAccount(t.handle));
  const folderPath = path.join(dir, 'team');
  fs.mkdirSync(folderPath);
  await engine.addFolder({ path: folderPath, bucket: src, region: US, prefix: 'team/' });

  const saved = await service.handlers['replication.save'](
    {
      accountId: 'local',
      bucket: src,
      region: US,
      rules: [
        {
          ...newRule({ bucket: dst }, { id: 'team-to-eu', filter: { prefix: 'team/', tags: [] } }),
          destination: { bucket: dst, ownerOverride: false },
        },
      ],
    },
    signal,
  );
  assert.deepEqual(saved.notKept, []);
  assert.equal(saved.notKeptMessage, null);
  assert.equal(saved.rules[0]?.destination.region, EU);

  // Joins the canary the save started.
  const verdict = await service.handlers['replication.canary'](
    { accountId: 'local', bucket: src, region: US },
    signal,
  );
  assert.equal(verdict.state, 'replicating', verdict.message);
  assert.deepEqual(
    verdict.destinations.map((d) => [d.bucket, d.region, d.arrived]),
    [[dst, EU, true]],
  );
  assert.ok((verdict.destinations[0]?.latencyMs ?? -1) >= 0);

  // Cleaned up on both sides (the canary went under the folder's prefix).
  assert.deepEqual(await keysUnder(t.client(US), src, 'team/.replica-sync/'), []);
  assert.deepEqual(await keysUnder(t.client(EU), dst, 'team/.replica-sync/'), []);

  const buckets = await service.handlers['replication.buckets']({ accountId: 'local' }, signal);
  const shown = buckets.find((b) => b.bucket === src);
  assert.equal(shown?.replicating?.state, 'replicating');
  assert.equal(shown?.location, US);
  assert.equal(shown?.region, US);
});

test('the canary key is in the reserved area: .replica-sync/canary/<device>-<time>', () => {
  assert.equal(canaryKey('', 'dev1', 42), '.replica-sync/canary/dev1-42');
  assert.equal(canaryKey('team/', 'dev1', 42), 'team/.replica-sync/canary/dev1-42');
});

function motoRunning(m: Moto | Error): Moto {
  if (m instanceof Error)
    throw new Error(
      m.message.includes(INSTALL_MOTO) ? m.message : `${INSTALL_MOTO} (${m.message})`,
    );
  return m;
}

test('moto_server stores the rule but does not replicate: the verdict is "not replicating", the location label is kept apart from the signing region', async () => {
  const moto = motoRunning(await startMoto().catch((err: unknown) => err as Error));
  cleanups.push(() => moto.stop());
  const clients = new Map<string, S3Client>();
  const raw = (region: string): S3Client => {
    let c = clients.get(region);
    if (!c) {
      c = new S3Client({
        region,
        endpoint: moto.endpoint,
        forcePathStyle: true,
        credentials: moto.credentials,
      });
      clients.set(region, c);
    }
    return c;
  };
  cleanups.push(() => clients.forEach((c) => c.destroy()));
  const src = await createBucket({ client: raw }, US, { versioning: 'Enabled', prefix: 'can' });
  const dst = await createBucket({ client: raw }, EU, { versioning: 'Enabled', prefix: 'can' });

  const secrets = new MemorySecretStore();
  await secrets.set('moto-secret', moto.credentials.secretAccessKey);
  const { service, activity } = await serviceFor(
    {
      id: 'moto',
      kind: 'custom',
      name: 'moto',
      endpoint: moto.endpoint,
      forcePathStyle: true,
      accessKeyId: moto.credentials.accessKeyId,
      secretId: 'moto-secret',
      signingRegion: US,
    },
    secrets,
  );

  const buckets = await service.handlers['replication.buckets']({ accountId: 'moto' }, signal);
  const place = (b: string) => buckets.find((x) => x.bucket === b);
  // moto answers an empty location for us-east-1: for a custom service that is its default.
  assert.deepEqual([place(src)?.region, place(src)?.location], [US, null]);
  // Only the canary may be removed afterwards.
  await raw(US).send(new PutObjectCommand({ Bucket: src, Key: 'photo.jpg', Body: 'x' }));
  // The label eu-west-1 is shown; the client still signs with the account's region.
  assert.deepEqual([place(dst)?.region, place(dst)?.location], [US, EU]);

  const role = 'arn:aws:iam::123456789012:role/replica-sync-test';
  const saved = await service.handlers['replication.save'](
    {
      accountId: 'moto',
      bucket: src,
      region: US,
      role,
      rules: [
        {
          ...newRule({ bucket: dst }, { id: 'to-eu' }),
          destination: { bucket: dst, ownerOverride: false },
        },
      ],
    },
    signal,
  );
  assert.equal(saved.role, role);
  assert.equal(saved.location, null, 'the save shows the same location as the list');
  assert.equal(
    saved.rules[0]?.destination.region,
    US,
    'the destination is reached with the signing region',
  );
  assert.deepEqual(
    saved.notKept.map((n) => n.field),
    [],
    `moto keeps what was sent: ${saved.notKeptMessage ?? ''}`,
  );

  const started = Date.now();
  const verdict = await service.handlers['replication.canary'](
    { accountId: 'moto', bucket: src, region: US },
    signal,
  );
  assert.equal(verdict.state, 'not-replicating', verdict.message);
  assert.match(verdict.message, /Not replicating on this service/);
  assert.deepEqual(verdict.destinations, [
    { bucket: dst, region: US, arrived: false, latencyMs: null },
  ]);
  assert.ok(Date.now() - started < 15_000, 'the window bounds the wait');
  assert.deepEqual(await keysUnder(raw(US), src, '.replica-sync/'), []);
  assert.deepEqual(await keysUnder(raw(US), src, ''), ['photo.jpg'], 'only the canary was removed');
  assert.ok(activity.some((a) => a.level === 'warn' && /Not replicating/.test(a.message)));

  const again = await service.handlers['replication.buckets']({ accountId: 'moto' }, signal);
  assert.equal(again.find((b) => b.bucket === src)?.replicating?.state, 'not-replicating');
});

test('runCanary without versioning on the source: not replicating, said plainly', async () => {
  const t: TestRegions = await startTestRegions({ regions: [US, EU] });
  cleanups.push(() => t.stop());
  const src = await createBucket(t, US, { prefix: 'can' });
  const dst = await createBucket(t, EU, { versioning: 'Enabled', prefix: 'can' });
  await t.client(US).send(new PutObjectCommand({ Bucket: src, Key: 'other.txt', Body: 'x' }));
  const v = await runCanary({
    clientFor: (r) => t.client(r),
    source: { bucket: src, region: US },
    prefix: '',
    device: 'dev',
    destinations: [{ bucket: dst, region: EU }],
    tuning: { windowMs: 1000, firstDelayMs: 50, maxDelayMs: 200 },
  });
  assert.equal(v.state, 'not-replicating');
  assert.match(v.message, /versioning is off/);
  assert.deepEqual(await keysUnder(t.client(US), src, '.replica-sync/'), []);
});

test('a tag-filtered rule: the canary carries the rule’s tags, and a rule that skips the reserved area gives no false verdict', async () => {
  const t: TestRegions = await startTestRegions({ regions: [US, EU] });
  cleanups.push(() => t.stop());
  const src = await createBucket(t, US, { versioning: 'Enabled', prefix: 'can' });
  const dst = await createBucket(t, EU, { versioning: 'Enabled', prefix: 'can' });
  const tagged = newRule(
    { bucket: dst, region: EU },
    { id: 'kept', filter: { prefix: '', tags: [{ key: 'keep', value: 'yes' }] } },
  );
  await writeBucketReplication(t.client(US), src, [tagged], LOCAL_ROLE_ARN);
  const logs: string[] = [];
  const runs = new CanaryRuns({
    device: 'dev',
    tuning: { windowMs: 8000, firstDelayMs: 100, maxDelayMs: 500 },
    log: (_level, m) => logs.push(m),
  });
  const target = {
    accountId: 'local',
    source: { bucket: src, region: US },
    prefix: '',
    clientFor: (r: string) => t.client(r),
  };
  const v = await runs.run({ ...target, rules: [tagged] });
  assert.equal(v.state, 'replicating', v.message);
  assert.equal(runs.get('local', src)?.state, 'replicating');

  // A rule only for docs/ never sees the reserved area: said so, nothing written.
  const docsOnly = { ...tagged, filter: { prefix: 'docs/', tags: [] } };
  const none = await runs.run({ ...target, rules: [docsOnly] });
  assert.equal(none.state, 'unchecked');
  assert.match(none.message, /cannot be checked here/);
  assert.deepEqual(await keysUnder(t.client(US), src, '.replica-sync/'), []);
  await runs.dispose();
});
