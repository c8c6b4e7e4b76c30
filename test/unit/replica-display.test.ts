// How the tracker's new states read: REPLICA with its origin, the reason a status is not
// known, latencies from the service's clocks or as checked, RTC words only for rules with RTC,
// in the Files view's helpers, the CLI's table and the tray's line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AppState, DestinationStatus, FileReplication } from '../../main/contract/index.js';
import { buildTrayMenu } from '../../main/core/app/tray-menu.js';
import type { StatusReport } from '../../main/server/cli/status.js';
import { renderStatus } from '../../main/server/cli/status-text.js';
import {
  latencyWords,
  replicaBadge,
  replicaProblem,
  replicaSummary,
  SOURCE_STATUS_LABELS,
} from '../../renderer/src/replica-badges.js';

const dest = (over: Partial<DestinationStatus> = {}): DestinationStatus => ({
  bucket: 'b-eu',
  region: 'eu-west-1',
  state: 'verified',
  latencyMs: 1250,
  latencyFrom: 'service',
  rtc: false,
  rtcBreached: false,
  reason: null,
  ...over,
});

const file = (over: Partial<FileReplication> = {}): FileReplication => ({
  folderId: 'f1',
  relPath: 'a.txt',
  versionId: 'v1',
  sourceStatus: 'COMPLETED',
  destinations: [],
  ...over,
});

test('Files view: REPLICA reads "Replica of <region> (<bucket>)", or the own region when unknown', () => {
  assert.equal(
    replicaSummary(
      file({ sourceStatus: 'REPLICA', replicaOf: { bucket: 'b-eu', region: 'eu-west-1' } }),
    ),
    'Replica of eu-west-1 (b-eu)',
  );
  assert.equal(
    replicaSummary(
      file({ sourceStatus: 'REPLICA', replicaOf: { bucket: null, region: 'us-east-1' } }),
    ),
    'Replica (us-east-1)',
  );
  assert.match(SOURCE_STATUS_LABELS.REPLICA, /replica/i);
});

test('Files view: the reason a status is not known is shown', () => {
  const why = "Cannot read the replication rules of bucket 'src' (us-east-1): Access denied";
  assert.equal(replicaProblem(file({ sourceStatus: 'UNKNOWN', problem: why, slow: true })), why);
  assert.equal(replicaProblem(file()), '');
});

test('Files view: latency words and RTC words only for rules with RTC', () => {
  assert.equal(latencyWords(dest()), 'Replicated in 1.2 s');
  assert.equal(latencyWords(dest({ latencyFrom: 'observed' })), 'Replicated in at most 1.2 s');
  const plain = replicaBadge(dest({ latencyMs: 20 * 60_000 }));
  assert.doesNotMatch(plain.detail, /15-minute|Replication Time Control/);
  const late = replicaBadge(dest({ latencyMs: 20 * 60_000, rtc: true, rtcBreached: true }));
  assert.match(late.detail, /Past the 15-minute Replication Time Control window/);
});

test('CLI: replica origin, the problem, and latencies measured by the check', () => {
  const report: StatusReport = {
    source: 'index',
    folders: [
      {
        id: 'f1',
        path: '/w',
        accountId: 'local',
        bucket: 'src',
        prefix: '',
        region: 'us-east-1',
        state: 'stopped',
        error: null,
        massDelete: null,
        counts: {
          total: 3,
          synced: 3,
          pending: 0,
          uploading: 0,
          conflict: 0,
          error: 0,
          deleted: 0,
        },
      },
    ],
    files: [
      {
        folder: '/w',
        path: 'in.txt',
        state: 'synced',
        versionId: 'v1',
        error: null,
        replication: {
          sourceStatus: 'REPLICA',
          destinations: [],
          replicaOf: { bucket: 'b-eu', region: 'eu-west-1' },
        },
      },
      {
        folder: '/w',
        path: 'unknown.txt',
        state: 'synced',
        versionId: 'v2',
        error: null,
        replication: {
          sourceStatus: 'UNKNOWN',
          destinations: [],
          problem: 'Cannot read the replication rules of bucket src',
          slow: true,
        },
      },
      {
        folder: '/w',
        path: 'seen.txt',
        state: 'synced',
        versionId: 'v3',
        error: null,
        replication: {
          sourceStatus: 'COMPLETED',
          destinations: [dest({ latencyFrom: 'observed', latencyMs: 4000 })],
        },
      },
    ],
  };
  const text = renderStatus(report, '/data');
  assert.match(text, /in\.txt\s+synced\s+v1\s+replica of eu-west-1 \(b-eu\)$/m);
  assert.match(text, /unknown\.txt\s+synced\s+v2\s+unknown: Cannot read the replication rules/m);
  assert.match(text, /seen\.txt\s+synced\s+v3\s+eu-west-1 verified 4\.0s at most$/m);
});

test('tray: a line for copies that missed the RTC window', () => {
  const state: AppState = {
    status: 'idle',
    message: 'Up to date',
    paused: false,
    mode: 'desktop',
    version: '1.0.0',
    deviceName: 'box',
    dataDir: '/d',
    folders: [],
    conflicts: 0,
    localRegions: [],
  };
  const labels = (s: AppState) =>
    buildTrayMenu(s).items.flatMap((i) => (i.kind === 'status' ? [i.label] : []));
  assert.deepEqual(labels(state), ['Up to date']);
  assert.deepEqual(labels({ ...state, replicaAlert: '2 copies missed the 15-minute RTC window' }), [
    'Up to date',
    '2 copies missed the 15-minute RTC window',
  ]);
});
