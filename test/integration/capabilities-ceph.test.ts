// The capability probe against a real Ceph RGW 16 (zone-a of the test multisite), on a
// versioned bucket: it must discover what RGW 16 is known to do there (refuse even the
// right If-Match, ignore If-None-Match and conditional deletes, not know CRC64NVME), and
// leave nothing behind.
import { CreateBucketCommand, PutBucketVersioningCommand, type S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { conditionalWritesProven } from '../../main/contract/capabilities.js';
import { probeCapabilities } from '../../main/core/capabilities/probe.js';
import { eventuallyProbeLeftNothing } from '../helpers/capabilities-check.js';
import { startCephMultisite, type CephMultisite } from '../helpers/ceph.js';

let ms: CephMultisite | undefined;
let client: S3Client;
const bucket = 'probe-ceph';

before(async () => {
  ms = await startCephMultisite();
  client = ms.client(0);
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  await client.send(
    new PutBucketVersioningCommand({
      Bucket: bucket,
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );
});

after(async () => {
  client?.destroy();
  await ms?.stop();
});

test('on a versioned RGW 16 bucket the probe finds conditional writes not honoured', async (tc) => {
  const lines: string[] = [];
  const c = await probeCapabilities({
    client,
    endpoint: ms!.zones[0].endpoint,
    bucket,
    prefix: 'team/',
    device: 'ceph',
    region: ms!.zonegroup,
    log: (l) => lines.push(l),
  });
  // The findings in the test report: the table of what each server honours.
  tc.diagnostic(JSON.stringify(c));
  for (const l of lines) tc.diagnostic(l);
  assert.equal(c.ifMatchAccepted, 'no');
  assert.equal(c.ifNoneMatchEnforced, 'no');
  assert.equal(c.completeIfNoneMatchEnforced, 'no');
  assert.equal(c.deleteIfMatchEnforced, 'no');
  assert.equal(c.checksums.CRC64NVME, 'no');
  assert.equal(conditionalWritesProven(c), false);
  assert.ok(
    c.summary.some((s) => s.startsWith('Conditional writes: not honoured by this service')),
    c.summary.join('\n'),
  );
  // Multisite may sync a deleted scratch version back for a moment: the probe sweeps again.
  await eventuallyProbeLeftNothing(client, bucket, 'team/');
});
