// The largest valid message of every command with a list (and of the ones with the longest
// strings) is built, checked to be valid, and measured: it must stay under the WebSocket
// host's maxPayload (and the local channel's line limit), or a valid request would be cut off
// by the transport instead of being answered.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  commandArgs,
  IMPORT_PATHS_MAX_CHARS,
  IMPORT_PATHS_MAX_ITEMS,
  KEY_LIST_MAX_CHARS,
  KEY_LIST_MAX_ITEMS,
  MAX_MESSAGE_BYTES,
  parse,
  REPLICATION_RULES_MAX,
  SchemaError,
  type CommandName,
} from '../../main/contract/index.js';
import { MAX_LINE_BYTES } from '../../main/core/app/local-channel.js';
import { WS_MAX_PAYLOAD } from '../../main/server/ws-host.js';

/** The costliest character in JSON: NUL becomes \u0000, 6 bytes for 1 character. */
const W = '\u0000';
const text = (n: number) => W.repeat(n);
const folderId = 'F'.repeat(64);

function spread(total: number, items: number, each: number): string[] {
  // As many items as allowed (each costs its quotes and comma too), sharing the budget.
  const per = Math.min(each, Math.floor(total / items));
  return Array.from({ length: items }, () => text(per));
}

const tag = () => ({ key: text(128), value: text(256) });
const rule = () => ({
  id: text(255),
  priority: 1_000_000,
  enabled: false,
  filter: { prefix: text(1024), tags: Array.from({ length: 10 }, tag) },
  destination: {
    bucket: text(63),
    region: text(32),
    account: '123456789012',
    storageClass: text(32),
    ownerOverride: false,
  },
  rtc: false,
  metrics: false,
  deleteMarkerReplication: false,
  replicaModifications: false,
});
const bucketArgs = { accountId: text(64), bucket: text(63), region: text(32) };
const rules = Array.from({ length: REPLICATION_RULES_MAX }, rule);

const largest: Partial<Record<CommandName, unknown>> = {
  'files.importPaths': {
    folderId,
    paths: spread(IMPORT_PATHS_MAX_CHARS, IMPORT_PATHS_MAX_ITEMS, 4096),
  },
  'folders.add': {
    path: text(4096),
    accountId: text(64),
    bucket: text(63),
    prefix: text(512),
    region: text(32),
    peers: Array.from({ length: 8 }, () => ({
      accountId: text(64),
      bucket: text(63),
      region: text(32),
      label: text(64),
    })),
  },
  'replication.check': { ...bucketArgs, rules },
  'replication.save': { ...bucketArgs, rules, role: text(2048) },
  'replication.simulate': {
    ...bucketArgs,
    path: text(1024),
    tags: Array.from({ length: 10 }, tag),
  },
  'replication.replicateExisting': {
    ...bucketArgs,
    keys: spread(KEY_LIST_MAX_CHARS, KEY_LIST_MAX_ITEMS, 1024),
  },
  'replication.placeDeleteMarkers': {
    folderId,
    keys: spread(KEY_LIST_MAX_CHARS, KEY_LIST_MAX_ITEMS, 1024),
    confirmMassDelete: false,
  },
  'conflicts.bulkPreview': {
    ids: Array.from({ length: 10_000 }, () => 'c'.repeat(128)),
    policy: 'keep-newest',
  },
  'conflicts.bulkResolve': {
    ids: Array.from({ length: 10_000 }, () => 'c'.repeat(128)),
    policy: 'keep-newest',
  },
  'conflicts.restore': { folderId, relPath: text(4096), versionId: text(1024) },
  'replication.fileStatus': { folderId, relPath: text(4096) },
  'accounts.addKeys': {
    name: '\ud800'.repeat(64),
    accessKeyId: '~'.repeat(256),
    secretAccessKey: '\ud800'.repeat(1024),
    endpoint: `http://${text(2041)}`,
    forcePathStyle: false,
    signingRegion: 'a'.repeat(32),
  },
};

function envelopeBytes(command: CommandName, args: unknown): number {
  const msg = { type: 'invoke', id: Number.MAX_VALUE, command, args };
  return Buffer.byteLength(JSON.stringify(msg), 'utf8');
}

test('the transports take the contract limit: WebSocket maxPayload and local channel lines', () => {
  assert.equal(WS_MAX_PAYLOAD, MAX_MESSAGE_BYTES);
  assert.equal(MAX_LINE_BYTES, MAX_MESSAGE_BYTES);
});

for (const [command, args] of Object.entries(largest) as [CommandName, unknown][]) {
  test(`the largest valid ${command} fits under the transport limit with a margin`, () => {
    // Valid: the contract accepts it, so a client may really send it.
    assert.doesNotThrow(() => parse(commandArgs[command], args), `${command} args are valid`);
    const bytes = envelopeBytes(command, args);
    assert.ok(
      bytes < MAX_MESSAGE_BYTES * 0.8,
      `${command}: ${bytes} bytes, over 80% of the ${MAX_MESSAGE_BYTES}-byte limit`,
    );
  });
}

test('one item or character more than the largest is invalid (the largest is the limit)', () => {
  const over = (command: CommandName, args: unknown) =>
    assert.throws(() => parse(commandArgs[command], args), SchemaError, command);
  const paths = spread(IMPORT_PATHS_MAX_CHARS, IMPORT_PATHS_MAX_ITEMS, 4096);
  over('files.importPaths', { folderId, paths: [...paths.slice(1), `${paths[0]}${W}`, 'x'] });
  over('files.importPaths', { folderId, paths: [...paths.slice(1), `${paths[0] ?? ''}${W}`] });
  const keys = spread(KEY_LIST_MAX_CHARS, KEY_LIST_MAX_ITEMS, 1024);
  over('replication.replicateExisting', { ...bucketArgs, keys: [...keys, 'k'] });
  over('replication.placeDeleteMarkers', {
    folderId,
    keys: [...keys.slice(1), `${keys[0] ?? ''}${W}`],
    confirmMassDelete: false,
  });
  over('replication.save', { ...bucketArgs, rules: [...rules, rule()] });
});

test('the old worst case, 300 paths of 4,000 characters, is refused by the contract', () => {
  const args = { folderId, paths: Array.from({ length: 300 }, () => 'p'.repeat(4000)) };
  assert.throws(
    () => parse(commandArgs['files.importPaths'], args),
    (err: unknown) =>
      err instanceof SchemaError && /at most 400000 characters in all/.test(err.message),
  );
});
