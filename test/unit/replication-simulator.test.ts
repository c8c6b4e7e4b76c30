// The simulator decides as S3 does: matching enabled rules per destination, highest priority
// wins; it says where, with what storage class, and whether deletes follow.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReplicationRuleModel } from '../../main/contract/replication.js';
import { newRule } from '../../main/core/replication/rules.js';
import { simulate } from '../../main/core/replication/simulator.js';

function rules(): ReplicationRuleModel[] {
  return [
    newRule({ bucket: 'eu', region: 'eu-west-1' }, { id: 'all-eu', priority: 1 }),
    {
      ...newRule(
        { bucket: 'eu', region: 'eu-west-1' },
        {
          id: 'docs-eu',
          priority: 5,
          filter: { prefix: 'docs/', tags: [] },
          deleteMarkerReplication: true,
        },
      ),
      destination: {
        bucket: 'eu',
        region: 'eu-west-1',
        account: null,
        storageClass: 'STANDARD_IA',
        ownerOverride: false,
      },
    },
    newRule(
      { bucket: 'archive', region: 'ap-south-1' },
      { id: 'tagged', priority: 1, filter: { prefix: '', tags: [{ key: 'keep', value: 'yes' }] } },
    ),
    newRule(
      { bucket: 'off', region: 'us-west-2' },
      { id: 'disabled', priority: 1, enabled: false },
    ),
  ];
}

test('a key under docs/: the higher-priority rule decides for that destination', () => {
  const r = simulate(rules(), 'docs/plan.txt');
  assert.deepEqual(r.matches, [
    {
      ruleId: 'docs-eu',
      bucket: 'eu',
      region: 'eu-west-1',
      storageClass: 'STANDARD_IA',
      deletesFollow: true,
    },
  ]);
  assert.match(
    r.explanation,
    /Rule 'all-eu' matches but rule 'docs-eu' has the higher priority \(5 over 1\)/,
  );
  assert.match(r.explanation, /Rule 'tagged' does not apply: the object lacks tag keep=yes/);
  assert.match(r.explanation, /Rule 'disabled' would match but is disabled/);
  assert.match(
    r.explanation,
    /to 'eu' in eu-west-1 as STANDARD_IA; a delete \(delete marker\) follows/,
  );
});

test("a key elsewhere: the catch-all rule, the object's own storage class, deletes stay", () => {
  const r = simulate(rules(), 'photos/cat.jpg', [], { sourceStorageClass: 'GLACIER_IR' });
  assert.deepEqual(r.matches, [
    {
      ruleId: 'all-eu',
      bucket: 'eu',
      region: 'eu-west-1',
      storageClass: 'GLACIER_IR',
      deletesFollow: false,
    },
  ]);
  assert.match(
    r.explanation,
    /Rule 'docs-eu' does not apply: the key does not start with 'docs\/'/,
  );
  assert.match(r.explanation, /own storage class \(GLACIER_IR\)/);
  assert.match(r.explanation, /deletes do not follow: the rule does not replicate delete markers/);
});

test('tags add a destination: one match per destination bucket', () => {
  const r = simulate(rules(), 'docs/plan.txt', [
    { key: 'keep', value: 'yes' },
    { key: 'other', value: 'x' },
  ]);
  assert.deepEqual(
    r.matches.map((m) => [m.ruleId, m.bucket, m.storageClass, m.deletesFollow]),
    [
      ['docs-eu', 'eu', 'STANDARD_IA', true],
      ['tagged', 'archive', 'STANDARD', false],
    ],
  );
  // A wrong tag value does not match.
  assert.equal(simulate(rules(), 'x', [{ key: 'keep', value: 'no' }]).matches.length, 1);
});

test('no matching rule, and no rules at all, say so', () => {
  const only = [newRule({ bucket: 'eu' }, { id: 'docs', filter: { prefix: 'docs/', tags: [] } })];
  const r = simulate(only, 'photos/cat.jpg');
  assert.deepEqual(r.matches, []);
  assert.match(r.explanation, /No enabled rule matches: 'photos\/cat.jpg' is not replicated/);
  const none = simulate([], 'a.txt');
  assert.deepEqual(none.matches, []);
  assert.match(none.explanation, /no replication rules/);
});

test('a tag rule that asks for delete markers still says deletes do not follow', () => {
  const r = simulate(
    [
      newRule(
        { bucket: 'b' },
        {
          id: 't',
          filter: { prefix: '', tags: [{ key: 'k', value: 'v' }] },
          deleteMarkerReplication: true,
        },
      ),
    ],
    'a',
    [{ key: 'k', value: 'v' }],
  );
  assert.equal(r.matches[0]?.deletesFollow, false);
  assert.match(r.explanation, /S3 does not replicate delete markers for a rule with a tag filter/);
});
