// Each check fires on its own problem and names what and why; a good configuration gets none.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReplicationRuleModel, RuleCheck } from '../../main/contract/replication.js';
import {
  checkRules,
  filtersOverlap,
  type CheckInput,
  type DestinationFacts,
} from '../../main/core/replication/checks.js';
import { newRule } from '../../main/core/replication/rules.js';

const ROLE = 'arn:aws:iam::123456789012:role/replication';

function good(): CheckInput {
  return {
    source: { bucket: 'src', region: 'us-east-1', versioning: 'Enabled' },
    rules: [
      newRule({ bucket: 'dst', region: 'eu-west-1' }, { id: 'all', priority: 1 }),
      newRule(
        { bucket: 'dst', region: 'eu-west-1' },
        {
          id: 'docs',
          priority: 2,
          filter: { prefix: 'docs/', tags: [] },
          deleteMarkerReplication: true,
        },
      ),
      newRule(
        { bucket: 'archive', region: 'ap-south-1' },
        {
          id: 'tagged',
          priority: 1,
          filter: { prefix: '', tags: [{ key: 'keep', value: 'yes' }] },
          rtc: true,
          metrics: true,
          replicaModifications: true,
        },
      ),
    ],
    destinations: new Map<string, DestinationFacts>([
      ['dst', { exists: true, region: 'eu-west-1', versioning: 'Enabled' }],
      ['archive', { exists: true, region: 'ap-south-1', versioning: 'Enabled' }],
    ]),
    local: false,
    role: ROLE,
  };
}

function withRule(
  input: CheckInput,
  id: string,
  change: (r: ReplicationRuleModel) => ReplicationRuleModel,
): CheckInput {
  return { ...input, rules: input.rules.map((r) => (r.id === id ? change(r) : r)) };
}

function only(checks: RuleCheck[], level: RuleCheck['level'] = 'error'): RuleCheck {
  const of = checks.filter((c) => c.level === level);
  assert.equal(of.length, 1, `expected one ${level}, got ${JSON.stringify(checks, null, 1)}`);
  return of[0] as RuleCheck;
}

test('a good configuration (several destinations, tags, RTC, overlapping prefixes with distinct priorities) has no checks', () => {
  assert.deepEqual(checkRules(good()), []);
  assert.deepEqual(checkRules({ ...good(), local: true, role: undefined }), []);
  // Equal priorities into different destinations are fine: each destination decides alone.
  const input = withRule(good(), 'tagged', (r) => ({ ...r, priority: 2 }));
  assert.deepEqual(checkRules(input), []);
});

test('versioning off on the source: error with the enable-versioning fix', () => {
  for (const v of ['Off', 'Suspended'] as const) {
    const c = only(checkRules({ ...good(), source: { ...good().source, versioning: v } }));
    assert.match(c.message, /source bucket 'src'/);
    assert.match(c.message, new RegExp(v === 'Off' ? 'Versioning is off' : 'is suspended'));
    assert.match(c.message, /S3 replicates only from a bucket with versioning enabled/);
    assert.deepEqual(c.fix, { kind: 'enable-versioning', bucket: 'src', region: 'us-east-1' });
  }
});

test('versioning off on a destination: error naming it, with the fix for its region', () => {
  const input = good();
  input.destinations.set('archive', { exists: true, region: 'ap-south-1', versioning: 'Off' });
  const c = only(checkRules(input));
  assert.equal(c.ruleId, 'tagged');
  assert.match(c.message, /destination bucket 'archive' \(ap-south-1\)/);
  assert.match(c.message, /replicates only into a bucket with versioning enabled/);
  assert.deepEqual(c.fix, { kind: 'enable-versioning', bucket: 'archive', region: 'ap-south-1' });
});

test('a missing destination: error saying S3 refuses it', () => {
  const input = good();
  input.destinations.set('archive', { exists: false, region: null, versioning: null });
  const c = only(checkRules(input));
  assert.equal(c.field, 'destination.bucket');
  assert.match(c.message, /Destination bucket 'archive' of rule 'tagged' does not exist/);
  assert.match(c.message, /S3 refuses/);
});

test('a destination these credentials cannot see: a warning, not an error', () => {
  const input = good();
  input.destinations.set('archive', { exists: null, region: null, versioning: null });
  assert.equal(checkRules(input).filter((c) => c.level === 'error').length, 0);
  const w = only(checkRules(input), 'warning');
  assert.match(w.message, /'archive'.*could not be checked/);
  assert.match(w.message, /FAILED/);
});

test('source and destination the same bucket: error', () => {
  const input = withRule(good(), 'all', (r) => ({
    ...r,
    destination: { ...r.destination, bucket: 'src' },
  }));
  const c = only(checkRules(input));
  assert.equal(c.ruleId, 'all');
  assert.match(c.message, /replicates bucket 'src' into itself/);
  assert.match(c.message, /S3 refuses/);
});

test('overlapping rules with equal priority into one destination: error naming both and the overlap', () => {
  const input = withRule(good(), 'docs', (r) => ({ ...r, priority: 1 }));
  const c = only(checkRules(input));
  assert.equal(c.field, 'priority');
  assert.match(
    c.message,
    /Rules 'all' and 'docs' both replicate keys starting with 'docs\/' to 'dst' with the same priority 1/,
  );
  assert.match(c.message, /could not tell which rule decides/);
});

test('equal priority into one destination without overlap: still an error, saying S3 refuses it anyway', () => {
  const input: CheckInput = {
    ...good(),
    rules: [
      newRule({ bucket: 'dst' }, { id: 'a', priority: 5, filter: { prefix: 'a/', tags: [] } }),
      newRule({ bucket: 'dst' }, { id: 'b', priority: 5, filter: { prefix: 'b/', tags: [] } }),
    ],
  };
  const c = only(checkRules(input));
  assert.match(c.message, /'a' and 'b' replicate to 'dst' with the same priority 5/);
  assert.match(c.message, /even when their filters do not overlap/);
});

test('a tag filter with delete-marker replication: error explaining markers have no tags', () => {
  const input = withRule(good(), 'tagged', (r) => ({ ...r, deleteMarkerReplication: true }));
  const c = only(checkRules(input));
  assert.equal(c.ruleId, 'tagged');
  assert.equal(c.field, 'deleteMarkerReplication');
  assert.match(c.message, /filters by tag and replicates delete markers/);
  assert.match(c.message, /a delete marker has no tags/);
});

test('RTC without metrics: error saying S3 needs the metrics', () => {
  const input = withRule(good(), 'tagged', (r) => ({ ...r, metrics: false }));
  const c = only(checkRules(input));
  assert.equal(c.field, 'metrics');
  assert.match(c.message, /Replication Time Control without replication metrics/);
  assert.match(c.message, /refuses RTC without them/);
});

test('owner override without an account, a bad account id, a bad storage class, duplicate tag keys, duplicate IDs', () => {
  const override = withRule(good(), 'all', (r) => ({
    ...r,
    destination: { ...r.destination, ownerOverride: true },
  }));
  assert.match(only(checkRules(override)).message, /owner override.*names no destination account/);

  const account = withRule(good(), 'all', (r) => ({
    ...r,
    destination: { ...r.destination, account: '12345' },
  }));
  assert.match(only(checkRules(account)).message, /account '12345'.*12 digits/);

  const cls = withRule(good(), 'all', (r) => ({
    ...r,
    destination: { ...r.destination, storageClass: 'COLD' },
  }));
  assert.match(only(checkRules(cls)).message, /storage class 'COLD'/);

  const tags = withRule(good(), 'tagged', (r) => ({
    ...r,
    filter: {
      prefix: '',
      tags: [
        { key: 'keep', value: 'yes' },
        { key: 'keep', value: 'no' },
      ],
    },
  }));
  assert.match(only(checkRules(tags)).message, /tag 'keep' twice/);

  const ids = withRule(good(), 'docs', (r) => ({ ...r, id: 'all' }));
  assert.match(only(checkRules(ids)).message, /Two rules are called 'all'/);
});

test('AWS needs a role ARN; the local regions need none', () => {
  assert.match(only(checkRules({ ...good(), role: null })).message, /No IAM role is chosen/);
  assert.match(only(checkRules({ ...good(), role: 'replication' })).message, /not an IAM role ARN/);
  assert.deepEqual(checkRules({ ...good(), local: true, role: null }), []);
});

test('all rules disabled: a warning that nothing replicates; errors come before warnings', () => {
  const input: CheckInput = {
    ...good(),
    rules: good().rules.map((r) => ({ ...r, enabled: false })),
  };
  assert.match(
    only(checkRules(input), 'warning').message,
    /Every rule of bucket 'src' is disabled/,
  );
  const both = checkRules({ ...input, source: { ...input.source, versioning: 'Off' } });
  assert.deepEqual(
    both.map((c) => c.level),
    ['error', 'warning'],
  );
});

test('filter overlap: prefixes nested or not, tag values in conflict', () => {
  const f = (prefix: string, tags: [string, string][] = []) => ({
    prefix,
    tags: tags.map(([key, value]) => ({ key, value })),
  });
  assert.equal(filtersOverlap(f(''), f('a/')), true);
  assert.equal(filtersOverlap(f('a/b'), f('a/')), true);
  assert.equal(filtersOverlap(f('a/'), f('b/')), false);
  assert.equal(filtersOverlap(f('', [['k', '1']]), f('', [['k', '2']])), false);
  assert.equal(filtersOverlap(f('', [['k', '1']]), f('', [['j', '2']])), true);
});
