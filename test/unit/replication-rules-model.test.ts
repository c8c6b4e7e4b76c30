// S3 ReplicationConfiguration ↔ rule model: every field survives the round trip, each filter
// shape maps to the S3 element S3 expects, legacy V1 rules read faithfully.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReplicationRule } from '@aws-sdk/client-s3';
import type { ReplicationRuleModel } from '../../main/contract/replication.js';
import {
  bucketFromArn,
  configToS3,
  newRule,
  regionFromLocation,
  removeRule,
  ruleFromS3,
  ruleToS3,
  rulesFromS3,
  setRuleEnabled,
  setRulePriority,
  upsertRule,
} from '../../main/core/replication/rules.js';

function fullRule(): ReplicationRuleModel {
  return {
    id: 'everything',
    priority: 7,
    enabled: true,
    filter: {
      prefix: 'photos/',
      tags: [
        { key: 'team', value: 'blue' },
        { key: 'keep', value: '' },
      ],
    },
    destination: {
      bucket: 'dest-bucket',
      region: 'eu-west-1',
      account: '123456789012',
      storageClass: 'STANDARD_IA',
      ownerOverride: true,
    },
    rtc: true,
    metrics: true,
    deleteMarkerReplication: false,
    replicaModifications: true,
  };
}

test('a rule with every field set maps to the S3 rule with every element, and back', () => {
  const model = fullRule();
  const s3 = ruleToS3(model);
  assert.deepEqual(s3, {
    ID: 'everything',
    Priority: 7,
    Status: 'Enabled',
    Filter: {
      And: {
        Prefix: 'photos/',
        Tags: [
          { Key: 'team', Value: 'blue' },
          { Key: 'keep', Value: '' },
        ],
      },
    },
    Destination: {
      Bucket: 'arn:aws:s3:::dest-bucket',
      Account: '123456789012',
      StorageClass: 'STANDARD_IA',
      AccessControlTranslation: { Owner: 'Destination' },
      ReplicationTime: { Status: 'Enabled', Time: { Minutes: 15 } },
      Metrics: { Status: 'Enabled', EventThreshold: { Minutes: 15 } },
    },
    DeleteMarkerReplication: { Status: 'Disabled' },
    SourceSelectionCriteria: { ReplicaModifications: { Status: 'Enabled' } },
  });
  assert.deepEqual(ruleFromS3(s3, 0, 'eu-west-1'), model);
});

test('every field on its own round-trips (each boolean both ways, each optional set and unset)', () => {
  const base = newRule({ bucket: 'dest', region: 'us-east-1' });
  const variants: ReplicationRuleModel[] = [
    base,
    { ...base, enabled: false },
    { ...base, priority: 0 },
    { ...base, priority: 1_000_000 },
    { ...base, rtc: true },
    { ...base, metrics: true },
    { ...base, rtc: true, metrics: true },
    { ...base, deleteMarkerReplication: true },
    { ...base, replicaModifications: true },
    { ...base, destination: { ...base.destination, account: '210987654321' } },
    {
      ...base,
      destination: { ...base.destination, account: '210987654321', ownerOverride: true },
    },
    { ...base, destination: { ...base.destination, storageClass: 'GLACIER_IR' } },
    { ...base, destination: { ...base.destination, region: null } },
    { ...base, filter: { prefix: 'a/b/', tags: [] } },
    { ...base, filter: { prefix: '', tags: [{ key: 'k', value: 'v' }] } },
    { ...base, filter: { prefix: 'p/', tags: [{ key: 'k', value: 'v' }] } },
    {
      ...base,
      filter: {
        prefix: '',
        tags: [
          { key: 'k', value: 'v' },
          { key: 'x', value: 'y' },
        ],
      },
    },
  ];
  for (const v of variants) {
    assert.deepEqual(ruleFromS3(ruleToS3(v), 0, v.destination.region), v, JSON.stringify(v));
  }
});

test('each filter shape becomes the element S3 expects', () => {
  const base = newRule({ bucket: 'd' });
  const filterOf = (prefix: string, tags: { key: string; value: string }[]) =>
    ruleToS3({ ...base, filter: { prefix, tags } }).Filter;
  assert.deepEqual(filterOf('', []), { Prefix: '' });
  assert.deepEqual(filterOf('docs/', []), { Prefix: 'docs/' });
  assert.deepEqual(filterOf('', [{ key: 'a', value: '1' }]), { Tag: { Key: 'a', Value: '1' } });
  assert.deepEqual(filterOf('docs/', [{ key: 'a', value: '1' }]), {
    And: { Prefix: 'docs/', Tags: [{ Key: 'a', Value: '1' }] },
  });
  assert.deepEqual(
    filterOf('', [
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ]),
    {
      And: {
        Tags: [
          { Key: 'a', Value: '1' },
          { Key: 'b', Value: '2' },
        ],
      },
    },
  );
});

test('S3 filters read into the model: empty filter, Prefix, Tag, And without Prefix', () => {
  const rule = (Filter: ReplicationRule['Filter']): ReplicationRule => ({
    ID: 'r',
    Priority: 2,
    Status: 'Enabled',
    Filter,
    Destination: { Bucket: 'arn:aws:s3:::d' },
    DeleteMarkerReplication: { Status: 'Enabled' },
  });
  assert.deepEqual(ruleFromS3(rule({}), 0).filter, { prefix: '', tags: [] });
  assert.deepEqual(ruleFromS3(rule({ Prefix: 'x/' }), 0).filter, { prefix: 'x/', tags: [] });
  assert.deepEqual(ruleFromS3(rule({ Tag: { Key: 'k', Value: 'v' } }), 0).filter, {
    prefix: '',
    tags: [{ key: 'k', value: 'v' }],
  });
  assert.deepEqual(ruleFromS3(rule({ And: { Tags: [{ Key: 'k', Value: 'v' }] } }), 0).filter, {
    prefix: '',
    tags: [{ key: 'k', value: 'v' }],
  });
  const r = ruleFromS3(rule({ Prefix: 'x/' }), 0);
  assert.equal(r.deleteMarkerReplication, true);
  assert.equal(r.rtc, false);
  assert.equal(r.metrics, false);
  assert.equal(r.replicaModifications, false);
  assert.equal(r.destination.account, null);
  assert.equal(r.destination.storageClass, null);
  assert.equal(r.destination.ownerOverride, false);
});

test('a legacy V1 rule (Prefix under Rule, no Priority) reads as a filter prefix and replicates delete markers', () => {
  const legacy: ReplicationRule[] = [
    { ID: 'v1-a', Prefix: 'logs/', Status: 'Enabled', Destination: { Bucket: 'arn:aws:s3:::d' } },
    { ID: 'v1-b', Prefix: 'img/', Status: 'Disabled', Destination: { Bucket: 'arn:aws:s3:::d' } },
    {
      Prefix: 'tmp/',
      Status: 'Enabled',
      Destination: { Bucket: 'arn:aws:s3:::d' },
      DeleteMarkerReplication: { Status: 'Disabled' },
    },
  ];
  const models = legacy.map((r, i) => ruleFromS3(r, i, 'eu-west-1'));
  assert.deepEqual(
    models.map((m) => [m.id, m.priority, m.enabled, m.filter.prefix, m.deleteMarkerReplication]),
    [
      ['v1-a', 0, true, 'logs/', true],
      ['v1-b', 1, false, 'img/', true],
      ['rule-3', 2, true, 'tmp/', false],
    ],
  );
  // Written back as V2: Filter, distinct priorities, explicit DeleteMarkerReplication.
  const v2 = ruleToS3(models[0] as ReplicationRuleModel);
  assert.equal(v2.Prefix, undefined);
  assert.deepEqual(v2.Filter, { Prefix: 'logs/' });
  assert.equal(v2.Priority, 0);
  assert.deepEqual(v2.DeleteMarkerReplication, { Status: 'Enabled' });
});

test('Disabled RTC/metrics/replica modifications read as off; off writes no element', () => {
  const s3: ReplicationRule = {
    ID: 'r',
    Priority: 1,
    Status: 'Enabled',
    Filter: { Prefix: '' },
    Destination: {
      Bucket: 'arn:aws:s3:::d',
      ReplicationTime: { Status: 'Disabled', Time: { Minutes: 15 } },
      Metrics: { Status: 'Disabled' },
    },
    DeleteMarkerReplication: { Status: 'Disabled' },
    SourceSelectionCriteria: { ReplicaModifications: { Status: 'Disabled' } },
  };
  const m = ruleFromS3(s3, 0);
  assert.equal(m.rtc, false);
  assert.equal(m.metrics, false);
  assert.equal(m.replicaModifications, false);
  const out = ruleToS3(m);
  assert.deepEqual(out.Destination, { Bucket: 'arn:aws:s3:::d' });
  assert.equal(out.SourceSelectionCriteria, undefined);
});

test('fields the model does not carry are kept from the stored rule with the same ID', () => {
  const previous: ReplicationRule = {
    ID: 'kms',
    Priority: 1,
    Status: 'Enabled',
    Filter: { Prefix: '' },
    Destination: {
      Bucket: 'arn:aws:s3:::d',
      EncryptionConfiguration: { ReplicaKmsKeyID: 'arn:aws:kms:eu-west-1:123456789012:key/abc' },
    },
    DeleteMarkerReplication: { Status: 'Disabled' },
    SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
    ExistingObjectReplication: { Status: 'Enabled' },
  };
  const edited = { ...ruleFromS3(previous, 0), replicaModifications: true, priority: 3 };
  const config = configToS3([edited, newRule({ bucket: 'other' })], 'arn:aws:iam::1:role/r', {
    Role: 'arn:aws:iam::1:role/r',
    Rules: [previous],
  });
  const [kept, fresh] = config.Rules ?? [];
  assert.equal(config.Role, 'arn:aws:iam::1:role/r');
  assert.deepEqual(kept?.Destination?.EncryptionConfiguration, {
    ReplicaKmsKeyID: 'arn:aws:kms:eu-west-1:123456789012:key/abc',
  });
  assert.deepEqual(kept?.SourceSelectionCriteria, {
    SseKmsEncryptedObjects: { Status: 'Enabled' },
    ReplicaModifications: { Status: 'Enabled' },
  });
  assert.deepEqual(kept?.ExistingObjectReplication, { Status: 'Enabled' });
  assert.equal(kept?.Priority, 3);
  assert.equal(fresh?.ExistingObjectReplication, undefined);
  assert.equal(fresh?.Destination?.EncryptionConfiguration, undefined);
});

test('rulesFromS3 looks up each destination region once; unknown buckets stay null', async () => {
  const asked: string[] = [];
  const models = await rulesFromS3(
    {
      Role: 'r',
      Rules: [
        ruleToS3(newRule({ bucket: 'known' }, { id: 'a', priority: 1 })),
        ruleToS3(newRule({ bucket: 'known' }, { id: 'b', priority: 2 })),
        ruleToS3(newRule({ bucket: 'elsewhere' }, { id: 'c', priority: 1 })),
      ],
    },
    async (bucket) => {
      asked.push(bucket);
      if (bucket === 'elsewhere') throw new Error('AccessDenied');
      return 'ap-south-1';
    },
  );
  assert.deepEqual(
    models.map((m) => m.destination.region),
    ['ap-south-1', 'ap-south-1', null],
  );
  assert.deepEqual(asked.sort(), ['elsewhere', 'known']);
  assert.deepEqual(await rulesFromS3(null, async () => 'x'), []);
});

test('rule edits: add, replace, enable/disable, re-prioritise, remove', () => {
  let rules = [newRule({ bucket: 'b1' }, { id: 'one' })];
  rules = upsertRule(rules, newRule({ bucket: 'b2' }, { id: 'two', priority: 2 }));
  assert.deepEqual(
    rules.map((r) => r.id),
    ['one', 'two'],
  );
  rules = upsertRule(rules, { ...(rules[0] as ReplicationRuleModel), rtc: true, metrics: true });
  assert.equal(rules.length, 2);
  assert.equal(rules[0]?.rtc, true);
  rules = setRuleEnabled(rules, 'two', false);
  assert.equal(rules[1]?.enabled, false);
  rules = setRulePriority(rules, 'one', 9);
  assert.equal(rules[0]?.priority, 9);
  rules = removeRule(rules, 'one');
  assert.deepEqual(
    rules.map((r) => r.id),
    ['two'],
  );
  assert.throws(() => removeRule(rules, 'nope'), /no replication rule 'nope'/);
  assert.throws(() => setRuleEnabled(rules, 'nope', true), /no replication rule 'nope'/);
});

test('bucket locations and ARNs', () => {
  assert.equal(regionFromLocation(undefined), 'us-east-1');
  assert.equal(regionFromLocation(''), 'us-east-1');
  assert.equal(regionFromLocation('EU'), 'eu-west-1');
  assert.equal(regionFromLocation('ap-southeast-2'), 'ap-southeast-2');
  assert.equal(bucketFromArn('arn:aws:s3:::my.bucket'), 'my.bucket');
  assert.equal(bucketFromArn('plain'), 'plain');
});
