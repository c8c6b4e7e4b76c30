import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  array,
  boolean,
  commandArgs,
  number,
  object,
  oneOf,
  optional,
  parse,
  parseClientMessage,
  SchemaError,
  string,
} from '../../main/contract/index.js';

const person = object({
  name: string({ min: 1, max: 10 }),
  age: optional(number({ integer: true, min: 0 })),
  tags: array(oneOf(['a', 'b'] as const)),
  admin: boolean(),
});

test('a valid value passes through typed', () => {
  const v = parse(person, { name: 'Ann', tags: ['a'], admin: false });
  assert.deepEqual(v, { name: 'Ann', tags: ['a'], admin: false });
});

test('every issue is reported with its path', () => {
  assert.throws(
    () => parse(person, { name: '', age: 1.5, tags: ['c'], admin: 'yes', extra: 1 }),
    (err: unknown) => {
      assert.ok(err instanceof SchemaError);
      const paths = err.issues.map((i) => i.path).sort();
      assert.deepEqual(paths, ['admin', 'age', 'extra', 'name', 'tags[0]']);
      return true;
    },
  );
});

test('missing required fields are named', () => {
  assert.throws(() => parse(person, {}), /name: is required|name: expected a string/);
});

test('non-objects are rejected', () => {
  for (const bad of [null, [], 'x', 3]) assert.throws(() => parse(person, bad), SchemaError);
});

test('command argument schemas reject unexpected keys', () => {
  assert.throws(
    () => parse(commandArgs['app.setPaused'], { paused: true, evil: 1 }),
    /evil: is not allowed/,
  );
  assert.deepEqual(parse(commandArgs['app.setPaused'], { paused: true }), { paused: true });
  assert.throws(() => parse(commandArgs['tray.invoke'], { id: 'format-disk' }), /menu action/);
});

test('tray.invoke takes the fixed actions and conflict:<id>:<action> only', () => {
  for (const id of [
    'toggle-pause',
    'open-window',
    'open-folder',
    'quit',
    'resolve-all',
    'open-conflicts',
    'conflict:c_1-A:keep-local',
    'conflict:c1:keep-remote',
    'conflict:c1:keep-both',
    'conflict:c1:compare',
  ])
    assert.deepEqual(parse(commandArgs['tray.invoke'], { id }), { id });
  for (const id of [
    '',
    'conflict::keep-local',
    'conflict:c1:delete',
    'conflict:c/1:keep-local',
    'conflict:c1:keep-local:extra',
    'quit ',
    'conflict:c1:compare\n',
    `conflict:${'a'.repeat(200)}:compare`,
  ])
    assert.throws(() => parse(commandArgs['tray.invoke'], { id }), SchemaError, id);
  assert.throws(() => parse(commandArgs['tray.invoke'], { id: 3 }), /expected a string/);
});

test('client messages: envelope is checked before the command', () => {
  assert.deepEqual(parseClientMessage({ type: 'cancel', id: 3 }), { type: 'cancel', id: 3 });
  const inv = parseClientMessage({ type: 'invoke', id: 1, command: 'app.getState', args: {} });
  assert.equal(inv.type, 'invoke');
  assert.throws(
    () => parseClientMessage({ type: 'invoke', id: -1, command: 'x', args: {} }),
    SchemaError,
  );
  assert.throws(() => parseClientMessage({ type: 'invoke', id: 1, command: 5 }), SchemaError);
  assert.throws(() => parseClientMessage('hello'), SchemaError);
});
