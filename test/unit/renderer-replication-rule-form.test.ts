// The rule editor's form and the rule model, both ways; new rules; re-prioritising; which
// input a check names; the rules as the commands take them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { replicationCommandArgs } from '../../main/contract/replication-commands.js';
import type { ReplicationRuleModel, RuleCheck } from '../../main/contract/replication.js';
import {
  byPriority,
  describeCheck,
  draftFromRule,
  editDraft,
  formatTags,
  hasErrors,
  movedRules,
  newRuleDraft,
  nextRuleId,
  parseTags,
  ruleArgs,
  ruleFieldOf,
  ruleFromDraft,
  rulesWith,
} from '../../renderer/src/rule-form.js';

function rule(id: string, priority: number, extra: Partial<ReplicationRuleModel> = {}) {
  return {
    id,
    priority,
    enabled: true,
    filter: { prefix: '', tags: [] },
    destination: {
      bucket: 'dest-bucket',
      region: 'eu-west-1',
      account: null,
      storageClass: null,
      ownerOverride: false,
    },
    rtc: false,
    metrics: false,
    deleteMarkerReplication: true,
    replicaModifications: false,
    ...extra,
  } satisfies ReplicationRuleModel;
}

const full: ReplicationRuleModel = {
  id: 'photos',
  priority: 7,
  enabled: false,
  filter: {
    prefix: 'photos/',
    tags: [
      { key: 'team', value: 'a=b' },
      { key: 'tier', value: '' },
    ],
  },
  destination: {
    bucket: 'photos-backup',
    region: 'ap-south-1',
    account: '111122223333',
    storageClass: 'STANDARD_IA',
    ownerOverride: true,
  },
  rtc: true,
  metrics: true,
  deleteMarkerReplication: false,
  replicaModifications: true,
};

describe('draftFromRule and ruleFromDraft', () => {
  it('round-trips every field of a rule', () => {
    const draft = draftFromRule(full);
    assert.equal(draft.priority, '7');
    assert.equal(draft.tags, 'team=a=b\ntier=');
    assert.equal(draft.destAccount, '111122223333');
    const back = ruleFromDraft(draft);
    assert.deepEqual(back.errors, {});
    assert.deepEqual(back.rule, full);
  });

  it('turns empty optional inputs into null and trims names', () => {
    const draft = {
      ...draftFromRule(rule('r1', 1)),
      id: '  r1 ',
      destBucket: ' dest-bucket ',
      destRegion: '',
      storageClass: '',
    };
    const { rule: out } = ruleFromDraft(draft);
    assert.equal(out?.id, 'r1');
    assert.equal(out?.destination.bucket, 'dest-bucket');
    assert.equal(out?.destination.region, null);
    assert.equal(out?.destination.account, null);
    assert.equal(out?.destination.storageClass, null);
  });

  it('keeps the prefix as typed (spaces are part of a key)', () => {
    const { rule: out } = ruleFromDraft({ ...draftFromRule(rule('r1', 1)), prefix: ' a b/' });
    assert.equal(out?.filter.prefix, ' a b/');
  });

  it('names each problem at its input', () => {
    const draft = {
      ...draftFromRule(rule('r1', 1)),
      id: '',
      priority: '1.5',
      tags: 'novalue',
      destBucket: 'Bad_Bucket',
      destRegion: 'EU West',
      destAccount: '123',
    };
    const { rule: out, errors } = ruleFromDraft(draft);
    assert.equal(out, null);
    assert.deepEqual(Object.keys(errors).sort(), [
      'destAccount',
      'destBucket',
      'destRegion',
      'id',
      'priority',
      'tags',
    ]);
  });

  it('refuses an ID another rule has, and a priority out of range', () => {
    const others = [rule('taken', 2)];
    assert.match(
      ruleFromDraft({ ...draftFromRule(rule('taken', 1)) }, others).errors.id ?? '',
      /Another rule is called taken/,
    );
    assert.ok(ruleFromDraft({ ...draftFromRule(rule('r', 1)), priority: '-1' }).errors.priority);
    assert.ok(
      ruleFromDraft({ ...draftFromRule(rule('r', 1)), priority: '1000001' }).errors.priority,
    );
    assert.ok(ruleFromDraft({ ...draftFromRule(rule('r', 1)), priority: '' }).errors.priority);
    assert.equal(
      ruleFromDraft({ ...draftFromRule(rule('r', 1)), priority: '0' }).rule?.priority,
      0,
    );
  });
});

describe('tags', () => {
  it('parses key=value lines and writes them back', () => {
    const parsed = parseTags('a=1\n\n  b = two words \nc=x=y');
    assert.equal(parsed.error, null);
    assert.deepEqual(parsed.tags, [
      { key: 'a', value: '1' },
      { key: 'b', value: 'two words' },
      { key: 'c', value: 'x=y' },
    ]);
    assert.equal(formatTags(parsed.tags), 'a=1\nb=two words\nc=x=y');
  });

  it('says which line is wrong', () => {
    assert.match(parseTags('a=1\nnope').error ?? '', /^Line 2/);
    assert.match(parseTags('=1').error ?? '', /no key/);
    assert.match(parseTags('a=1\na=2').error ?? '', /given twice/);
    const eleven = Array.from({ length: 11 }, (_, i) => `k${i}=v`).join('\n');
    assert.match(parseTags(eleven).error ?? '', /10 tags at most/);
  });
});

describe('new rules', () => {
  it('gets an unused ID, the top priority and the first destination', () => {
    const rules = [rule('rule-1', 3), rule('rule-3', 9)];
    assert.equal(nextRuleId(rules), 'rule-4');
    assert.equal(nextRuleId([]), 'rule-1');
    const draft = newRuleDraft(rules, { bucket: 'other', region: 'us-west-2' });
    assert.equal(draft.id, 'rule-4');
    assert.equal(draft.priority, '10');
    assert.equal(draft.destBucket, 'other');
    assert.equal(draft.destRegion, 'us-west-2');
    assert.equal(draft.enabled, true);
    assert.equal(newRuleDraft([]).priority, '1');
  });

  it('turns metrics on with RTC, and RTC off without metrics', () => {
    const base = newRuleDraft([]);
    const withRtc = editDraft(base, { rtc: true });
    assert.equal(withRtc.metrics, true);
    const noMetrics = editDraft(withRtc, { metrics: false });
    assert.equal(noMetrics.rtc, false);
    assert.equal(editDraft(base, { prefix: 'x' }).prefix, 'x');
  });
});

describe('rule lists', () => {
  it('replaces the edited rule or adds a new one', () => {
    const rules = [rule('a', 1), rule('b', 2)];
    assert.deepEqual(
      rulesWith(rules, rule('a2', 5), 'a').map((r) => r.id),
      ['a2', 'b'],
    );
    assert.deepEqual(
      rulesWith(rules, rule('c', 3), null).map((r) => r.id),
      ['a', 'b', 'c'],
    );
  });

  it('orders by priority, highest first', () => {
    assert.deepEqual(
      byPriority([rule('low', 1), rule('high', 9), rule('mid', 5)]).map((r) => r.id),
      ['high', 'mid', 'low'],
    );
  });

  it('moves a rule by swapping priorities with its neighbour', () => {
    const rules = [rule('a', 1), rule('b', 5), rule('c', 9)];
    const up = movedRules(rules, 'a', 'up');
    assert.deepEqual(
      byPriority(up ?? []).map((r) => `${r.id}:${r.priority}`),
      ['c:9', 'a:5', 'b:1'],
    );
    const down = movedRules(rules, 'c', 'down');
    assert.deepEqual(
      byPriority(down ?? []).map((r) => r.id),
      ['b', 'c', 'a'],
    );
    assert.equal(movedRules(rules, 'c', 'up'), null);
    assert.equal(movedRules(rules, 'a', 'down'), null);
    assert.equal(movedRules(rules, 'nope', 'up'), null);
  });

  it('breaks a tie when moving', () => {
    const rules = [rule('a', 4), rule('b', 4)];
    const moved = movedRules(rules, 'b', 'up');
    assert.deepEqual(
      byPriority(moved ?? []).map((r) => r.id),
      ['b', 'a'],
    );
  });
});

describe('checks', () => {
  it('maps a check field or argument path to an input', () => {
    assert.equal(ruleFieldOf('destination.bucket'), 'destBucket');
    assert.equal(ruleFieldOf('rules.2.filter.tags.0.key'), 'tags');
    assert.equal(ruleFieldOf('rules.0.destination.storageClass'), 'storageClass');
    assert.equal(ruleFieldOf('priority'), 'priority');
    assert.equal(ruleFieldOf('rtc'), 'rtc');
    assert.equal(ruleFieldOf('something.else'), null);
    assert.equal(ruleFieldOf(null), null);
  });

  it('says what and where', () => {
    const check: RuleCheck = {
      level: 'error',
      ruleId: 'r1',
      field: 'destination.bucket',
      message: 'Versioning is off on b.',
      fix: { kind: 'enable-versioning', bucket: 'b', region: 'eu-west-1' },
    };
    assert.equal(describeCheck(check), 'Rule r1, destination bucket: Versioning is off on b.');
    assert.equal(describeCheck({ ...check, ruleId: null, field: null }), 'Versioning is off on b.');
    assert.equal(hasErrors([check]), true);
    assert.equal(hasErrors([{ ...check, level: 'warning' }]), false);
  });
});

describe('ruleArgs', () => {
  it('leaves out the empty destination fields, which the command schema takes as absent', () => {
    const args = ruleArgs(
      rule('r1', 1, { destination: { ...rule('x', 1).destination, region: null } }),
    );
    assert.deepEqual(args.destination, { bucket: 'dest-bucket', ownerOverride: false });
    const issues: { path: string; message: string }[] = [];
    replicationCommandArgs['replication.save'].check(
      {
        accountId: 'local',
        bucket: 'src-bucket',
        region: 'us-east-1',
        rules: [args, ruleArgs(full)],
      },
      '',
      issues,
    );
    assert.deepEqual(issues, []);
  });

  it('keeps every set field', () => {
    assert.deepEqual(ruleArgs(full).destination, {
      bucket: 'photos-backup',
      region: 'ap-south-1',
      account: '111122223333',
      storageClass: 'STANDARD_IA',
      ownerOverride: true,
    });
  });
});
