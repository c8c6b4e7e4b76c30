// Where dropped files go and what the notices say; the Add folder form's arguments and errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FolderSummary } from '../../main/contract/sync.js';
import { ContractError } from '../../renderer/src/contract-error.js';
import {
  chooserQuestion,
  copiedMessage,
  dropDestination,
  dropName,
  dropUrl,
  notCopiedMessage,
  writtenPath,
} from '../../renderer/src/drop-target.js';
import {
  addFailureView,
  addFolderArgs,
  emptyFolderDraft,
  folderFieldErrors,
  versioningTarget,
} from '../../renderer/src/folder-form.js';

function folder(id: string, path: string): FolderSummary {
  return {
    id,
    path,
    accountId: 'local',
    bucket: 'bucket',
    prefix: '',
    region: 'us-east-1',
    state: 'idle',
    userPaused: false,
    error: null,
    massDelete: null,
    counts: { total: 0, synced: 0, pending: 0, uploading: 0, conflict: 0, error: 0, deleted: 0 },
    progress: { bytesDone: 0, bytesTotal: 0, files: 0 },
    nameProblems: [],
  };
}

describe('dropDestination', () => {
  const a = folder('a', '/home/ann/Replica Sync');
  const b = folder('b', '/data/b');

  it('says why nothing can be copied without folders', () => {
    assert.equal(dropDestination(null, null).kind, 'none');
    const none = dropDestination([], null);
    assert.equal(none.kind, 'none');
    assert.match(none.kind === 'none' ? none.message : '', /add one under Folders/);
  });

  it('takes the only folder, the preferred folder, or asks', () => {
    assert.deepEqual(dropDestination([a], null), { kind: 'folder', folder: a });
    assert.deepEqual(dropDestination([a, b], 'b'), { kind: 'folder', folder: b });
    assert.deepEqual(dropDestination([a, b], null), { kind: 'choose', folders: [a, b] });
    // A filter on a folder that is gone does not decide.
    assert.deepEqual(dropDestination([a, b], 'gone'), { kind: 'choose', folders: [a, b] });
    assert.deepEqual(dropDestination([a], 'gone'), { kind: 'folder', folder: a });
  });

  it('names files by their place in a dropped directory', () => {
    assert.equal(dropName('/photos/2024/a.jpg', 'a.jpg'), 'photos/2024/a.jpg');
    assert.equal(dropName('', 'a.jpg'), 'a.jpg');
    assert.equal(dropName(null, 'report.txt'), 'report.txt');
  });

  it('builds the drop URL and reads its answer', () => {
    assert.equal(dropUrl('f_1', 'a b/c&d.txt'), '/drop/f_1?name=a%20b%2Fc%26d.txt');
    assert.equal(writtenPath('{"path":"report (2).txt"}\n', 'report.txt'), 'report (2).txt');
    assert.equal(writtenPath('not json', 'report.txt'), 'report.txt');
    assert.equal(writtenPath('{"path":""}', 'report.txt'), 'report.txt');
  });

  it('words the notices', () => {
    assert.equal(copiedMessage('report.txt', a), 'Copied report.txt into ~/Replica Sync');
    assert.equal(
      notCopiedMessage('x.bin', b, 'The disk is full.'),
      'Could not copy x.bin into /data/b: The disk is full.',
    );
    assert.equal(chooserQuestion(['report.txt']), 'Copy report.txt into which folder?');
    assert.equal(chooserQuestion(['a', 'b', 'c']), 'Copy 3 files into which folder?');
  });
});

describe('Add folder form', () => {
  it('sends the path and only the optional fields that were filled in', () => {
    assert.deepEqual(addFolderArgs(emptyFolderDraft('local')), {
      args: { path: '', accountId: 'local' },
      errors: { path: 'Enter the path of a local folder.' },
    });
    assert.deepEqual(
      addFolderArgs({
        path: '  /home/ann/Docs ',
        accountId: 'aws',
        bucket: ' my-bucket ',
        prefix: 'laptop/',
        region: ' eu-west-1',
      }).args,
      {
        path: '/home/ann/Docs',
        accountId: 'aws',
        bucket: 'my-bucket',
        prefix: 'laptop/',
        region: 'eu-west-1',
      },
    );
  });

  it('maps issues onto fields', () => {
    const { fields, other } = folderFieldErrors([
      { path: 'bucket', message: 'too short' },
      { path: 'bucket', message: 'bad characters' },
      { path: '', message: 'general' },
    ]);
    assert.deepEqual(fields, { bucket: 'too short bad characters' });
    assert.deepEqual(other, [{ path: '', message: 'general' }]);
  });

  it("knows which bucket an 'enable-versioning' action is about", () => {
    const sent = { path: '/p', accountId: 'local', bucket: 'b1', region: 'us-east-1' };
    assert.deepEqual(versioningTarget({ kind: 'enable-versioning' }, sent), {
      accountId: 'local',
      bucket: 'b1',
      region: 'us-east-1',
    });
    assert.deepEqual(
      versioningTarget(
        { kind: 'enable-versioning', bucket: 'chosen', region: 'eu-west-1', accountId: 'x' },
        { path: '/p' },
      ),
      { accountId: 'x', bucket: 'chosen', region: 'eu-west-1' },
    );
    assert.equal(versioningTarget({ kind: 'enable-versioning' }, { path: '/p' }), null);
    assert.equal(versioningTarget({ kind: 'retry' }, sent), null);
    assert.equal(versioningTarget(undefined, sent), null);
  });

  it('shows an actionable error once, with the fields pointing at it', () => {
    const message = "Versioning is off for bucket 'b1' in us-east-1.";
    assert.deepEqual(
      addFailureView({
        message,
        issues: [{ path: 'bucket', message }],
        action: { kind: 'enable-versioning', bucket: 'b1' },
      }),
      { fields: { bucket: 'See the problem above.' }, other: [], notice: true },
    );
    assert.deepEqual(
      addFailureView({
        message: 'Invalid arguments',
        issues: [{ path: 'path', message: 'must be at least 1 characters' }],
      }),
      { fields: { path: 'must be at least 1 characters' }, other: [], notice: false },
    );
    assert.deepEqual(addFailureView({ message: 'Engine down' }), {
      fields: {},
      other: [],
      notice: true,
    });
  });

  it("shows a missing folder's 'create-folder' action (the Create it button) above the field", () => {
    const message = '/home/ann/New does not exist: choose Create it, or pick an existing folder.';
    const raw = {
      code: 'InvalidArguments',
      message,
      issues: [{ path: 'path', message }],
      action: { kind: 'create-folder', path: '/home/ann/New' },
    };
    const error = ContractError.from(raw);
    assert.deepEqual(error.action, { kind: 'create-folder', path: '/home/ann/New' });
    assert.deepEqual(addFailureView(error), {
      fields: { path: 'See the problem above.' },
      other: [],
      notice: true,
    });
  });

  it("keeps an 'enable-versioning' action that crossed the boundary", () => {
    const error = ContractError.from({
      code: 'Unavailable',
      message: "Versioning is off for bucket 'b1' in us-east-1.",
      action: { kind: 'enable-versioning', bucket: 'b1' },
    });
    assert.deepEqual(error.action, { kind: 'enable-versioning', bucket: 'b1' });
    assert.equal(
      ContractError.from({ code: 'Internal', message: 'x', action: { kind: 'bogus' } }).action,
      undefined,
    );
  });
});
