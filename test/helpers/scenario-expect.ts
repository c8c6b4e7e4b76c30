// The `expect …` steps of the scenario language: the bucket's versions (listed by version,
// with lineage), the index row, the local file (or its trashed copy), the S3 requests the
// engine sent (seen by the proxy) and the folder's mass-delete question.
import { HeadObjectCommand, type HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { SYNC_STATES, type SyncState } from '../../main/core/index/file-index.js';
import type { ScenarioWorld } from './scenario.js';
import {
  content,
  DEVICE,
  OTHER_DEVICE,
  sha256,
  show,
  TRASH,
  type Token,
} from './scenario-language.js';

export async function expectStep(w: ScenarioWorld, what: string, args: Token[]): Promise<void> {
  switch (what) {
    case 'bucket':
      return expectBucket(w, args);
    case 'index':
      return expectIndex(w, args);
    case 'local':
      return expectLocal(w, args);
    case 'requests':
      return expectRequests(w, args);
    case 'folder':
      return expectFolder(w, args);
    case 'fork':
      return expectFork(w, args);
    default:
      throw new Error(`unknown expectation "${what}"`);
  }
}

async function expectBucket(w: ScenarioWorld, args: Token[]): Promise<void> {
  const key = args[0]?.value;
  if (!key) throw new Error('expect bucket KEY ...');
  const all = await w.versions(key);
  const versions = all.filter((v) => !v.marker);
  const markers = all.filter((v) => v.marker);
  const latest = all.find((v) => v.latest);
  const listing = all.map(
    (v) => `${v.marker ? 'marker' : 'version'} ${v.versionId}${v.latest ? ' (latest)' : ''}`,
  );
  const where = `bucket ${key}: [${listing.join(', ')}]`;
  for (const t of args.slice(1)) {
    if (t.name === undefined && t.value === 'deleted') {
      assert.ok(latest?.marker, `${where}: expected a delete marker as current`);
    } else if (t.name === undefined && t.value === 'absent') {
      assert.equal(all.length, 0, `${where}: expected no versions at all`);
    } else if (t.name === 'versions') {
      assert.equal(versions.length, Number(t.value), `${where}: versions`);
    } else if (t.name === 'markers') {
      assert.equal(markers.length, Number(t.value), `${where}: delete markers`);
    } else if (t.name === 'current') {
      assert.ok(latest && !latest.marker, `${where}: expected a current version`);
      const { bytes } = await w.body(key);
      const want = content(t);
      assert.ok(bytes.equals(want), `${where}: current is ${show(bytes)}, expected ${show(want)}`);
    } else if (t.name === 'has') {
      const want = content(t);
      const bodies = await Promise.all(versions.map((v) => w.body(key, v.versionId)));
      assert.ok(
        bodies.some((b) => b.bytes.equals(want)),
        `${where}: no version holds ${show(want)} (versions: ${bodies.map((b) => show(b.bytes)).join(', ')})`,
      );
    } else if (t.name === 'siblings' || t.name === 'base-holds') {
      // Lineage of a fork: versions sharing the current's rs-base, and what that base holds.
      assert.ok(latest && !latest.marker, `${where}: expected a current version`);
      const metas = new Map<string, Record<string, string>>();
      for (const v of versions) metas.set(v.versionId, (await w.body(key, v.versionId)).meta);
      const base = metas.get(latest.versionId)?.['rs-base'];
      if (t.name === 'siblings') {
        const same = versions.filter((v) => metas.get(v.versionId)?.['rs-base'] === base);
        assert.equal(
          same.length,
          Number(t.value),
          `${where}: versions with rs-base ${base ?? '-'}`,
        );
      } else {
        assert.ok(base && metas.has(base), `${where}: rs-base ${base ?? '-'} is no version here`);
        const { bytes } = await w.body(key, base);
        const want = content(t);
        assert.ok(bytes.equals(want), `${where}: the base holds ${show(bytes)}, not ${show(want)}`);
      }
    } else if (t.name === 'device' || t.name === 'base') {
      assert.ok(latest && !latest.marker, `${where}: expected a current version`);
      const versionId: string = latest.versionId;
      const head: HeadObjectCommandOutput = await w.s3.send(
        new HeadObjectCommand({ Bucket: w.bucket, Key: key, VersionId: versionId }),
      );
      const meta: Record<string, string> = head.Metadata ?? {};
      if (t.name === 'device') {
        const want = t.value === 'ours' ? DEVICE : t.value === 'other' ? OTHER_DEVICE : undefined;
        assert.equal(meta['rs-device'], want, `${where}: rs-device of the current version`);
      } else {
        const previous = versions.filter((v) => v !== latest)[0];
        const want =
          t.value === 'none' ? 'none' : t.value === 'previous' ? previous?.versionId : t.value;
        assert.equal(meta['rs-base'], want, `${where}: rs-base of the current version`);
      }
    } else throw new Error(`unknown bucket expectation ${t.name ?? t.value}`);
  }
}

async function expectIndex(w: ScenarioWorld, args: Token[]): Promise<void> {
  const rel = args[0]?.value;
  if (!rel) throw new Error('expect index PATH ...');
  const row = w.row(rel);
  const where = `index ${rel}: ${row ? JSON.stringify({ ...row, folderId: undefined }) : 'no row'}`;
  for (const t of args.slice(1)) {
    if (t.name === undefined && t.value === 'absent') {
      assert.equal(row, undefined, `${where}: expected no row`);
      continue;
    }
    assert.ok(row, `${where}: expected a row`);
    if (t.name === 'state') {
      if (!SYNC_STATES.includes(t.value as SyncState)) throw new Error(`no state ${t.value}`);
      assert.equal(row.state, t.value, `${where}: state`);
    } else if (t.name === 'version') {
      if (t.value === 'none') assert.equal(row.versionId, null, `${where}: version`);
      else if (t.value === 'current') {
        const latest = (await w.versions(row.key)).find((v) => v.latest);
        assert.ok(latest, `${where}: the bucket has nothing for ${row.key}`);
        assert.equal(
          row.versionId,
          latest.versionId,
          `${where}: version is not the bucket's current`,
        );
      } else throw new Error(`version=${t.value}: current or none`);
    } else if (t.name === 'sha') {
      if (t.value !== 'bucket') throw new Error('sha=bucket');
      const { bytes, meta } = await w.body(row.key);
      assert.equal(
        row.sha256,
        sha256(bytes),
        `${where}: sha256 is not that of the bucket's current content`,
      );
      if (meta['rs-sha256'] !== undefined)
        assert.equal(row.sha256, meta['rs-sha256'], `${where}: sha256 differs from rs-sha256`);
    } else if (t.name === 'mtime') {
      if (t.value !== 'local') throw new Error('mtime=local');
      assert.equal(row.mtimeMs, fs.statSync(w.abs(rel)).mtimeMs, `${where}: mtime`);
    } else throw new Error(`unknown index expectation ${t.name ?? t.value}`);
  }
}

async function expectLocal(w: ScenarioWorld, args: Token[]): Promise<void> {
  const rel = args[0]?.value;
  const what = args[1];
  if (!rel || !what) throw new Error('expect local PATH CONTENT|absent|in-trash');
  const p = w.abs(rel);
  if (!what.quoted && what.value === 'absent') {
    assert.equal(fs.existsSync(p), false, `local ${rel}: expected absent`);
  } else if (!what.quoted && what.value === 'in-trash') {
    const found = w.trashed(rel);
    assert.ok(found.length > 0, `local ${rel}: not in ${TRASH}`);
    if (args[2]) {
      const want = content(args[2]);
      assert.ok(
        found.some((f) => fs.readFileSync(f).equals(want)),
        `local ${rel}: no trashed copy holds ${show(want)}`,
      );
    }
  } else {
    assert.ok(fs.existsSync(p), `local ${rel}: missing`);
    const have = fs.readFileSync(p);
    const want = content(what);
    assert.ok(have.equals(want), `local ${rel}: is ${show(have)}, expected ${show(want)}`);
  }
}

function expectRequests(w: ScenarioWorld, args: Token[]): void {
  const key = args[0]?.value;
  if (!key) throw new Error('expect requests KEY ...');
  const reqs = w.requestsFor(key);
  const where = `requests for ${key} since mark: [${reqs.map((r) => `${r.op}${r.versioned ? '?versionId' : ''} ${r.status ?? '-'}`).join(', ')}]`;
  const count: Record<string, (r: (typeof reqs)[number]) => boolean> = {
    put: (r) => r.op === 'PutObject' || r.op === 'CompleteMultipartUpload',
    'put-ok': (r) =>
      (r.op === 'PutObject' || r.op === 'CompleteMultipartUpload') &&
      r.status !== undefined &&
      r.status < 300,
    copy: (r) => r.op === 'CopyObject',
    parts: (r) => r.op === 'UploadPart',
    delete: (r) => r.op === 'DeleteObject' && !r.versioned,
    'delete-version': (r) => r.op === 'DeleteObject' && r.versioned,
  };
  for (const t of args.slice(1)) {
    const f = t.name ? count[t.name] : undefined;
    if (!f) throw new Error(`unknown request count ${t.name ?? t.value}`);
    assert.equal(reqs.filter(f).length, Number(t.value), `${where}: ${t.name ?? ''}`);
  }
}

function expectFork(w: ScenarioWorld, args: Token[]): void {
  const key = args[0]?.value;
  const what = args[1]?.value;
  if (!key || (what !== 'reported' && what !== 'none'))
    throw new Error('expect fork KEY reported|none');
  const n = w.forks.get(key) ?? 0;
  if (what === 'reported') assert.ok(n > 0, `fork of ${key}: the engine reported none`);
  else assert.equal(n, 0, `fork of ${key}: the engine reported ${n}`);
}

function expectFolder(w: ScenarioWorld, args: Token[]): void {
  const f = w.running.listFolders().find((x) => x.id === w.folderId);
  assert.ok(f, 'folder is gone');
  for (const t of args) {
    if (t.name === 'mass-delete') {
      if (t.value === 'none')
        assert.equal(f.massDelete ?? null, null, 'the folder asks about deletes');
      else
        assert.equal(
          f.massDelete?.count,
          Number(t.value),
          `folder: mass-delete question ${JSON.stringify(f.massDelete)}`,
        );
    } else if (t.name === 'state') {
      assert.equal(f.state, t.value, `folder state (error: ${f.error ?? '-'})`);
    } else throw new Error(`unknown folder expectation ${t.name ?? t.value}`);
  }
}
