// Conflict scenarios with several devices on two regions and two-way replication: each device
// is a whole test app (AppController + Dispatcher + SyncEngine + ConflictService) on its own
// data dir, whose folder syncs with the us-east-1 or the eu-west-1 bucket of a two-way pair.
// A case is a short script in the spirit of scenario-language.ts, with device-qualified verbs:
//
//   A write PATH CONTENT | A delete PATH | A rename FROM TO     on device A's folder
//   other write REGION KEY CONTENT [base=first|head|none]      another device's PutObject
//   sync        every engine settles, replication settles, every device pulls (rescan), twice,
//               then conflicts.scan on every device
//   A resolve PATH keep=both|local|remote
//   A squat-copies PATH   writes a file at every conflict-copy name A's open conflict on
//                         PATH could use (so "keep both" must pick " 2")
//   expect conflict PATH kind=K sides=N on A,B
//   expect no conflicts [on A,B]
//   expect file A PATH CONTENT | absent
//   expect copy A suffix=" 2"            the last resolve on A saved its copy under that suffix
//   expect files A,B CONTENT...          the devices' folders hold exactly these contents (any
//                                        names), and the same names with the same contents
//
// After every case: no written content is lost (each is a version in either bucket, or a
// file on a device).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { GetObjectCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import type { ConflictSummary } from '../../main/contract/index.js';
import { MemorySecretStore } from '../../main/core/accounts/secret-store.js';
import { conflictCopyName } from '../../main/core/conflicts/resolve.js';
import { startTestApp, type TestApp } from './accounts-app.js';
import { EU, US, replicationSettled, twoWayPair, writeVersion } from './conflict-lab.js';
import type { TestRegions } from './regions.js';
import { tokenize, type Token } from './scenario-language.js';

export const OTHER = 'device-other-0009';

export interface Device {
  name: string;
  app: TestApp;
  folderId: string;
  folder: string;
  region: string;
  bucket: string;
  lastCopy: string | null;
}

export interface World {
  regions: TestRegions;
  buckets: { region: string; bucket: string }[];
  devices: Map<string, Device>;
  /** Every content a step wrote. */
  written: Set<string>;
  /** Wrong behaviour that does not stop the script (checked when it ends). */
  problems: string[];
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function within<T>(p: Promise<T>, what: string, ms = 30_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A fresh two-way pair and one app per device ({A: 'us-east-1', B: 'eu-west-1', …}). */
export async function startWorld(
  regions: TestRegions,
  dir: string,
  layout: Record<string, string>,
): Promise<World> {
  const pair = await twoWayPair(regions);
  const devices = new Map<string, Device>();
  const world: World = {
    regions,
    buckets: [
      { region: US, bucket: pair.us },
      { region: EU, bucket: pair.eu },
    ],
    devices,
    written: new Set(),
    problems: [],
    async stop() {
      for (const d of devices.values()) await d.app.stop().catch(() => undefined);
    },
  };
  for (const [name, region] of Object.entries(layout)) {
    const app = await startTestApp({
      dataDir: path.join(dir, `data-${name}`),
      regions,
      secrets: new MemorySecretStore(),
    });
    const folder = path.join(dir, `Folder-${name}`);
    const bucket = region === US ? pair.us : pair.eu;
    devices.set(name, {
      name,
      app,
      folder,
      region,
      bucket,
      lastCopy: null,
      folderId: '',
    });
    const added = await app.call('folders.add', {
      path: folder,
      create: true,
      accountId: 'local',
      bucket,
      region,
    });
    (devices.get(name) as Device).folderId = added.id;
  }
  return world;
}

function dev(w: World, name: string | undefined, line: string): Device {
  const d = name === undefined ? undefined : w.devices.get(name);
  if (!d) throw new Error(`${line}: no device "${name}"`);
  return d;
}

function abs(d: Device, rel: string): string {
  return path.join(d.folder, ...rel.split('/'));
}

/** Relative path → content of every synced file in the device's folder. */
export function tree(d: Device): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string, rel: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.replica-sync') || e.name.startsWith('.rs-')) continue;
      const p = path.join(dir, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p, r);
      else if (e.isFile()) out.set(r, fs.readFileSync(p, 'utf8'));
    }
  };
  if (fs.existsSync(d.folder)) walk(d.folder, '');
  return out;
}

export async function sync(w: World): Promise<void> {
  // Past the watcher's settle + stability window.
  await sleep(400);
  const all = [...w.devices.values()];
  for (let round = 0; round < 2; round++) {
    for (const d of all) await within(d.app.engine.settle(), `${d.name} settle`);
    await replicationSettled(w.regions, 20_000);
    for (const d of all) {
      await within(d.app.engine.rescan(d.folderId), `${d.name} rescan + pull`);
      await within(d.app.engine.settle(), `${d.name} settle`);
    }
    await replicationSettled(w.regions, 20_000);
  }
  for (const d of all) await d.app.call('conflicts.scan', { folderId: d.folderId });
}

async function conflictsOn(d: Device, rel?: string): Promise<ConflictSummary[]> {
  const list = await d.app.call('conflicts.list', { folderId: d.folderId });
  return rel === undefined ? list : list.filter((c) => c.relPath === rel);
}

async function versionsOf(
  w: World,
  region: string,
  bucket: string,
  key: string,
): Promise<{ versionId: string; deleteMarker: boolean; lastModified: number }[]> {
  const out = await w.regions
    .client(region)
    .send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
  return [
    ...(out.Versions ?? [])
      .filter((v) => v.Key === key)
      .map((v) => ({
        versionId: v.VersionId as string,
        deleteMarker: false,
        lastModified: v.LastModified?.getTime() ?? 0,
      })),
    ...(out.DeleteMarkers ?? [])
      .filter((v) => v.Key === key)
      .map((v) => ({
        versionId: v.VersionId as string,
        deleteMarker: true,
        lastModified: v.LastModified?.getTime() ?? 0,
      })),
  ].sort((a, b) => a.lastModified - b.lastModified);
}

/** Every content held by a version of any key in either bucket, or a file on any device. */
export async function reachable(w: World): Promise<Set<string>> {
  const seen = new Set<string>();
  for (const { region, bucket } of w.buckets) {
    const client = w.regions.client(region);
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    for (;;) {
      const out = await client.send(
        new ListObjectVersionsCommand({
          Bucket: bucket,
          KeyMarker: keyMarker,
          VersionIdMarker: versionMarker,
        }),
      );
      for (const v of out.Versions ?? []) {
        const got = await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: v.Key, VersionId: v.VersionId }),
        );
        seen.add((await got.Body?.transformToString('utf8')) ?? '');
      }
      if (!out.IsTruncated) break;
      keyMarker = out.NextKeyMarker;
      versionMarker = out.NextVersionIdMarker;
    }
  }
  for (const d of w.devices.values()) for (const c of tree(d).values()) seen.add(c);
  return seen;
}

export async function assertNothingLost(w: World): Promise<void> {
  const seen = await reachable(w);
  const lost = [...w.written].filter((c) => !seen.has(c));
  assert.deepEqual(lost, [], 'every written content is still a version or a file somewhere');
}

function named(tokens: Token[], name: string): string | undefined {
  return tokens.find((t) => t.name === name)?.value;
}

function onDevices(w: World, tokens: Token[], line: string): Device[] {
  const i = tokens.findIndex((t) => t.value === 'on' && t.name === undefined);
  if (i < 0) return [...w.devices.values()];
  return (tokens[i + 1]?.value ?? '').split(',').map((n) => dev(w, n, line));
}

async function step(w: World, text: string): Promise<void> {
  const tokens = tokenize(text, 0);
  const [first, second] = tokens;
  const words = tokens.filter((t) => t.name === undefined && !t.quoted).map((t) => t.value);
  const verb = first?.value;
  if (verb === 'sync') return sync(w);
  if (verb === 'other') {
    // other write REGION KEY CONTENT [base=first|head|none]
    const [, , region, key] = words;
    const body = tokens.find((t) => t.quoted)?.value;
    if (!region || !key || body === undefined)
      throw new Error(`${text}: other write REGION KEY "…"`);
    const bucket = w.buckets.find((b) => b.region === region)?.bucket as string;
    const live = (await versionsOf(w, region, bucket, key)).filter((v) => !v.deleteMarker);
    const base = named(tokens, 'base') ?? 'head';
    const bases =
      base === 'none'
        ? []
        : base === 'first'
          ? live.slice(0, 1).map((v) => v.versionId)
          : live.slice(-1).map((v) => v.versionId);
    w.written.add(body);
    await writeVersion(w.regions, region, bucket, key, body, OTHER, bases);
    return;
  }
  if (verb === 'expect') return expectStep(w, tokens, words, text);
  const d = dev(w, verb, text);
  const action = second?.value;
  const rel = words[2];
  if (!rel) throw new Error(`${text}: a path is expected`);
  switch (action) {
    case 'write': {
      const body = tokens[3];
      if (!body?.quoted) throw new Error(`${text}: "content" expected`);
      fs.mkdirSync(path.dirname(abs(d, rel)), { recursive: true });
      fs.writeFileSync(abs(d, rel), body.value);
      w.written.add(body.value);
      return;
    }
    case 'delete':
      fs.rmSync(abs(d, rel));
      return;
    case 'rename': {
      const to = words[3];
      if (!to) throw new Error(`${text}: rename FROM TO`);
      fs.mkdirSync(path.dirname(abs(d, to)), { recursive: true });
      fs.renameSync(abs(d, rel), abs(d, to));
      return;
    }
    case 'resolve': {
      const keep = named(tokens, 'keep') as 'both' | 'local' | 'remote';
      // With several conflicts listed on one file (a problem already recorded by `expect
      // conflict`), the version-graph one is resolved.
      const list = await conflictsOn(d, rel);
      const c = list.find((x) => x.kind !== 'local-remote') ?? list[0];
      assert.ok(c, `${text}: ${d.name} has no open conflict on ${rel}`);
      const r = await d.app.call('conflicts.resolve', { id: c.id, keep });
      d.lastCopy = r.copy;
      return;
    }
    case 'squat-copies': {
      const list = await conflictsOn(d, rel);
      assert.ok(list.length > 0, `${text}: ${d.name} has no open conflict on ${rel}`);
      for (const s of list.flatMap((c) => c.sides)) {
        const label = s.isLocal
          ? (s.deviceName ?? 'unknown device')
          : (s.deviceName ?? s.device ?? 'another tool');
        const name = conflictCopyName(rel, label, new Date(s.lastModified), () => false);
        if (fs.existsSync(abs(d, name))) continue;
        const body = `squatter at ${name}`;
        fs.writeFileSync(abs(d, name), body);
        w.written.add(body);
      }
      return;
    }
    default:
      throw new Error(`unknown step "${text}"`);
  }
}

async function expectStep(w: World, tokens: Token[], words: string[], text: string): Promise<void> {
  const what = words[1];
  switch (what) {
    case 'conflict': {
      const rel = words[2] as string;
      const kind = named(tokens, 'kind');
      const sides = named(tokens, 'sides');
      for (const d of onDevices(w, tokens, text)) {
        const list = await conflictsOn(d, rel);
        const all = JSON.stringify((await conflictsOn(d)).map((x) => `${x.kind} ${x.relPath}`));
        const c = list.find((x) => !kind || x.kind === kind);
        assert.ok(c, `${text}: ${d.name} lists a ${kind ?? ''} conflict on ${rel}; has ${all}`);
        if (sides) assert.equal(c.sides.length, Number(sides), `${text}: sides on ${d.name}`);
        if (list.length !== 1)
          w.problems.push(`${text}: ${d.name} lists ${list.length} conflicts on ${rel}: ${all}`);
      }
      return;
    }
    case 'no': {
      for (const d of onDevices(w, tokens, text))
        assert.deepEqual(
          (await conflictsOn(d)).map((c) => `${c.kind} ${c.relPath}`),
          [],
          `${text}: ${d.name} has no open conflict`,
        );
      return;
    }
    case 'file': {
      const d = dev(w, words[2], text);
      const rel = words[3] as string;
      const body = tokens.find((t) => t.quoted);
      const p = abs(d, rel);
      if (body) {
        assert.ok(fs.existsSync(p), `${text}: ${rel} exists on ${d.name}`);
        assert.equal(fs.readFileSync(p, 'utf8'), body.value, `${text}: ${rel} on ${d.name}`);
      } else if (words[4] === 'absent') assert.equal(fs.existsSync(p), false, `${text}`);
      else throw new Error(`${text}: CONTENT or absent`);
      return;
    }
    case 'copy': {
      const d = dev(w, words[2], text);
      const suffix = named(tokens, 'suffix') ?? '';
      assert.ok(d.lastCopy, `${text}: the last resolve on ${d.name} saved a copy`);
      const ext = path.posix.extname(d.lastCopy);
      assert.ok(
        d.lastCopy.endsWith(`)${suffix}${ext}`),
        `${text}: copy ${d.lastCopy} ends with ")${suffix}${ext}"`,
      );
      return;
    }
    case 'files': {
      const names = (words[2] ?? '').split(',');
      const want = tokens
        .filter((t) => t.quoted)
        .map((t) => t.value)
        .sort();
      const trees = names.map((n) => ({ d: dev(w, n, text), t: tree(dev(w, n, text)) }));
      for (const { d, t } of trees)
        assert.deepEqual(
          [...t.values()].sort(),
          want,
          `${text}: contents on ${d.name} (${JSON.stringify(Object.fromEntries(t))})`,
        );
      const [head, ...rest] = trees;
      for (const x of rest)
        assert.deepEqual(
          Object.fromEntries(x.t),
          Object.fromEntries(head?.t ?? []),
          `${text}: ${x.d.name} and ${head?.d.name} hold the same files`,
        );
      return;
    }
    default:
      throw new Error(`unknown expectation "${text}"`);
  }
}

/** Runs a script line by line; a failure names the line. */
export async function runScript(w: World, script: string): Promise<void> {
  for (const raw of script.split('\n')) {
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) continue;
    try {
      await step(w, text);
    } catch (err) {
      if (err instanceof Error) err.message = `[${text}] ${err.message}`;
      throw err;
    }
  }
  await assertNothingLost(w);
  assert.deepEqual(w.problems, [], 'one open conflict per file');
}
