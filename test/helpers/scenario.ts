// Runs sync-engine scenarios (rclone bisync style) written in the table language of
// scenario-language.ts: each case gets a fresh folder, bucket and engine; the engine runs for
// real (watcher, loop, queue, pull) against one of the servers of scenario-backends.ts (local
// regions, moto, Ceph RGW), through a recording proxy (s3-proxy.ts); expectations are checked
// by scenario-expect.ts. A case first checks the engine measured what the server is known to
// honour (the write strategy), then runs its steps; `VERB@WHERE` steps only where they apply.
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemorySecretStore } from '../../main/core/accounts/secret-store.js';
import { EventHub } from '../../main/core/emitter.js';
import type { FileRecord } from '../../main/core/index/file-index.js';
import { SyncEngine } from '../../main/core/sync/engine.js';
import type { FolderTuning } from '../../main/core/sync/folder-types.js';
import { strategyFor } from '../../main/core/sync/folder-capabilities.js';
import type { ScenarioBackend } from './scenario-backends.js';
import { listKeyVersions, readVersion, type BucketVersion } from './scenario-bucket.js';
import type { Hold, S3Op } from './s3-proxy.js';
import { expectStep } from './scenario-expect.js';
import {
  content,
  DEVICE,
  OTHER_DEVICE,
  sha256,
  TRASH,
  type Scenario,
  type Step,
  type Token,
} from './scenario-language.js';

export { DEVICE, OTHER_DEVICE, parseScenarios, type Scenario } from './scenario-language.js';

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

// ---------------------------------------------------------------- the world of one case

export interface ScenarioEnv {
  backend: ScenarioBackend;
  /** A scratch dir; each case gets a subdir. */
  root: string;
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
  bucket = '';
  readonly log: string[] = [];
  /** Suspected forks the engine reported, by path. */
  readonly forks = new Map<string, number>();
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
    this.remote = env.backend.client;
    this.markSeq = env.backend.proxy.requests.length;
  }

  get backend(): ScenarioBackend {
    return this.env.backend;
  }

  /** Whether a `VERB@WHERE` step applies to this server. */
  applies(only: string[]): boolean {
    const b = this.env.backend;
    return only.some(
      (q) =>
        q === b.name ||
        (q === 'conditional' && b.expected.conditional) ||
        (q === 'unconditional' && !b.expected.conditional),
    );
  }

  get s3(): S3Client {
    return this.remote;
  }

  async setup(): Promise<void> {
    this.bucket = await this.env.backend.versionedBucket('scn');
    await this.start();
    // The table's server-specific lines rest on what the server is declared to honour: the
    // engine must have measured exactly that, or the case would test the wrong branch.
    const caps = this.running.capabilities(this.folderId);
    assert.deepEqual(
      strategyFor(caps),
      this.env.backend.expected,
      `the engine's write strategy on ${this.env.backend.name} is not the one the table expects (measured: ${caps ? caps.summary.join(' ') : 'nothing'})`,
    );
  }

  async start(): Promise<void> {
    const { backend } = this.env;
    const secrets = new MemorySecretStore();
    const engine = new SyncEngine({
      indexFile: path.join(this.dataDir, 'index.sqlite'),
      device: DEVICE,
      concurrency: 4,
      secrets,
      events: new EventHub(),
      activity: (level, message) => this.log.push(`${level}: ${message}`),
      onStatus: () => undefined,
      tuning: SCENARIO_TUNING,
      log: (line) => this.log.push(line),
    });
    engine.addAccount(await backend.account(secrets));
    engine.onDidSuspectFork((_folder, rel) => this.forks.set(rel, (this.forks.get(rel) ?? 0) + 1));
    this.engine = engine;
    await within(engine.start({ paused: false }), 'engine start');
    if (engine.folderCount() === 0)
      await engine.addFolder({
        path: this.folder,
        accountId: backend.accountId,
        bucket: this.bucket,
        region: backend.region,
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

  get running(): SyncEngine {
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
      await within(this.running.rescan(this.folderId), 'rescan + pull');
      await within(this.running.settle(), 'settle');
    }
  }

  kick(): void {
    void this.running
      .rescan(this.folderId)
      .catch((err: unknown) => this.log.push(`kick: ${String(err)}`));
  }

  row(rel: string): FileRecord | undefined {
    return this.running.files.get(this.folderId, rel);
  }

  versions(key: string): Promise<BucketVersion[]> {
    return listKeyVersions(this.remote, this.bucket, key);
  }

  body(key: string, versionId?: string): Promise<{ bytes: Buffer; meta: Record<string, string> }> {
    return readVersion(this.remote, this.bucket, key, versionId);
  }

  /** Requests the engine sent for `key` since the last `mark`. */
  requestsFor(key: string): { op: S3Op; versioned: boolean; status: number | undefined }[] {
    return this.env.backend.proxy.requests
      .slice(this.markSeq)
      .filter((r) => r.key === key && r.bucket === this.bucket)
      .map((r) => ({ op: r.op, versioned: r.query.has('versionId'), status: r.status }));
  }

  mark(): void {
    this.markSeq = this.env.backend.proxy.requests.length;
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
    if (step.only && !this.applies(step.only)) return;
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
          this.env.backend.proxy.holdRequests(
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
        await within(
          this.running.answerMassDelete(this.folderId, yes === 'yes'),
          'mass-delete answer',
        );
        return;
      }
      case 'mark':
        return this.mark();
      case 'expect':
        return expectStep(this, word(0), args.slice(1));
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
    const hold = this.env.backend.proxy.holdResponses(
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
          `case "${sc.name}" on ${env.backend.name}, line ${step.line}: ${step.text}\n${msg}\n--- engine log ---\n${world.log.slice(-40).join('\n')}`,
          { cause: err },
        );
        throw e;
      }
    }
  } finally {
    await world.dispose();
  }
}
