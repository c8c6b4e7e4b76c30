// A small table language for sync-engine scenarios, in the spirit of rclone bisync's test
// cases: each case is a short script of local and remote actions, syncs, and expectations
// about the bucket's versions, the index and the local folder. The engine runs for real
// (watcher, loop, queue, pull) against the local regions, through a recording proxy.
//
//   case: NAME
//   local write PATH CONTENT          CONTENT: "text" (\n \" \\ escapes) or random:SIZE:SEED
//   local touch PATH                  new mtime, same content
//   local rename FROM TO | local delete PATH | local mkdir PATH
//   remote write KEY CONTENT [lineage=other|none] [base=head|none]
//                                     another device's PutObject (rs-device other, rs-base the
//                                     current version or none, rs-sha256) or a foreign tool's
//   remote delete KEY                 delete marker written by another device
//   sync                              rescan + pull + wait for the loops and the queue, twice
//   sync-start                        kicks a rescan without waiting
//   hold OP KEY                       the proxy holds OP requests on KEY (OP: an S3Op name)
//   wait held                         until a request held by the last `hold` arrived
//   wait Nms                          lets the watcher and the queue run for N ms
//   release                           lets held requests through
//   crash-before-index-write KEY      the next write of KEY lands in S3, the engine dies before
//                                     it hears the answer (index row left 'uploading'), restarts
//   restart                           stops and starts the engine on the same index
//   answer mass-delete yes|no
//   mark                              request counts of `expect requests` start here
//   expect bucket KEY [versions=N] [markers=N] [current=CONTENT] [deleted] [absent]
//                     [has=CONTENT]... [device=ours|other|none] [base=none|previous]
//   expect index PATH state=S [version=current|none] [sha=bucket] [mtime=local] | absent
//   expect local PATH CONTENT | absent | in-trash [CONTENT]
//   expect requests KEY [put=N] [put-ok=N] [copy=N] [parts=N] [delete=N] [delete-version=N]
//   expect folder mass-delete=N|none
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createCipheriv, createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemorySecretStore } from '../../main/core/accounts/secret-store.js';
import { EventHub } from '../../main/core/emitter.js';
import type { FileRecord, SyncState } from '../../main/core/index/file-index.js';
import { SyncEngine } from '../../main/core/sync/engine.js';
import type { FolderTuning } from '../../main/core/sync/folder-types.js';
import { SYNC_STATES } from '../../main/core/index/file-index.js';
import type { TestRegions } from './regions.js';
import { bucketName } from './regions.js';
import type { Hold, S3Op, S3Proxy } from './s3-proxy.js';
import { ensureVersionedBucket, localRegionsAccount } from './engine-setup.js';

export const DEVICE = 'device-scenario-0001';
export const OTHER_DEVICE = 'device-other-0002';
export const REGION = 'us-east-1';
const TRASH = '.replica-sync-trash';

export const SCENARIO_TUNING: Partial<FolderTuning> = {
  settleMs: 100,
  // Pulls and rescans happen when a script says `sync`, so a case is deterministic.
  pollMs: 600_000,
  rescanMs: 600_000,
  retryMs: 300,
  massDeleteFiles: 3,
  massDeletePercent: 50,
  multipartThreshold: 5 * 1024 * 1024,
};

// ---------------------------------------------------------------- parsing

export interface Token {
  /** `name` of name=value, or undefined for a plain word / string. */
  name?: string;
  value: string;
  /** The value was a quoted string. */
  quoted: boolean;
}

export interface Step {
  line: number;
  text: string;
  tokens: Token[];
}

export interface Scenario {
  name: string;
  line: number;
  steps: Step[];
}

function readQuoted(s: string, i: number, line: number): [string, number] {
  let out = '';
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j];
    if (c === '"') return [out, j + 1];
    if (c === '\\') {
      const n = s[++j];
      out += n === 'n' ? '\n' : n === 't' ? '\t' : (n ?? '');
    } else out += c;
  }
  throw new Error(`line ${line}: unterminated string`);
}

export function tokenize(s: string, line: number): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < s.length) {
    if (/\s/.test(s[i] as string)) {
      i++;
      continue;
    }
    if (s[i] === '#') break;
    if (s[i] === '"') {
      const [value, next] = readQuoted(s, i, line);
      tokens.push({ value, quoted: true });
      i = next;
      continue;
    }
    let j = i;
    while (j < s.length && !/\s/.test(s[j] as string) && s[j] !== '=') j++;
    if (s[j] === '=') {
      const name = s.slice(i, j);
      if (s[j + 1] === '"') {
        const [value, next] = readQuoted(s, j + 1, line);
        tokens.push({ name, value, quoted: true });
        i = next;
      } else {
        let k = j + 1;
        while (k < s.length && !/\s/.test(s[k] as string)) k++;
        tokens.push({ name, value: s.slice(j + 1, k), quoted: false });
        i = k;
      }
      continue;
    }
    tokens.push({ value: s.slice(i, j), quoted: false });
    i = j;
  }
  return tokens;
}

const VERBS = new Set([
  'local',
  'remote',
  'sync',
  'sync-start',
  'hold',
  'wait',
  'release',
  'crash-before-index-write',
  'restart',
  'answer',
  'mark',
  'expect',
]);

/** Splits a table into cases; throws on an unknown verb, so a typo cannot pass silently. */
export function parseScenarios(table: string): Scenario[] {
  const out: Scenario[] = [];
  let current: Scenario | undefined;
  table.split('\n').forEach((raw, idx) => {
    const line = idx + 1;
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) return;
    const m = /^case:\s*(.+)$/.exec(text);
    if (m) {
      current = { name: (m[1] as string).trim(), line, steps: [] };
      out.push(current);
      return;
    }
    if (!current) throw new Error(`line ${line}: a step before the first "case:"`);
    const tokens = tokenize(text, line);
    const verb = tokens[0]?.value ?? '';
    if (!VERBS.has(verb) || tokens[0]?.name !== undefined)
      throw new Error(`line ${line}: unknown verb "${verb}" in "${text}"`);
    current.steps.push({ line, text, tokens });
  });
  const names = new Set<string>();
  for (const s of out) {
    if (names.has(s.name)) throw new Error(`line ${s.line}: case "${s.name}" appears twice`);
    names.add(s.name);
    if (s.steps.length === 0) throw new Error(`line ${s.line}: case "${s.name}" has no steps`);
  }
  return out;
}

// ---------------------------------------------------------------- content

const SIZE = /^(\d+)(B|KiB|MiB)?$/;

/** Deterministic pseudo-random bytes (AES-CTR over zeros). */
export function randomContent(size: number, seed: string): Buffer {
  const key = createHash('sha256').update(`scenario:${seed}`).digest();
  const c = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([c.update(Buffer.alloc(size)), c.final()]);
}

export function content(t: Token | undefined): Buffer {
  if (!t) throw new Error('content expected');
  if (t.quoted) return Buffer.from(t.value, 'utf8');
  const m = /^random:([^:]+):(.+)$/.exec(t.value);
  const s = m ? SIZE.exec(m[1] as string) : null;
  if (!m || !s) throw new Error(`"${t.value}": content is "text" or random:SIZE:SEED`);
  const unit = s[2] === 'MiB' ? 1024 * 1024 : s[2] === 'KiB' ? 1024 : 1;
  return randomContent(Number(s[1]) * unit, m[2] as string);
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function show(b: Buffer): string {
  return b.length <= 64
    ? JSON.stringify(b.toString('utf8'))
    : `<${b.length} bytes ${sha256(b).slice(0, 12)}>`;
}

// ---------------------------------------------------------------- the world of one case

export interface ScenarioEnv {
  regions: TestRegions;
  proxy: S3Proxy;
  /** A scratch dir; each case gets a subdir. */
  root: string;
}

interface BucketVersion {
  versionId: string;
  latest: boolean;
  marker: boolean;
}

const STEP_TIMEOUT_MS = 30_000;

async function within<T>(p: Promise<T>, what: string, ms = STEP_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export class ScenarioWorld {
  readonly folder: string;
  readonly dataDir: string;
  readonly bucket = bucketName('scn');
  readonly log: string[] = [];
  engine: SyncEngine | undefined;
  folderId = '';
  private holds: Hold[] = [];
  private markSeq = 0;
  private readonly remote: S3Client;

  constructor(
    private readonly env: ScenarioEnv,
    name: string,
  ) {
    const dir = fs.mkdtempSync(
      path.join(env.root, `${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}-`),
    );
    this.folder = path.join(dir, 'folder');
    this.dataDir = path.join(dir, 'data');
    fs.mkdirSync(this.folder, { recursive: true });
    fs.mkdirSync(this.dataDir, { recursive: true });
    this.remote = env.regions.client(REGION);
    this.markSeq = env.proxy.requests.length;
  }

  get s3(): S3Client {
    return this.remote;
  }

  async setup(): Promise<void> {
    await ensureVersionedBucket(this.remote, this.bucket);
    await this.start();
  }

  async start(): Promise<void> {
    const { regions, proxy } = this.env;
    const engine = new SyncEngine({
      indexFile: path.join(this.dataDir, 'index.sqlite'),
      device: DEVICE,
      concurrency: 4,
      secrets: new MemorySecretStore(),
      events: new EventHub(),
      activity: (level, message) => this.log.push(`${level}: ${message}`),
      onStatus: () => undefined,
      tuning: SCENARIO_TUNING,
      log: (line) => this.log.push(line),
    });
    engine.addAccount(
      localRegionsAccount({
        accessKeyId: regions.handle.accessKeyId,
        secretAccessKey: regions.handle.secretAccessKey,
        regions: proxy.regions,
      }),
    );
    this.engine = engine;
    await within(engine.start({ paused: false }), 'engine start');
    if (engine.folderCount() === 0)
      await engine.addFolder({
        path: this.folder,
        accountId: 'local',
        bucket: this.bucket,
        region: REGION,
      });
    const f = engine.listFolders()[0];
    if (!f) throw new Error('the engine lists no folder');
    this.folderId = f.id;
  }

  async stop(): Promise<void> {
    const e = this.engine;
    this.engine = undefined;
    if (e) await e.dispose();
    // The loops' watchers close asynchronously; let them.
    await sleep(50);
  }

  async dispose(): Promise<void> {
    for (const h of this.holds) h.release();
    this.holds = [];
    await this.stop();
  }

  private get e(): SyncEngine {
    if (!this.engine) throw new Error('the engine is not running');
    return this.engine;
  }

  abs(rel: string): string {
    return path.join(this.folder, ...rel.split('/'));
  }

  async sync(): Promise<void> {
    // Past the watcher's settle + stability window, so its batch and the rescan agree.
    await sleep(400);
    for (let round = 0; round < 2; round++) {
      await within(this.e.rescan(this.folderId), 'rescan + pull');
      await within(this.e.settle(), 'settle');
    }
  }

  kick(): void {
    void this.e
      .rescan(this.folderId)
      .catch((err: unknown) => this.log.push(`kick: ${String(err)}`));
  }

  row(rel: string): FileRecord | undefined {
    return this.e.files.get(this.folderId, rel);
  }

  async versions(key: string): Promise<BucketVersion[]> {
    const out: BucketVersion[] = [];
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    do {
      const page = await this.remote.send(
        new ListObjectVersionsCommand({
          Bucket: this.bucket,
          Prefix: key,
          ...(keyMarker ? { KeyMarker: keyMarker } : {}),
          ...(versionMarker ? { VersionIdMarker: versionMarker } : {}),
        }),
      );
      for (const v of page.Versions ?? [])
        if (v.Key === key)
          out.push({
            versionId: v.VersionId ?? 'null',
            latest: v.IsLatest === true,
            marker: false,
          });
      for (const m of page.DeleteMarkers ?? [])
        if (m.Key === key)
          out.push({ versionId: m.VersionId ?? 'null', latest: m.IsLatest === true, marker: true });
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (keyMarker);
    return out;
  }

  async body(
    key: string,
    versionId?: string,
  ): Promise<{ bytes: Buffer; meta: Record<string, string> }> {
    const out = await this.remote.send(
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ...(versionId ? { VersionId: versionId } : {}),
      }),
    );
    const bytes = Buffer.from(
      await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
    return { bytes, meta: out.Metadata ?? {} };
  }

  /** Requests the engine sent for `key` since the last `mark`. */
  requestsFor(key: string): { op: S3Op; versioned: boolean; status: number | undefined }[] {
    return this.env.proxy.requests
      .slice(this.markSeq)
      .filter((r) => r.key === key && r.bucket === this.bucket)
      .map((r) => ({ op: r.op, versioned: r.query.has('versionId'), status: r.status }));
  }

  mark(): void {
    this.markSeq = this.env.proxy.requests.length;
  }

  trashed(rel: string): string[] {
    const trash = path.join(this.folder, TRASH);
    if (!fs.existsSync(trash)) return [];
    return fs
      .readdirSync(trash)
      .map((day) => path.join(trash, day, ...rel.split('/')))
      .filter((p) => fs.existsSync(p));
  }

  // ------------------------------------------------------------ steps

  async run(step: Step): Promise<void> {
    const [verb, ...args] = step.tokens;
    const word = (i: number): string => {
      const t = args[i];
      if (!t || t.name !== undefined) throw new Error(`argument ${i + 1} missing`);
      return t.value;
    };
    const named = (name: string): string | undefined => args.find((t) => t.name === name)?.value;
    switch (verb?.value) {
      case 'local':
        return this.local(word(0), args.slice(1));
      case 'remote':
        return this.remoteStep(word(0), word(1), args.slice(2), named);
      case 'sync':
        return this.sync();
      case 'sync-start':
        return this.kick();
      case 'hold': {
        const op = word(0) as S3Op;
        const key = word(1);
        this.holds.push(
          this.env.proxy.holdRequests(
            (r) => r.op === op && r.key === key && r.bucket === this.bucket,
          ),
        );
        return;
      }
      case 'wait': {
        const ms = /^(\d+)ms$/.exec(word(0));
        if (ms) return void (await sleep(Number(ms[1])));
        if (word(0) !== 'held') throw new Error('"wait held" or "wait Nms"');
        const h = this.holds[this.holds.length - 1];
        if (!h) throw new Error('nothing is held');
        await within(h.arrived, 'the held request');
        return;
      }
      case 'release':
        for (const h of this.holds.splice(0)) h.release();
        return;
      case 'crash-before-index-write':
        return this.crashBeforeIndexWrite(word(0));
      case 'restart':
        await this.stop();
        return this.start();
      case 'answer': {
        if (word(0) !== 'mass-delete') throw new Error('"answer mass-delete yes|no"');
        const yes = word(1);
        if (yes !== 'yes' && yes !== 'no') throw new Error('"answer mass-delete yes|no"');
        await within(this.e.answerMassDelete(this.folderId, yes === 'yes'), 'mass-delete answer');
        return;
      }
      case 'mark':
        return this.mark();
      case 'expect':
        return this.expect(word(0), args.slice(1));
      default:
        throw new Error(`unknown verb ${verb?.value ?? ''}`);
    }
  }

  private async local(action: string, args: Token[]): Promise<void> {
    const rel = args[0]?.value;
    if (!rel) throw new Error('a path is needed');
    const p = this.abs(rel);
    switch (action) {
      case 'write':
        fs.mkdirSync(path.dirname(p), { recursive: true });
        fs.writeFileSync(p, content(args[1]));
        return;
      case 'touch': {
        const st = fs.statSync(p);
        const t = new Date(st.mtimeMs + 5_000);
        fs.utimesSync(p, t, t);
        return;
      }
      case 'rename': {
        const to = args[1]?.value;
        if (!to) throw new Error('rename needs FROM TO');
        fs.mkdirSync(path.dirname(this.abs(to)), { recursive: true });
        fs.renameSync(p, this.abs(to));
        return;
      }
      case 'delete':
        fs.rmSync(p);
        return;
      case 'mkdir':
        fs.mkdirSync(p, { recursive: true });
        return;
      default:
        throw new Error(`unknown local action ${action}`);
    }
  }

  private async remoteStep(
    action: string,
    key: string,
    args: Token[],
    named: (n: string) => string | undefined,
  ): Promise<void> {
    if (action === 'delete') {
      await this.remote.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
      return;
    }
    if (action !== 'write') throw new Error(`unknown remote action ${action}`);
    const bytes = content(args.find((t) => t.name === undefined));
    const lineage = named('lineage') ?? 'other';
    const baseMode = named('base') ?? 'head';
    let metadata: Record<string, string> | undefined;
    if (lineage === 'other') {
      const head = (await this.versions(key)).find((v) => v.latest && !v.marker);
      metadata = {
        'rs-device': OTHER_DEVICE,
        'rs-base': baseMode === 'none' || !head ? 'none' : head.versionId,
        'rs-sha256': sha256(bytes),
      };
    } else if (lineage !== 'none') throw new Error(`lineage=${lineage}: other or none`);
    await this.remote.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: bytes,
        ...(metadata ? { Metadata: metadata } : {}),
      }),
    );
  }

  /**
   * The next write of `key` is committed by S3 but its answer never reaches the engine,
   * which then dies (its index row stays as the crash left it) and starts again.
   */
  private async crashBeforeIndexWrite(key: string): Promise<void> {
    const hold = this.env.proxy.holdResponses(
      (r) =>
        r.bucket === this.bucket &&
        r.key === key &&
        (r.op === 'PutObject' || r.op === 'CompleteMultipartUpload' || r.op === 'CopyObject'),
    );
    this.kick();
    let landed;
    try {
      landed = await within(hold.arrived, `a write of ${key}`);
    } catch (err) {
      hold.release('drop');
      throw err;
    }
    if (landed.status !== 200) {
      hold.release('deliver');
      throw new Error(`the write of ${key} that should land answered ${landed.status ?? '?'}`);
    }
    const row = this.row(key);
    this.log.push(`crash: index row of ${key} at the crash: ${JSON.stringify(row)}`);
    await this.stop();
    hold.release('drop');
    await this.start();
  }

  // ------------------------------------------------------------ expectations

  private async expect(what: string, args: Token[]): Promise<void> {
    switch (what) {
      case 'bucket':
        return this.expectBucket(args);
      case 'index':
        return this.expectIndex(args);
      case 'local':
        return this.expectLocal(args);
      case 'requests':
        return this.expectRequests(args);
      case 'folder':
        return this.expectFolder(args);
      default:
        throw new Error(`unknown expectation "${what}"`);
    }
  }

  private async expectBucket(args: Token[]): Promise<void> {
    const key = args[0]?.value;
    if (!key) throw new Error('expect bucket KEY ...');
    const all = await this.versions(key);
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
        const { bytes } = await this.body(key);
        const want = content(t);
        assert.ok(
          bytes.equals(want),
          `${where}: current is ${show(bytes)}, expected ${show(want)}`,
        );
      } else if (t.name === 'has') {
        const want = content(t);
        const bodies = await Promise.all(versions.map((v) => this.body(key, v.versionId)));
        assert.ok(
          bodies.some((b) => b.bytes.equals(want)),
          `${where}: no version holds ${show(want)} (versions: ${bodies.map((b) => show(b.bytes)).join(', ')})`,
        );
      } else if (t.name === 'device' || t.name === 'base') {
        assert.ok(latest && !latest.marker, `${where}: expected a current version`);
        const versionId: string = latest.versionId;
        const head: HeadObjectCommandOutput = await this.remote.send(
          new HeadObjectCommand({ Bucket: this.bucket, Key: key, VersionId: versionId }),
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

  private async expectIndex(args: Token[]): Promise<void> {
    const rel = args[0]?.value;
    if (!rel) throw new Error('expect index PATH ...');
    const row = this.row(rel);
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
          const latest = (await this.versions(row.key)).find((v) => v.latest);
          assert.ok(latest, `${where}: the bucket has nothing for ${row.key}`);
          assert.equal(
            row.versionId,
            latest.versionId,
            `${where}: version is not the bucket's current`,
          );
        } else throw new Error(`version=${t.value}: current or none`);
      } else if (t.name === 'sha') {
        if (t.value !== 'bucket') throw new Error('sha=bucket');
        const { bytes, meta } = await this.body(row.key);
        assert.equal(
          row.sha256,
          sha256(bytes),
          `${where}: sha256 is not that of the bucket's current content`,
        );
        if (meta['rs-sha256'] !== undefined)
          assert.equal(row.sha256, meta['rs-sha256'], `${where}: sha256 differs from rs-sha256`);
      } else if (t.name === 'mtime') {
        if (t.value !== 'local') throw new Error('mtime=local');
        assert.equal(row.mtimeMs, fs.statSync(this.abs(rel)).mtimeMs, `${where}: mtime`);
      } else throw new Error(`unknown index expectation ${t.name ?? t.value}`);
    }
  }

  private async expectLocal(args: Token[]): Promise<void> {
    const rel = args[0]?.value;
    const what = args[1];
    if (!rel || !what) throw new Error('expect local PATH CONTENT|absent|in-trash');
    const p = this.abs(rel);
    if (!what.quoted && what.value === 'absent') {
      assert.equal(fs.existsSync(p), false, `local ${rel}: expected absent`);
    } else if (!what.quoted && what.value === 'in-trash') {
      const found = this.trashed(rel);
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

  private expectRequests(args: Token[]): void {
    const key = args[0]?.value;
    if (!key) throw new Error('expect requests KEY ...');
    const reqs = this.requestsFor(key);
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

  private expectFolder(args: Token[]): void {
    const f = this.e.listFolders().find((x) => x.id === this.folderId);
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
}

/** Runs one case from a fresh folder, bucket and engine; a failure names the line and shows the engine's log. */
export async function runScenario(env: ScenarioEnv, sc: Scenario): Promise<void> {
  const world = new ScenarioWorld(env, sc.name);
  try {
    await world.setup();
    for (const step of sc.steps) {
      try {
        await world.run(step);
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        const e = new Error(
          `case "${sc.name}", line ${step.line}: ${step.text}\n${msg}\n--- engine log ---\n${world.log.slice(-40).join('\n')}`,
          { cause: err },
        );
        throw e;
      }
    }
  } finally {
    await world.dispose();
  }
}
