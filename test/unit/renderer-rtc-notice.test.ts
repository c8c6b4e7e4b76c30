// The words of an RTC breach notice (made in main for both hosts), and browser mode's
// once-per-copy key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rtcNotice } from '../../main/core/replication/rtc-notice.js';
import { rtcBreachKey } from '../../renderer/src/rtc-notice.js';

const breach = {
  folderId: 'f1',
  relPath: 'docs/late.txt',
  versionId: 'v1',
  bucket: 'dst',
  region: 'eu-west-1',
  ruleId: 'to-dst',
  latencyMs: null,
};

test('an RTC breach notice names the file, the destination and the 15-minute guarantee', () => {
  assert.deepEqual(rtcNotice(breach), {
    ...breach,
    title: 'Replication late: late.txt',
    body: 'docs/late.txt has not reached dst (eu-west-1) within the 15 minutes its rule guarantees.',
  });
  assert.match(
    rtcNotice({ ...breach, latencyMs: 21 * 60_000 }).body,
    /took 21 min to reach dst \(eu-west-1\), past the 15 minutes/,
  );
});

test('one notice per version and destination', () => {
  assert.equal(rtcBreachKey(breach), rtcBreachKey({ ...breach, latencyMs: 5 }));
  assert.notEqual(rtcBreachKey(breach), rtcBreachKey({ ...breach, versionId: 'v2' }));
  assert.notEqual(rtcBreachKey(breach), rtcBreachKey({ ...breach, bucket: 'other' }));
});
