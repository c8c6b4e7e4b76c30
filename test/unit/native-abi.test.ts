import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nativeAbiMessage } from '../../main/electron/native-abi.js';

// What Node (and Electron, which uses Node's text) throws when a .node file was built for
// another ABI: here better-sqlite3 built by npm for Node 20 (115), loaded by Electron 45 (150).
const loadError = new Error(
  "The module '/app/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\n" +
    'was compiled against a different Node.js version using\n' +
    'NODE_MODULE_VERSION 115. This version of Node.js requires\n' +
    'NODE_MODULE_VERSION 150. Please try re-compiling or re-installing\n' +
    'the module (for instance, using `npm rebuild` or `npm install`).',
);
const expected =
  "The index library was built for Node's ABI 115, Electron needs 150: " +
  'run npm run rebuild:electron (or package with npm run dist)';

test('the ABI error becomes one line naming both ABIs and the command to run', () => {
  assert.equal(nativeAbiMessage(loadError), expected);
  assert.doesNotMatch(expected, /\n/);
});

test('the ABI error is found when opening the index wrapped it, in the message or the cause', () => {
  const wrapped = new Error(
    `cannot open the index /d/index.sqlite: ${loadError.message}; move the file away`,
    { cause: loadError },
  );
  assert.equal(nativeAbiMessage(wrapped), expected);
  const causeOnly = new Error('The sync engine could not start', {
    cause: new Error('cannot open the index', { cause: loadError }),
  });
  assert.equal(nativeAbiMessage(causeOnly), expected);
});

test('any other error (or a non-error) is not an ABI error', () => {
  assert.equal(
    nativeAbiMessage(new Error('SQLITE_CANTOPEN: unable to open database file')),
    undefined,
  );
  assert.equal(nativeAbiMessage(new Error('NODE_MODULE_VERSION in a file name')), undefined);
  assert.equal(nativeAbiMessage('a string'), undefined);
  assert.equal(nativeAbiMessage(undefined), undefined);
});
