// The status tracker treats the other endpoints of a folder's bucket (RGW multisite zones) as
// the bucket's replication group: RGW sets no x-amz-replication-status, so the peer is
// followed by version id with its own account, and a file uploaded in zone-a shows its copy
// in zone-b with the same version id and rs-sha256: "metadata matches", since RGW gives no
// checksum computed from the stored copy (none is verified there).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { EventHub } from '../../main/core/emitter.js';
import { ReplicationService } from '../../main/core/replication/service.js';
import {
  startCephMultisite,
  versionedBucketInBothZones,
  type CephMultisite,
} from '../helpers/ceph.js';
import { eventually, startRgwDevice, type RgwDevice } from '../helpers/rgw-devices.js';

let ms: CephMultisite;
let root: string;
let device: RgwDevice;
let replication: ReplicationService;
const bucket = `rs-peer-${Date.now().toString(36)}`;

before(async () => {
  ms = await startCephMultisite();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-peer-status-'));
  await versionedBucketInBothZones(ms, bucket);
  device = await startRgwDevice(ms, { name: 'A', device: 'dev-peer-a', home: 0, bucket, root });
  replication = new ReplicationService({
    folders: device.engine,
    uploads: device.engine,
    db: device.engine.indexDb,
    files: device.engine.files,
    events: new EventHub(),
    activity: (level, message) => device.log.push(`${level}: ${message}`),
    device: 'dev-peer-a',
    trackerTuning: { initialDelayMs: 200, maxDelayMs: 1000, minTickMs: 100 },
  });
});

after(async () => {
  await replication?.dispose();
  await device?.stop();
  await ms?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

test('an upload in zone-a is followed into zone-b by version id, and its metadata matches there', async () => {
  device.write('peer.txt', 'followed into the other zone');
  await device.sync();
  const row = device.engine.files.get(device.folderId, 'peer.txt');
  assert.equal(row?.state, 'synced', device.log.join('\n'));
  const status = await eventually('the copy in zone-b checked', 60_000, async () => {
    await replication.idle();
    const s = replication.tracker.status(device.folderId, 'peer.txt');
    const peer = s.destinations.find((d) => d.bucket === `${bucket}@zone-b`);
    if (peer?.checkedBy !== 'metadata') throw new Error(JSON.stringify(s));
    return s;
  });
  assert.equal(status.versionId, row?.versionId);
  assert.equal(status.sourceStatus, 'NONE', 'RGW multisite sets no replication status');
  const peer = status.destinations[0];
  assert.equal(peer?.state, 'replicated', 'never called verified on metadata alone');
  assert.deepEqual(
    status.destinations.map((d) => d.bucket),
    [`${bucket}@zone-b`],
    'the peer is the only destination',
  );
});
