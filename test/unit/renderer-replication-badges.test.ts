// How a file's replica states read in the Files view: one badge per destination.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  DestinationStatus,
  FileReplication,
  ReplicaState,
} from '../../main/contract/replication.js';
import {
  canRetry,
  formatLatency,
  isSettling,
  replicaBadge,
  replicaBadges,
  replicaSummary,
} from '../../renderer/src/replica-badges.js';

function dest(region: string, state: ReplicaState, extra: Partial<DestinationStatus> = {}) {
  return {
    bucket: `b-${region}`,
    region,
    state,
    latencyMs: null,
    rtcBreached: false,
    reason: null,
    ...extra,
  } satisfies DestinationStatus;
}

function file(destinations: DestinationStatus[], extra: Partial<FileReplication> = {}) {
  return {
    folderId: 'f1',
    relPath: 'a.txt',
    versionId: 'v1',
    sourceStatus: 'PENDING',
    destinations,
    ...extra,
  } satisfies FileReplication;
}

describe('replicaBadge', () => {
  it('says each state in one word and names the badge "<region>: <state>"', () => {
    const cases: [ReplicaState, string, string][] = [
      ['pending', 'Pending', 'pending'],
      ['replicated', 'Replicated', 'uploading'],
      ['verified', 'Verified', 'synced'],
      ['failed', 'Failed', 'error'],
      ['missing', 'Missing', 'error'],
    ];
    for (const [state, label, tone] of cases) {
      const badge = replicaBadge(dest('eu-west-1', state));
      assert.equal(badge.label, label);
      assert.equal(badge.tone, tone);
      assert.equal(badge.name, `eu-west-1: ${label}`);
      assert.equal(badge.region, 'eu-west-1');
    }
  });

  it('a copy whose metadata alone matches says so, never "Verified"', () => {
    const badge = replicaBadge(
      dest('zg', 'replicated', { checkedBy: 'metadata', reason: 'Metadata matches: …' }),
    );
    assert.equal(badge.label, 'Metadata matches');
    assert.equal(badge.name, 'zg: Metadata matches');
    assert.match(badge.detail, /Metadata matches: …$/);
  });

  it('puts latency, RTC breach and reason in the tooltip', () => {
    const badge = replicaBadge(
      dest('us-east-1', 'failed', { latencyMs: 1500, rtcBreached: true, reason: 'Region down.' }),
    );
    assert.match(badge.detail, /b-us-east-1 \(us-east-1\)/);
    assert.match(badge.detail, /Replicated in 1\.5 s\./);
    assert.match(badge.detail, /15-minute Replication Time Control window/);
    assert.match(badge.detail, /Region down\.$/);
  });
});

describe('replicaBadges', () => {
  it('gives one badge per destination, in region order', () => {
    const badges = replicaBadges(
      file([
        dest('us-west-2', 'pending'),
        dest('eu-west-1', 'verified'),
        dest('ap-south-1', 'failed'),
      ]),
    );
    assert.deepEqual(
      badges.map((b) => b.name),
      ['ap-south-1: Failed', 'eu-west-1: Verified', 'us-west-2: Pending'],
    );
  });

  it('keeps two buckets of one region apart', () => {
    const badges = replicaBadges(
      file([
        dest('eu-west-1', 'pending', { bucket: 'z' }),
        dest('eu-west-1', 'verified', { bucket: 'a' }),
      ]),
    );
    assert.deepEqual(
      badges.map((b) => b.bucket),
      ['a', 'z'],
    );
    assert.notEqual(badges[0]?.key, badges[1]?.key);
  });

  it('has none before the state is known', () => {
    assert.deepEqual(replicaBadges(undefined), []);
  });
});

describe('replicaSummary', () => {
  it('says why there is no badge', () => {
    assert.equal(replicaSummary(file([], { sourceStatus: 'NONE' })), 'No rule');
    assert.equal(replicaSummary(file([], { sourceStatus: 'UNKNOWN' })), 'Unknown');
    assert.equal(replicaSummary(file([], { sourceStatus: 'COMPLETED' })), 'Replicated');
    assert.equal(replicaSummary(file([dest('eu-west-1', 'pending')])), '');
    assert.equal(replicaSummary(undefined), '');
  });
});

describe('formatLatency', () => {
  it('reads milliseconds, seconds, minutes and hours', () => {
    assert.equal(formatLatency(null), '—');
    assert.equal(formatLatency(-5), '—');
    assert.equal(formatLatency(0), '0 ms');
    assert.equal(formatLatency(850), '850 ms');
    assert.equal(formatLatency(1000), '1.0 s');
    assert.equal(formatLatency(1234), '1.2 s');
    assert.equal(formatLatency(9999), '9.9 s');
    assert.equal(formatLatency(14_500), '14 s');
    assert.equal(formatLatency(60_000), '1 min');
    assert.equal(formatLatency(185_000), '3 min 5 s');
    assert.equal(formatLatency(3_600_000), '1 h');
    assert.equal(formatLatency(2 * 3_600_000 + 4 * 60_000), '2 h 4 min');
  });
});

describe('canRetry and isSettling', () => {
  it('offers a retry for failed or missing copies only', () => {
    assert.equal(canRetry(file([dest('eu-west-1', 'failed')])), true);
    assert.equal(canRetry(file([dest('eu-west-1', 'missing')])), true);
    assert.equal(canRetry(file([], { sourceStatus: 'FAILED' })), true);
    assert.equal(canRetry(file([dest('eu-west-1', 'pending')])), false);
    assert.equal(
      canRetry(file([dest('eu-west-1', 'verified')], { sourceStatus: 'COMPLETED' })),
      false,
    );
    assert.equal(canRetry(undefined), false);
  });

  it('knows which states may still change by themselves', () => {
    assert.equal(isSettling(file([dest('eu-west-1', 'pending')])), true);
    assert.equal(
      isSettling(file([dest('eu-west-1', 'replicated')], { sourceStatus: 'COMPLETED' })),
      true,
    );
    assert.equal(
      isSettling(file([dest('eu-west-1', 'verified')], { sourceStatus: 'COMPLETED' })),
      false,
    );
    assert.equal(
      isSettling(file([dest('eu-west-1', 'failed')], { sourceStatus: 'FAILED' })),
      false,
    );
  });
});
