// Background listings never pile up: with a listing slower than the poll interval, pulls
// asked for while one waits join it, so the backlog stays at one pull whatever the timer does.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { MemorySecretStore } from '../../main/core/accounts/secret-store.js';
import { EventHub } from '../../main/core/emitter.js';
import { SyncEngine } from '../../main/core/sync/engine.js';
import { ensureVersionedBucket, localRegionsAccount } from '../helpers/engine-setup.js';
import { bucketName, startTestRegions } from '../helpers/regions.js';
import { startS3Proxy } from '../helpers/s3-proxy.js';
import { tempDir } from '../helpers/temp-dir.js';

test('a listing slower than the poll interval never leaves a backlog of pulls', async (t) => {
  const regions = await startTestRegions({ regions: ['us-east-1'] });
  t.after(() => regions.stop());
  const proxy = await startS3Proxy(regions.handle.regions);
  t.after(() => proxy.close());
  const { dir, cleanup } = tempDir('rs-pull-coalesce-');
  t.after(cleanup);
  const folder = path.join(dir, 'folder');
  fs.mkdirSync(folder);
  const bucket = bucketName('coalesce');
  await ensureVersionedBucket(regions.client('us-east-1'), bucket);
  const engine = new SyncEngine({
    indexFile: path.join(dir, 'index.sqlite'),
    device: 'dev-coalesce',
    concurrency: 2,
    secrets: new MemorySecretStore(),
    events: new EventHub(),
    activity: () => {},
    onStatus: () => {},
    // The timer asks for a pull every 40 ms; each listing takes 300 ms.
    tuning: { pollMs: 40, rescanMs: 600_000, settleMs: 50 },
  });
  engine.addAccount(
    localRegionsAccount({
      accessKeyId: regions.handle.accessKeyId,
      secretAccessKey: regions.handle.secretAccessKey,
      regions: proxy.regions,
    }),
  );
  await engine.start({ paused: false });
  await engine.addFolder({ path: folder, accountId: 'local', bucket, region: 'us-east-1' });
  const lists = () =>
    proxy.requests.filter((r) => r.op === 'ListObjectVersions' && r.bucket === bucket).length;
  proxy.setOptions({ requestDelay: (r) => (r.op === 'ListObjectVersions' ? 300 : 0) });
  // 1.5 s of slow listings: the timer asks for about 37 pulls, about 5 can run.
  await sleep(1500);
  // Listings fast again: a backlog would now run back to back; with the guard only the one
  // waiting pull and the timer's own are left.
  proxy.setOptions({});
  const atSpeedUp = lists();
  await sleep(400);
  const afterSpeedUp = lists() - atSpeedUp;
  await engine.dispose();
  assert.ok(atSpeedUp >= 3, `pulls ran while listings were slow (${atSpeedUp})`);
  // The timer alone accounts for 400 / 40 = 10; a backlog would add about 30.
  assert.ok(afterSpeedUp <= 16, `no backlog of pulls: ${afterSpeedUp} listings in 400 ms`);
});
