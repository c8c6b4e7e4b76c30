// How buckets, rules, stale replicas and the IAM role read in the Replication view.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BucketReplication, ReplicationRuleModel } from '../../main/contract/replication.js';
import {
  bucketsByRegion,
  describePrefix,
  describeRtc,
  describeTags,
  destinationChoices,
  locationLabel,
  placeLabel,
  storageClassLabel,
  VERDICT_LABELS,
} from '../../renderer/src/replication-format.js';
import { countMarkers, lossByRegion, staleKeys } from '../../renderer/src/stale-replicas.js';

function bucket(name: string, region: string): BucketReplication {
  return {
    accountId: 'local',
    bucket: name,
    region,
    location: region,
    versioning: 'Enabled',
    role: null,
    rules: [],
    replicating: null,
  };
}

const rule: ReplicationRuleModel = {
  id: 'r1',
  priority: 1,
  enabled: true,
  filter: { prefix: '', tags: [] },
  destination: {
    bucket: 'dest',
    region: 'eu-west-1',
    account: null,
    storageClass: null,
    ownerOverride: false,
  },
  rtc: false,
  metrics: false,
  deleteMarkerReplication: true,
  replicaModifications: false,
};

describe('replication-format', () => {
  it('groups buckets by region, in name order', () => {
    const grouped = bucketsByRegion([
      bucket('zeta', 'us-east-1'),
      bucket('alpha', 'us-east-1'),
      bucket('beta', 'eu-west-1'),
    ]);
    assert.deepEqual(
      grouped.map((g) => [g.region, g.buckets.map((b) => b.bucket)]),
      [
        ['eu-west-1', ['beta']],
        ['us-east-1', ['alpha', 'zeta']],
      ],
    );
  });

  it('shows a service’s own location label apart from the signing region', () => {
    assert.equal(placeLabel({ region: 'eu-west-1', location: 'eu-west-1' }), 'eu-west-1');
    assert.equal(placeLabel({ region: 'default', location: 'zg' }), 'zg (signed as default)');
    assert.equal(
      placeLabel({ region: 'us-east-1', location: null }),
      '(service default) (signed as us-east-1)',
    );
    assert.equal(locationLabel(null), '(service default)');
    const grouped = bucketsByRegion([
      { ...bucket('rgw-a', 'default'), location: 'zg' },
      { ...bucket('rgw-b', 'default'), location: 'zg' },
      { ...bucket('plain', 'default'), location: null },
    ]);
    assert.deepEqual(
      grouped.map((g) => [g.region, g.buckets.map((b) => b.bucket)]),
      [
        ['(service default) (signed as default)', ['plain']],
        ['zg (signed as default)', ['rgw-a', 'rgw-b']],
      ],
    );
    assert.equal(VERDICT_LABELS['not-replicating'], 'Not replicating on this service');
  });

  it('describes a rule in words', () => {
    assert.equal(describePrefix(rule), 'Every key');
    assert.equal(describeTags(rule), 'Any tags');
    assert.equal(describeRtc(rule), 'Off');
    const other = {
      ...rule,
      rtc: true,
      metrics: true,
      filter: { prefix: 'docs/', tags: [{ key: 'a', value: '1' }] },
      destination: { ...rule.destination, region: null, account: '111122223333' },
    };
    assert.equal(describePrefix(other), 'docs/');
    assert.equal(describeTags(other), 'a=1');
    assert.equal(describeRtc(other), 'On, with metrics');
    assert.equal(storageClassLabel(null), 'Same as source');
    assert.equal(storageClassLabel('STANDARD_IA'), 'Standard-IA');
    assert.equal(storageClassLabel('NEW_CLASS'), 'NEW_CLASS');
  });

  it('offers every other bucket as a destination', () => {
    const all = [bucket('a', 'us-east-1'), bucket('b', 'eu-west-1'), bucket('a', 'eu-west-1')];
    assert.deepEqual(destinationChoices(all, { bucket: 'a', region: 'us-east-1' }), [
      { bucket: 'a', region: 'eu-west-1' },
      { bucket: 'b', region: 'eu-west-1' },
    ]);
  });
});

describe('stale replicas', () => {
  const replicas = [
    { key: 'a.txt', bucket: 'b-eu', region: 'eu-west-1', versionId: 'v1', size: 100 },
    { key: 'b.txt', bucket: 'b-eu', region: 'eu-west-1', versionId: 'v2', size: 50 },
    { key: 'a.txt', bucket: 'b-ap', region: 'ap-south-1', versionId: 'v1', size: 100 },
  ];

  it('adds up what each region would lose', () => {
    assert.deepEqual(lossByRegion(replicas), [
      { region: 'ap-south-1', bucket: 'b-ap', count: 1, bytes: 100 },
      { region: 'eu-west-1', bucket: 'b-eu', count: 2, bytes: 150 },
    ]);
    assert.deepEqual(lossByRegion([]), []);
  });

  it('names each key once', () => {
    assert.deepEqual(staleKeys(replicas), ['a.txt', 'b.txt']);
    assert.equal(countMarkers(1), '1 delete marker');
    assert.equal(countMarkers(1200), '1,200 delete markers');
  });
});
