// How the Conflicts view words and picks things, and browser mode's once-per-conflict notices.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConflictSide, ConflictSummary, VersionEntry } from '../../main/contract/conflicts.js';
import {
  describeSides,
  inSentence,
  keepArgs,
  newestSide,
  sideKey,
  sideTitles,
  sideWhere,
  sideWho,
} from '../../renderer/src/conflict-format.js';
import { conflictNotices, NotifiedConflicts } from '../../renderer/src/conflict-notices.js';
import { conflictHref, conflictIdFromHash, routeFromHash } from '../../renderer/src/routes.js';
import { describeCopies, groupVersions } from '../../renderer/src/version-groups.js';

function side(patch: Partial<ConflictSide> = {}): ConflictSide {
  return {
    versionId: 'v1',
    device: 'dev-2',
    deviceName: 'laptop',
    region: 'eu-west-1',
    bucket: 'photos-eu',
    size: 10,
    lastModified: '2025-01-02T03:04:05.000Z',
    sha256: null,
    isCurrent: true,
    isLocal: false,
    isMine: false,
    ...patch,
  };
}

const local = side({ versionId: null, isLocal: true, isMine: true, region: null, bucket: null });

function conflict(id: string, patch: Partial<ConflictSummary> = {}): ConflictSummary {
  return {
    id,
    folderId: 'f1',
    relPath: `docs/${id}.txt`,
    key: `docs/${id}.txt`,
    kind: 'local-remote',
    certain: true,
    sides: [local, side()],
    base: null,
    foundAt: '2025-01-02T03:04:06.000Z',
    ...patch,
  };
}

describe('sides', () => {
  it('say who wrote them: the device name, its id, or another tool', () => {
    assert.equal(sideWho(side()), 'laptop');
    assert.equal(sideWho(side({ deviceName: null })), 'dev-2');
    assert.equal(sideWho(side({ deviceName: null, device: null })), 'another tool');
    assert.equal(sideWho({ ...local, deviceName: null, device: null }), 'this device');
  });

  it('say where they are: this computer, or region and bucket', () => {
    assert.equal(sideWhere(local), 'this computer');
    assert.equal(sideWhere(side()), 'eu-west-1 (photos-eu)');
    assert.equal(sideWhere(side({ bucket: null })), 'eu-west-1');
  });

  it('get unique titles, with the version id where two would read alike', () => {
    assert.deepEqual(sideTitles([local, side()]), [
      'Version on this computer',
      'Version from laptop in eu-west-1',
    ]);
    assert.deepEqual(
      sideTitles([side({ versionId: 'aaaaaaaaaaaa' }), side({ versionId: 'bbbbbbbbbbbb' })]),
      [
        'Version from laptop in eu-west-1 (aaaaaaaa…)',
        'Version from laptop in eu-west-1 (bbbbbbbb…)',
      ],
    );
  });

  it('are named for preview and open by "local" or their version id', () => {
    assert.equal(sideKey(local), 'local');
    assert.equal(sideKey(side({ versionId: 'v9' })), 'v9');
  });

  it('are described in one line', () => {
    assert.equal(describeSides([local, side()]), 'this computer and laptop in eu-west-1');
    assert.equal(
      describeSides([side(), side({ deviceName: 'desk', region: 'us-east-1' }), side()]),
      'laptop in eu-west-1 and desk in us-east-1',
    );
  });

  it('the newest is the one written last', () => {
    const old = side({ versionId: 'a', lastModified: '2025-01-01T00:00:00Z' });
    const recent = side({ versionId: 'b', lastModified: '2025-02-01T00:00:00Z' });
    assert.equal(newestSide([old, recent])?.versionId, 'b');
    assert.equal(newestSide([]), null);
  });
});

describe('keepArgs', () => {
  it('keeps local, the remote side of a local–remote conflict, or an exact version', () => {
    const c = conflict('c1');
    assert.deepEqual(keepArgs(c, local), { id: 'c1', keep: 'local' });
    assert.deepEqual(keepArgs(c, c.sides[1]!), { id: 'c1', keep: 'remote' });
    const fork = conflict('c2', {
      kind: 'fork',
      sides: [side({ versionId: 'va' }), side({ versionId: 'vb', region: 'us-east-1' })],
    });
    assert.deepEqual(keepArgs(fork, fork.sides[1]!), { id: 'c2', keepVersion: 'vb' });
    assert.equal(keepArgs(fork, side({ versionId: null })), null);
  });
});

describe('routes', () => {
  it('select a conflict with #/conflicts/<id>', () => {
    assert.equal(conflictHref('c_1-A'), '#/conflicts/c_1-A');
    assert.equal(routeFromHash('#/conflicts/c_1-A'), 'conflicts');
    assert.equal(conflictIdFromHash('#/conflicts/c_1-A'), 'c_1-A');
    assert.equal(conflictIdFromHash('#/conflicts'), null);
    assert.equal(conflictIdFromHash('#/files/c1'), null);
  });

  it('keep naming the other views as before, and nothing else takes a detail', () => {
    assert.equal(routeFromHash(''), 'folders');
    assert.equal(routeFromHash('#/activity/'), 'activity');
    assert.equal(routeFromHash('#Activity'), 'activity');
    assert.equal(routeFromHash('#/activity/x'), null);
    assert.equal(routeFromHash('#/conflicts/a/b'), null);
    assert.equal(routeFromHash('#/nope'), null);
  });
});

describe('notices of new conflicts', () => {
  class MemoryStorage {
    items = new Map<string, string>();
    getItem(key: string) {
      return this.items.get(key) ?? null;
    }
    setItem(key: string, value: string) {
      this.items.set(key, value);
    }
  }

  it('come once per conflict, also after a reload', () => {
    const storage = new MemoryStorage();
    const first = new NotifiedConflicts(storage);
    assert.deepEqual(
      first.takeFresh([conflict('a'), conflict('b')]).map((c) => c.id),
      ['a', 'b'],
    );
    assert.deepEqual(first.takeFresh([conflict('a'), conflict('b')]), []);
    const reloaded = new NotifiedConflicts(storage);
    assert.deepEqual(
      reloaded.takeFresh([conflict('a'), conflict('c')]).map((c) => c.id),
      ['c'],
    );
    // Another tab's notices count too.
    assert.deepEqual(first.takeFresh([conflict('c')]), []);
  });

  it('survive broken or refused storage', () => {
    const broken = new MemoryStorage();
    broken.setItem('replica-sync.notified-conflicts', '{not json');
    assert.equal(new NotifiedConflicts(broken).takeFresh([conflict('a')]).length, 1);
    const refusing = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    const notified = new NotifiedConflicts(refusing);
    assert.equal(notified.takeFresh([conflict('a')]).length, 1);
    assert.equal(notified.takeFresh([conflict('a')]).length, 0);
    assert.equal(new NotifiedConflicts(null).takeFresh([conflict('a')]).length, 1);
  });

  it('say what and where for a few, and sum up many', () => {
    assert.deepEqual(conflictNotices([conflict('a')]), [
      {
        title: 'Conflict: a.txt',
        body: 'docs/a.txt has versions from this computer and laptop in eu-west-1.',
        conflictId: 'a',
      },
    ]);
    assert.equal(
      conflictNotices([conflict('p', { certain: false, kind: 'possible' })])[0]?.title,
      'Possible conflict: p.txt',
    );
    const many = conflictNotices(['a', 'b', 'c', 'd', 'e'].map((id) => conflict(id)));
    assert.deepEqual(many, [{ title: '5 new conflicts', body: 'a.txt, b.txt, c.txt and 2 more.' }]);
  });
});

describe('groupVersions', () => {
  const entry = (patch: Partial<VersionEntry>): VersionEntry => ({
    versionId: 'v1',
    region: 'us-east-1',
    bucket: 'b-us',
    size: 5,
    lastModified: '2025-01-01T00:00:00Z',
    isLatest: false,
    deleteMarker: false,
    device: 'dev-1',
    deviceName: null,
    bases: [],
    ...patch,
  });

  it('merges the copies of a version across regions, newest version first', () => {
    const groups = groupVersions([
      entry({ versionId: 'v1', region: 'us-east-1' }),
      entry({
        versionId: 'v2',
        lastModified: '2025-02-01T00:00:00Z',
        bases: ['v1'],
        isLatest: true,
      }),
      entry({ versionId: 'v1', region: 'eu-west-1', bucket: 'b-eu', deviceName: 'desk' }),
      entry({
        versionId: 'v2',
        region: 'eu-west-1',
        bucket: 'b-eu',
        lastModified: '2025-02-01T00:00:02Z',
      }),
    ]);
    assert.deepEqual(
      groups.map((g) => g.versionId),
      ['v2', 'v1'],
    );
    assert.equal(describeCopies(groups[0]!), 'eu-west-1, us-east-1 (current)');
    assert.deepEqual(groups[0]!.bases, ['v1']);
    assert.equal(groups[0]!.lastModified, '2025-02-01T00:00:02Z');
    assert.equal(groups[1]!.deviceName, 'desk');
  });
});

describe('inSentence', () => {
  it('puts a side title inside a sentence', () => {
    assert.equal(inSentence('Version on this computer'), 'the version on this computer');
    assert.equal(
      inSentence('Version from Laptop in eu-west-1'),
      'the version from Laptop in eu-west-1',
    );
    assert.equal(inSentence('the first'), 'the first');
  });
});
