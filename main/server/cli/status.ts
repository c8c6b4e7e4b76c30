// `status`: the folders and files of one instance, asked of the running instance over its
// local channel, or read from its index when it is not running.
import fs from 'node:fs';
import {
  ContractError,
  type FileReplication,
  type FileRow,
  type FileSyncState,
  type FolderCounts,
  type FolderState,
  type FolderSummary,
  type MassDeleteQuestion,
} from '../../contract/index.js';
import { connectLocalChannel, LocalChannelError } from '../../core/app/local-channel.js';
import { FileIndex } from '../../core/index/file-index.js';
import { FolderTable } from '../../core/index/index-db.js';
import { NoIndexError, openIndexReadOnly } from '../../core/index/read-only-index.js';
import { instancePaths } from '../../core/paths.js';
import { folderCounts } from '../../core/sync/engine-views.js';
import { renderStatus } from './status-text.js';
import { ReplicaStore } from '../../core/replication/replica-store.js';
import { fileReplicationView } from '../../core/replication/replica-view.js';
import { dataDirOption, EXIT_OK, resolveDataDir, type SubCommand } from './sub-command.js';

export interface StatusFolder {
  id: string;
  path: string;
  accountId: string;
  bucket: string;
  prefix: string;
  region: string;
  /** 'stopped' when read from the index: no loop runs, so there is no live state. */
  state: FolderState | 'stopped';
  error: string | null;
  massDelete: MassDeleteQuestion | null;
  counts: FolderCounts;
}

export interface StatusFile {
  /** The folder's local path. */
  folder: string;
  /** Relative to the folder, with / separators. */
  path: string;
  state: FileSyncState;
  /** The version last synced. */
  versionId: string | null;
  error: string | null;
  /** Where its replicas stand (per destination: state and measured latency), if followed. */
  replication: Pick<
    FileReplication,
    'sourceStatus' | 'destinations' | 'problem' | 'replicaOf' | 'slow'
  > | null;
}

export interface StatusReport {
  source: 'running' | 'index';
  folders: StatusFolder[];
  files: StatusFile[];
}

/** Rows asked per files.list call (the command's maximum). */
const PAGE = 1000;

export const statusCommand: SubCommand = {
  summary: "show the folders and files of an instance and how far they're synced",
  positionals: '',
  options: {
    'data-dir': dataDirOption,
    json: { type: 'boolean', description: 'print one JSON object instead of text' },
  },
  async run(values, _positionals, io) {
    const dataDir = resolveDataDir(values);
    const report = await readStatus(dataDir);
    io.stdout(
      values.json === true ? `${JSON.stringify(report, null, 2)}\n` : renderStatus(report, dataDir),
    );
    return EXIT_OK;
  },
};

/** Asks the running instance; reads the index when none answers. */
export async function readStatus(dataDir: string): Promise<StatusReport> {
  const report = (await statusFromRunning(dataDir)) ?? statusFromIndex(dataDir);
  addReplication(report, dataDir);
  return report;
}

/**
 * Replica states come from the index either way: the tracker writes them there, and SQLite
 * (WAL) lets this read-only connection read beside the running app.
 */
function addReplication(report: StatusReport, dataDir: string): void {
  let db;
  try {
    db = openIndexReadOnly(instancePaths(dataDir).index);
  } catch {
    return;
  }
  try {
    const hasTable = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'replica_status'")
      .get();
    if (!hasTable) return;
    const store = new ReplicaStore(db);
    const idOf = new Map(report.folders.map((f) => [f.path, f.id]));
    const now = Date.now();
    for (const file of report.files) {
      const id = idOf.get(file.folder);
      if (!id || !store.file(id, file.path)) continue;
      const view = fileReplicationView(store, id, file.path, now);
      file.replication = {
        sourceStatus: view.sourceStatus,
        destinations: view.destinations,
        problem: view.problem ?? null,
        replicaOf: view.replicaOf ?? null,
        slow: view.slow ?? false,
      };
    }
  } finally {
    db.close();
  }
}

/** undefined when no instance answers, or its engine is not up yet. */
async function statusFromRunning(dataDir: string): Promise<StatusReport | undefined> {
  let client;
  try {
    client = await connectLocalChannel(dataDir);
  } catch (err) {
    if (err instanceof LocalChannelError && err.reason === 'not-running') return undefined;
    throw err;
  }
  try {
    const summaries = await client.invoke('folders.list', {});
    const rows: FileRow[] = [];
    for (let offset = 0; ;) {
      const page = await client.invoke('files.list', { offset, limit: PAGE });
      rows.push(...page.rows);
      offset += page.rows.length;
      if (page.rows.length === 0 || offset >= page.total) break;
    }
    const pathOf = new Map(summaries.map((f) => [f.id, f.path]));
    return {
      source: 'running',
      folders: summaries.map(fromSummary),
      files: rows.map((r) => ({
        folder: pathOf.get(r.folderId) ?? r.folderId,
        path: r.relPath,
        state: r.state,
        versionId: r.versionId,
        error: r.error,
        replication: null,
      })),
    };
  } catch (err) {
    if (err instanceof ContractError && err.code === 'Unavailable') return undefined;
    throw err;
  } finally {
    client.close();
  }
}

function fromSummary(f: FolderSummary): StatusFolder {
  return {
    id: f.id,
    path: f.path,
    accountId: f.accountId,
    bucket: f.bucket,
    prefix: f.prefix,
    region: f.region,
    state: f.state,
    error: f.error,
    massDelete: f.massDelete,
    counts: f.counts,
  };
}

/** Reads the index read-only; never creates the data dir or the index. */
export function statusFromIndex(dataDir: string): StatusReport {
  const paths = instancePaths(dataDir);
  if (!fs.existsSync(dataDir))
    throw new Error(
      `no Replica Sync data in ${dataDir}: the folder does not exist; pass the --data-dir the app runs with`,
    );
  let db;
  try {
    db = openIndexReadOnly(paths.index);
  } catch (err) {
    if (err instanceof NoIndexError)
      throw new Error(
        `no Replica Sync data in ${dataDir}: it has no index.sqlite yet (the app has not synced anything with this data dir)`,
      );
    throw err;
  }
  try {
    const index = new FileIndex(db);
    const folders: StatusFolder[] = [];
    const files: StatusFile[] = [];
    for (const f of new FolderTable(db).list()) {
      folders.push({
        id: f.id,
        path: f.localPath,
        accountId: f.accountId,
        bucket: f.bucket,
        prefix: f.prefix,
        region: f.region,
        state: 'stopped',
        error: null,
        massDelete: null,
        counts: folderCounts(index.countsByState(f.id)),
      });
      for (const r of index.iterate(f.id))
        files.push({
          folder: f.localPath,
          path: r.relPath,
          state: r.state,
          versionId: r.versionId,
          error: r.error,
          replication: null,
        });
    }
    return { source: 'index', folders, files };
  } finally {
    db.close();
  }
}
