// A sync engine in its own process, for crash tests: `node --import tsx engine-process.ts
// '<json EngineProcessArgs>'`. It starts the engine on a data dir against regions the test
// runs (the test may SIGKILL it at any moment), adds the folder on the first start, and
// reports on stdout, one JSON object a line:
//   {"ev":"ready"}                 the engine started (loops running)
//   {"ev":"started","n":N}         the queue started its Nth transfer of this run
//   {"ev":"done","n":N}            N transfers of this run finished (any outcome)
//   {"ev":"settled","counts":{…}}  nothing left to upload; the process then exits 0
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemorySecretStore } from '../../main/core/accounts/secret-store.js';
import { EventHub } from '../../main/core/emitter.js';
import { SyncEngine } from '../../main/core/sync/engine.js';
import type { FolderTuning } from '../../main/core/sync/folder-types.js';
import { localRegionsAccount } from './engine-setup.js';

export interface EngineProcessArgs {
  dataDir: string;
  folder: string;
  bucket: string;
  region: string;
  device: string;
  concurrency: number;
  tuning: Partial<FolderTuning>;
  regions: {
    accessKeyId: string;
    secretAccessKey: string;
    regions: { name: string; endpoint: string }[];
  };
  /** Give up waiting for the queue to drain after this long (the test then sees the state). */
  settleTimeoutMs?: number;
}

const say = (o: unknown): void => {
  process.stdout.write(`${JSON.stringify(o)}\n`);
};

async function main(): Promise<void> {
  const raw = process.argv[2];
  if (!raw) throw new Error('usage: engine-process.ts <json args>');
  const a = JSON.parse(raw) as EngineProcessArgs;
  const engine = new SyncEngine({
    indexFile: path.join(a.dataDir, 'index.sqlite'),
    device: a.device,
    concurrency: a.concurrency,
    secrets: new MemorySecretStore(),
    events: new EventHub(),
    activity: (level, message) => {
      if (level !== 'info') process.stderr.write(`${level}: ${message}\n`);
    },
    onStatus: () => undefined,
    tuning: a.tuning,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  let started = 0;
  let done = 0;
  engine.queue.on((e) => {
    if (e.type === 'started') say({ ev: 'started', n: ++started });
    else if (e.type === 'done' || e.type === 'failed' || e.type === 'cancelled')
      say({ ev: 'done', n: ++done });
  });
  engine.addAccount(localRegionsAccount(a.regions));
  await engine.start({ paused: false });
  if (engine.folderCount() === 0)
    await engine.addFolder({
      path: a.folder,
      create: true,
      accountId: 'local',
      bucket: a.bucket,
      region: a.region,
    });
  say({ ev: 'ready' });
  const folder = engine.listFolders()[0];
  if (!folder) throw new Error('no folder');
  const deadline = Date.now() + (a.settleTimeoutMs ?? 120_000);
  for (;;) {
    await engine.settle();
    const counts = engine.files.countsByState(folder.id);
    const open = counts.pending + counts.uploading + counts.interrupted + counts.error;
    if (open === 0 || Date.now() > deadline) {
      say({ ev: 'settled', counts });
      break;
    }
    // Errors wait for retryMs; a rescan puts what is still open back in the queue.
    await sleep(200);
    await engine.rescan(folder.id);
  }
  await engine.dispose();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      `engine-process failed: ${err instanceof Error ? err.stack : String(err)}\n`,
    );
    process.exit(1);
  },
);
