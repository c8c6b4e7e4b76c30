import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceCapabilities } from '../../main/contract/capabilities.js';
import { describeCapabilities, joinWords } from '../../main/core/capabilities/describe.js';

type Measured = Omit<ServiceCapabilities, 'summary'>;

const allYes: Measured = {
  probedAt: 1,
  endpoint: 'http://s3.example',
  bucket: 'b',
  ifMatchAccepted: 'yes',
  ifMatchEnforced: 'yes',
  ifNoneMatchEnforced: 'yes',
  completeIfNoneMatchEnforced: 'yes',
  deleteIfMatchEnforced: 'yes',
  checksums: { CRC64NVME: 'yes', CRC32C: 'yes', CRC32: 'yes', SHA256: 'yes', SHA1: 'yes' },
  contentMd5Enforced: 'yes',
  replicationApi: { state: 'round-trips', dropped: [], detail: '' },
};

// What RGW 16 answers on a versioned bucket.
const rgw16: Measured = {
  ...allYes,
  ifMatchAccepted: 'no',
  ifNoneMatchEnforced: 'no',
  completeIfNoneMatchEnforced: 'no',
  deleteIfMatchEnforced: 'no',
  checksums: { CRC64NVME: 'no', CRC32C: 'no', CRC32: 'no', SHA256: 'no', SHA1: 'no' },
  replicationApi: { state: 'unsupported', dropped: [], detail: '405 MethodNotAllowed' },
};

test('joinWords lists in plain English', () => {
  assert.equal(joinWords([]), '');
  assert.equal(joinWords(['A']), 'A');
  assert.equal(joinWords(['A', 'B']), 'A and B');
  assert.equal(joinWords(['A', 'B', 'C']), 'A, B and C');
});

test('a service that honours everything', () => {
  assert.deepEqual(describeCapabilities(allYes), [
    'Conditional writes: honoured (an edit made elsewhere at the same time is refused and shown as a conflict).',
    'Conditional deletes: honoured (a delete is refused when the file was changed elsewhere).',
    'Checksums verified by the service: CRC64NVME, CRC32C, CRC32, SHA256 and SHA1; Replica Sync sends CRC64NVME with each upload.',
    'Content-MD5: verified by the service (a damaged upload is refused).',
    'Replication rules: this service gives a rule back exactly as it was set.',
  ]);
});

test('a service that honours no conditional header and verifies no checksum', () => {
  const s = describeCapabilities(rgw16);
  assert.equal(
    s[0],
    "Conditional writes: not honoured by this service (an edit with the current ETag was refused, a new file over an existing one was stored and a large upload over an existing file was stored); Replica Sync writes without them and checks the key's versions right after each upload.",
  );
  assert.match(s[1]!, /^Conditional deletes: not honoured by this service/);
  assert.equal(
    s[2],
    'No checksum is verified by this service; Replica Sync verifies each upload itself.',
  );
  assert.equal(
    s[4],
    'Replication rules: this service does not support the replication API (405 MethodNotAllowed).',
  );
});

test('one condition not honoured is enough to write without them', () => {
  const s = describeCapabilities({ ...allYes, completeIfNoneMatchEnforced: 'no' });
  assert.match(s[0]!, /^Conditional writes: not honoured by this service \(a large upload/);
});

test('unknown findings are said to be unmeasured, never honoured', () => {
  const s = describeCapabilities({
    ...allYes,
    ifMatchEnforced: 'unknown',
    deleteIfMatchEnforced: 'unknown',
    checksums: { ...allYes.checksums, CRC64NVME: 'unknown', SHA1: 'no' },
    contentMd5Enforced: 'unknown',
    replicationApi: {
      state: 'not-probed',
      dropped: [],
      detail: 'could not create a scratch bucket to try a rule on (403 AccessDenied)',
    },
  });
  assert.deepEqual(s, [
    "Conditional writes: could not be measured; Replica Sync writes without them and checks the key's versions right after each upload.",
    'Conditional deletes: could not be measured.',
    'Checksums verified by the service: CRC32C, CRC32 and SHA256; Replica Sync sends CRC32C with each upload.',
    'Checksums that could not be measured: CRC64NVME.',
    'Content-MD5: could not be measured.',
    'Replication rules: not measured (could not create a scratch bucket to try a rule on (403 AccessDenied)).',
  ]);
});

test('dropped replication fields are named', () => {
  const s = describeCapabilities({
    ...allYes,
    replicationApi: {
      state: 'drops-fields',
      dropped: ['Filter', 'DeleteMarkerReplication', 'Role'],
      detail: '',
    },
  });
  assert.equal(
    s[4],
    'Replication rules: this service dropped Filter, DeleteMarkerReplication and Role when the rule was read back; a rule set here may not do what it says.',
  );
});
