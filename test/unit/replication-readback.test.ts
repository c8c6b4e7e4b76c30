// The read-back comparison: what a service kept of a sent replication configuration, field by
// field, on S3's own shape (a dropped Filter must not pass as a legacy V1 rule).
import type { ReplicationConfiguration } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareReadBack, notKeptMessage } from '../../main/core/replication/readback.js';
import { configToS3, newRule } from '../../main/core/replication/rules.js';

const ROLE = 'arn:aws:iam::123456789012:role/replica-sync';

function sentConfig(): ReplicationConfiguration {
  return configToS3(
    [
      {
        ...newRule(
          { bucket: 'photos-eu', region: 'eu-west-1' },
          {
            id: 'docs',
            priority: 3,
            filter: { prefix: 'docs/', tags: [{ key: 'keep', value: 'yes' }] },
            deleteMarkerReplication: true,
            replicaModifications: true,
            rtc: true,
            metrics: true,
          },
        ),
        destination: {
          bucket: 'photos-eu',
          region: 'eu-west-1',
          account: '123456789012',
          storageClass: 'STANDARD_IA',
          ownerOverride: true,
        },
      },
      newRule({ bucket: 'photos-ap' }, { id: 'all', priority: 1 }),
    ],
    ROLE,
  );
}

test('a configuration kept as sent has no differences', () => {
  const sent = sentConfig();
  assert.deepEqual(compareReadBack(sent, structuredClone(sent)), []);
  assert.equal(notKeptMessage([]), null);
});

test('RGW 16: Filter, DeleteMarkerReplication and Role dropped are each named', () => {
  const sent = sentConfig();
  const stored = structuredClone(sent);
  delete stored.Role;
  for (const r of stored.Rules ?? []) {
    delete r.Filter;
    delete r.DeleteMarkerReplication;
  }
  const diff = compareReadBack(sent, stored);
  assert.deepEqual(
    diff.map((d) => `${d.ruleId ?? '-'}:${d.field}`),
    [
      '-:Role',
      'docs:Filter',
      'docs:DeleteMarkerReplication',
      'all:Filter',
      'all:DeleteMarkerReplication',
    ],
  );
  assert.deepEqual(diff[0], { ruleId: null, field: 'Role', sent: ROLE, stored: null });
  assert.deepEqual(diff[1], {
    ruleId: 'docs',
    field: 'Filter',
    sent: 'prefix=docs/ tags=keep=yes',
    stored: null,
  });
  assert.equal(
    notKeptMessage(diff),
    'This service did not keep: Role, Filter, DeleteMarkerReplication',
  );
});

test('every modelled field that comes back changed or missing is named', () => {
  const sent = sentConfig();
  const stored = structuredClone(sent);
  const r = stored.Rules?.[0];
  assert.ok(r?.Destination);
  r.Priority = 0;
  r.Status = 'Disabled';
  r.Filter = { And: { Prefix: 'docs/', Tags: [{ Key: 'keep', Value: 'no' }] } };
  r.Destination.Bucket = 'arn:aws:s3:::elsewhere';
  r.Destination.StorageClass = 'GLACIER';
  delete r.Destination.Account;
  delete r.Destination.AccessControlTranslation;
  delete r.Destination.ReplicationTime;
  delete r.Destination.Metrics;
  r.DeleteMarkerReplication = { Status: 'Disabled' };
  delete r.SourceSelectionCriteria;
  assert.deepEqual(
    compareReadBack(sent, stored).map((d) => d.field),
    [
      'Priority',
      'Status',
      'Filter',
      'Destination',
      'StorageClass',
      'Account',
      'OwnerOverride',
      'ReplicationTime',
      'Metrics',
      'DeleteMarkerReplication',
      'ReplicaModifications',
    ],
  );
});

test('a rule matched by ID in another order is fine; a missing rule or configuration is named', () => {
  const sent = sentConfig();
  const reordered = { ...sent, Rules: [...(sent.Rules ?? [])].reverse() };
  assert.deepEqual(compareReadBack(sent, reordered), []);

  const one = { ...sent, Rules: [(sent.Rules ?? [])[0]!] };
  assert.deepEqual(compareReadBack(sent, one), [
    { ruleId: 'all', field: 'Rule', sent: 'all', stored: null },
  ]);
  assert.deepEqual(
    compareReadBack(sent, null).map((d) => d.field),
    ['Role', 'Rule', 'Rule'],
  );
});

test('a renamed rule (the service made up its own ID) is matched by place and its ID named', () => {
  const sent = sentConfig();
  const stored = structuredClone(sent);
  stored.Rules![1]!.ID = 'rule-2';
  assert.deepEqual(compareReadBack(sent, stored), [
    { ruleId: 'all', field: 'ID', sent: 'all', stored: 'rule-2' },
  ]);
});

test('a default storage class reported back as STANDARD is not a change', () => {
  const sent = sentConfig();
  const stored = structuredClone(sent);
  stored.Rules![1]!.Destination!.StorageClass = 'STANDARD';
  assert.deepEqual(compareReadBack(sent, stored), []);
});
