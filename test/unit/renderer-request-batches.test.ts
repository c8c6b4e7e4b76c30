import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  IMPORT_PATHS_MAX_CHARS,
  IMPORT_PATHS_MAX_ITEMS,
  KEY_LIST_MAX_CHARS,
  KEY_LIST_MAX_ITEMS,
  MAX_MESSAGE_BYTES,
} from '../../main/contract/index.js';
import {
  batchesWithin,
  IMPORT_PATHS_LIMIT,
  KEY_LIST_LIMIT,
  MESSAGE_MAX_BYTES,
  overMessageLimit,
} from '../../renderer/src/request-batches.js';
import { createWsBridge, type Connect } from '../../renderer/src/ws-bridge.js';

test("the renderer's limits are the contract's", () => {
  assert.equal(MESSAGE_MAX_BYTES, MAX_MESSAGE_BYTES);
  assert.deepEqual(IMPORT_PATHS_LIMIT, {
    items: IMPORT_PATHS_MAX_ITEMS,
    chars: IMPORT_PATHS_MAX_CHARS,
  });
  assert.deepEqual(KEY_LIST_LIMIT, { items: KEY_LIST_MAX_ITEMS, chars: KEY_LIST_MAX_CHARS });
});

test('batches keep to the item count and the character budget, in order', () => {
  const items = ['aaaa', 'bb', 'cccccc', 'd', 'eeeeeeeeee', 'f'];
  const batches = batchesWithin(items, { items: 2, chars: 7 }, (s) => s);
  assert.deepEqual(batches, [['aaaa', 'bb'], ['cccccc', 'd'], ['eeeeeeeeee'], ['f']]);
  assert.deepEqual(batches.flat(), items);
  assert.deepEqual(
    batchesWithin([], { items: 2, chars: 7 }, (s: string) => s),
    [],
  );
  // 300 paths of 4,000 characters (the drop) go in 3 calls under the contract's limits.
  const paths = Array.from({ length: 300 }, () => 'p'.repeat(4000));
  const parts = batchesWithin(paths, IMPORT_PATHS_LIMIT, (p) => p);
  assert.deepEqual(
    parts.map((p) => p.length),
    [100, 100, 100],
  );
});

test('a message over the limit counts UTF-8 bytes, not characters', () => {
  assert.equal(overMessageLimit('x'.repeat(MESSAGE_MAX_BYTES)), false);
  assert.equal(overMessageLimit('x'.repeat(MESSAGE_MAX_BYTES + 1)), true);
  assert.equal(overMessageLimit('é'.repeat(MESSAGE_MAX_BYTES / 2)), false);
  assert.equal(overMessageLimit('é'.repeat(MESSAGE_MAX_BYTES / 2 + 1)), true);
});

test('the WebSocket bridge answers an oversized invoke TooLarge without sending it', async () => {
  const sent: string[] = [];
  const connect: Connect = (_url, handlers) => {
    setTimeout(() => handlers.onOpen(), 0);
    return { send: (text) => sent.push(text), close: () => handlers.onClose() };
  };
  const bridge = createWsBridge({ url: () => 'ws://127.0.0.1:1/ws', connect });
  const paths = Array.from({ length: 1100 }, () => 'p'.repeat(4096));
  const answer = await bridge.invoke(1, 'files.importPaths', { folderId: 'f', paths });
  assert.equal(answer.ok, false);
  if (!answer.ok) assert.equal(answer.error.code, 'TooLarge');
  assert.equal(sent.length, 0, 'nothing was sent, so the socket and other invokes live on');
  bridge.stop();
});
