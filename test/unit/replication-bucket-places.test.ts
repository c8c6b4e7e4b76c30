// GetBucketLocation's answer mapped per kind of service: the client (signing) region and the
// location label are kept apart, and a custom service's label never becomes its client region.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  locationLabel,
  placeFromLocation,
  regionFromLocation,
} from '../../main/core/replication/bucket-places.js';

test('AWS: empty is us-east-1, EU is eu-west-1, a region is itself; label and region agree', () => {
  for (const kind of ['aws-keys', 'aws-profile', 'local'] as const) {
    assert.deepEqual(placeFromLocation('', { kind }), {
      region: 'us-east-1',
      location: 'us-east-1',
    });
    assert.deepEqual(placeFromLocation(undefined, { kind }), {
      region: 'us-east-1',
      location: 'us-east-1',
    });
    assert.deepEqual(placeFromLocation('EU', { kind }), {
      region: 'eu-west-1',
      location: 'eu-west-1',
    });
    assert.deepEqual(placeFromLocation('ap-south-1', { kind }), {
      region: 'ap-south-1',
      location: 'ap-south-1',
    });
  }
  assert.equal(regionFromLocation(null), 'us-east-1');
});

test("custom with a signing region: RGW's zonegroup name is shown, the client signs with the account's region", () => {
  const policy = { kind: 'custom' as const, signingRegion: 'default' };
  assert.deepEqual(placeFromLocation('zg', policy), { region: 'default', location: 'zg' });
  assert.deepEqual(placeFromLocation('', policy), { region: 'default', location: null });
  // Not turned into eu-west-1: that is AWS's legacy name only.
  assert.deepEqual(placeFromLocation('EU', policy), { region: 'default', location: 'EU' });
});

test("custom without a signing region: the service's own name, else the default signing region", () => {
  const policy = { kind: 'custom' as const };
  assert.deepEqual(placeFromLocation('zg', policy), { region: 'zg', location: 'zg' });
  assert.deepEqual(placeFromLocation('', policy), { region: 'us-east-1', location: null });
  assert.deepEqual(placeFromLocation(undefined, policy), { region: 'us-east-1', location: null });
});

test('an empty custom location is shown as the service default, never as us-east-1', () => {
  assert.equal(locationLabel(null), '(service default)');
  assert.equal(locationLabel('zg'), 'zg');
});
