// Replication configuration: PutBucketReplication validates as S3 does, Get returns what was
// put, a configuration blocks suspending versioning, Delete removes it.
import {
  DeleteBucketReplicationCommand,
  GetBucketReplicationCommand,
  PutBucketReplicationCommand,
  PutBucketVersioningCommand,
  type ReplicationConfiguration,
  type ReplicationRule,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  REPLICATION_ROLE,
  bucketName,
  putReplication,
  replicationBucket,
  replicationRule,
  s3Error,
  setVersioning,
  signingTarget,
  useTestRegions,
} from '../helpers/regions.js';
import { signedRequest } from '../helpers/signed-http.js';

const US = 'us-east-1';
const EU = 'eu-west-1';
const t = useTestRegions();

test('PutBucketReplication validates as S3: versioning, destinations, schema', async () => {
  const src = await replicationBucket(t, US, 'none');
  const dst = await replicationBucket(t, EU);
  const unversionedDst = await replicationBucket(t, EU, 'none');
  const put = (rules: ReplicationRule[], b = src): Promise<unknown> =>
    putReplication(t, US, b, rules);
  const notVersioned = await s3Error(put([replicationRule(dst)]));
  assert.equal(notVersioned.name, 'InvalidRequest');
  assert.equal(
    notVersioned.message,
    "Versioning must be 'Enabled' on the bucket to apply a replication configuration",
  );
  await setVersioning(t.client(US), src, 'Enabled');
  const missing = await s3Error(put([replicationRule(bucketName('missing'))]));
  assert.equal(missing.name, 'InvalidRequest');
  assert.equal(missing.message, 'Destination bucket must exist.');
  const unversioned = await s3Error(put([replicationRule(unversionedDst)]));
  assert.equal(unversioned.message, 'Destination bucket must have versioning enabled.');
  const self = await s3Error(put([replicationRule(src)]));
  assert.equal(self.name, 'InvalidRequest');
  const noPriority = await s3Error(put([replicationRule(dst, { Priority: undefined })]));
  assert.equal(noPriority.name, 'InvalidRequest');
  assert.match(noPriority.message, /Priority must be specified/);
  const noDmr = await s3Error(put([replicationRule(dst, { DeleteMarkerReplication: undefined })]));
  assert.match(noDmr.message, /DeleteMarkerReplication must be specified/);
  const dmrWithTag = await s3Error(
    put([
      replicationRule(dst, {
        Filter: { Tag: { Key: 'k', Value: 'v' } },
        DeleteMarkerReplication: { Status: 'Enabled' },
      }),
    ]),
  );
  assert.equal(dmrWithTag.name, 'InvalidRequest');
  assert.match(
    dmrWithTag.message,
    /Delete marker replication is not supported if any Tag filter is specified/,
  );
  const dupPriority = await s3Error(
    put([replicationRule(dst, { ID: 'a' }), replicationRule(dst, { ID: 'b' })]),
  );
  assert.equal(dupPriority.name, 'InvalidRequest');
  const dupId = await s3Error(
    put([replicationRule(dst, { ID: 'same' }), replicationRule(dst, { ID: 'same', Priority: 2 })]),
  );
  assert.equal(dupId.name, 'InvalidArgument');
  const badArn = await s3Error(put([replicationRule(dst, { Destination: { Bucket: dst } })]));
  assert.equal(badArn.name, 'InvalidArgument');
  const base = {
    ...signingTarget(t, US),
    method: 'PUT',
    path: `/${src}`,
    query: { replication: '' },
  };
  const noDest = await signedRequest({
    ...base,
    body: `<ReplicationConfiguration><Role>${REPLICATION_ROLE}</Role><Rule><ID>x</ID><Priority>1</Priority><Status>Enabled</Status><Filter><Prefix/></Filter><DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication></Rule></ReplicationConfiguration>`,
  });
  assert.equal(noDest.status, 400);
  assert.match(noDest.text, /<Code>MalformedXML<\/Code>/);
  const noStatus = await signedRequest({
    ...base,
    body: `<ReplicationConfiguration><Role>${REPLICATION_ROLE}</Role><Rule><ID>x</ID><Priority>1</Priority><Filter><Prefix/></Filter><DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication><Destination><Bucket>arn:aws:s3:::${dst}</Bucket></Destination></Rule></ReplicationConfiguration>`,
  });
  assert.match(noStatus.text, /<Code>MalformedXML<\/Code>/);
  const none = await s3Error(t.client(US).send(new GetBucketReplicationCommand({ Bucket: src })));
  assert.equal(none.name, 'ReplicationConfigurationNotFoundError');
  assert.equal(none.status, 404);
});

test('the configuration round-trips, blocks suspending versioning (InvalidBucketState), and can be deleted', async () => {
  const src = await replicationBucket(t, US);
  const dst = await replicationBucket(t, EU);
  const config: ReplicationConfiguration = {
    Role: REPLICATION_ROLE,
    Rules: [
      {
        ID: 'full',
        Priority: 7,
        Status: 'Enabled',
        Filter: {
          And: {
            Prefix: 'docs/',
            Tags: [
              { Key: 'team', Value: 'a' },
              { Key: 'env', Value: 'prod' },
            ],
          },
        },
        DeleteMarkerReplication: { Status: 'Disabled' },
        SourceSelectionCriteria: { ReplicaModifications: { Status: 'Enabled' } },
        Destination: {
          Bucket: `arn:aws:s3:::${dst}`,
          StorageClass: 'STANDARD_IA',
          Account: '123456789012',
          AccessControlTranslation: { Owner: 'Destination' },
          ReplicationTime: { Status: 'Enabled', Time: { Minutes: 15 } },
          Metrics: { Status: 'Enabled', EventThreshold: { Minutes: 15 } },
        },
      },
      {
        ID: 'legacy-like',
        Priority: 1,
        Status: 'Disabled',
        Filter: { Prefix: 'tmp/' },
        DeleteMarkerReplication: { Status: 'Enabled' },
        Destination: { Bucket: `arn:aws:s3:::${dst}` },
      },
    ],
  };
  await t
    .client(US)
    .send(new PutBucketReplicationCommand({ Bucket: src, ReplicationConfiguration: config }));
  const got = await t.client(US).send(new GetBucketReplicationCommand({ Bucket: src }));
  assert.deepEqual(got.ReplicationConfiguration, config);
  const suspend = await s3Error(
    t.client(US).send(
      new PutBucketVersioningCommand({
        Bucket: src,
        VersioningConfiguration: { Status: 'Suspended' },
      }),
    ),
  );
  assert.equal(suspend.name, 'InvalidBucketState');
  assert.equal(suspend.status, 409);
  await t.client(US).send(new DeleteBucketReplicationCommand({ Bucket: src }));
  assert.equal(
    (await s3Error(t.client(US).send(new GetBucketReplicationCommand({ Bucket: src })))).status,
    404,
  );
  await setVersioning(t.client(US), src, 'Suspended');
});
