// `cli conflicts` lists open conflicts; `cli resolve ID --keep …` resolves one through the
// running app, exactly as the window does.
import { ContractError, type ConflictSummary } from '../../contract/index.js';
import { connectLocalChannel, LocalChannelError } from '../../core/app/local-channel.js';
import { ConflictStore } from '../../core/conflicts/conflict-store.js';
import { NoIndexError, openIndexReadOnly } from '../../core/index/read-only-index.js';
import { instancePaths } from '../../core/paths.js';
import {
  dataDirOption,
  EXIT_OK,
  resolveDataDir,
  UsageError,
  type SubCommand,
} from './sub-command.js';

interface ConflictLine {
  id: string;
  folderId: string;
  key: string;
  kind: string;
  certain: boolean;
  sides: {
    device: string | null;
    region: string | null;
    versionId: string | null;
    local: boolean;
  }[];
}

export const conflictsCommand: SubCommand = {
  summary: 'list the open conflicts of an instance',
  positionals: '',
  options: {
    'data-dir': dataDirOption,
    json: { type: 'boolean', description: 'print one JSON object instead of text' },
  },
  async run(values, _positionals, io) {
    const dataDir = resolveDataDir(values);
    const { source, conflicts } = await readConflicts(dataDir);
    if (values.json === true) io.stdout(`${JSON.stringify({ source, conflicts }, null, 2)}\n`);
    else io.stdout(renderConflicts(conflicts, source));
    return EXIT_OK;
  },
};

export const resolveCommand: SubCommand = {
  summary: 'resolve one conflict (the app must be running)',
  positionals: 'ID',
  options: {
    'data-dir': dataDirOption,
    keep: {
      type: 'string',
      valueName: 'local|remote|both|VERSION_ID',
      description: 'which side to keep; "both" keeps the other side as a conflict copy',
    },
  },
  async run(values, positionals, io) {
    const id = positionals[0];
    if (!id) throw new UsageError('name the conflict: cli resolve ID --keep local|remote|both');
    const keep = values.keep;
    if (typeof keep !== 'string' || keep === '')
      throw new UsageError('--keep is required: local, remote, both, or a version id');
    const dataDir = resolveDataDir(values);
    let client;
    try {
      client = await connectLocalChannel(dataDir);
    } catch (err) {
      if (err instanceof LocalChannelError && err.reason === 'not-running')
        throw new Error(
          `Replica Sync is not running with data dir ${dataDir}: start it (npm start -- --data-dir ${dataDir}) and resolve again`,
        );
      throw err;
    }
    try {
      const side =
        keep === 'local' || keep === 'remote' || keep === 'both'
          ? { keep: keep as 'local' | 'remote' | 'both' }
          : { keepVersion: keep };
      const r = await client.invoke('conflicts.resolve', { id, ...side });
      io.stdout(
        `Resolved ${id}: new version ${r.versionId}${r.copy ? `; the other side is kept as ${r.copy}` : ''}\n`,
      );
      return EXIT_OK;
    } finally {
      client.close();
    }
  },
};

async function readConflicts(
  dataDir: string,
): Promise<{ source: 'running' | 'index'; conflicts: ConflictLine[] }> {
  try {
    const client = await connectLocalChannel(dataDir);
    try {
      const list = await client.invoke('conflicts.list', {});
      return { source: 'running', conflicts: list.map(fromSummary) };
    } finally {
      client.close();
    }
  } catch (err) {
    const down =
      (err instanceof LocalChannelError && err.reason === 'not-running') ||
      (err instanceof ContractError && err.code === 'Unavailable');
    if (!down) throw err;
  }
  let db;
  try {
    db = openIndexReadOnly(instancePaths(dataDir).index);
  } catch (err) {
    if (err instanceof NoIndexError)
      throw new Error(`no Replica Sync data in ${dataDir}: it has no index yet`);
    throw err;
  }
  try {
    const hasTable = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'conflicts'")
      .get();
    if (!hasTable) return { source: 'index', conflicts: [] };
    const records = new ConflictStore(db).open();
    return {
      source: 'index',
      conflicts: records.map((r) => ({
        id: r.id,
        folderId: r.folderId,
        key: r.key,
        kind: r.kind,
        certain: r.kind !== 'possible',
        sides: r.sides.map((s) => ({
          device: s.device,
          region: s.local ? null : s.region,
          versionId: s.versionId,
          local: s.local,
        })),
      })),
    };
  } finally {
    db.close();
  }
}

function fromSummary(c: ConflictSummary): ConflictLine {
  return {
    id: c.id,
    folderId: c.folderId,
    key: c.key,
    kind: c.kind,
    certain: c.certain,
    sides: c.sides.map((s) => ({
      device: s.deviceName ?? s.device,
      region: s.region,
      versionId: s.versionId,
      local: s.isLocal,
    })),
  };
}

function renderConflicts(list: ConflictLine[], source: string): string {
  if (list.length === 0)
    return `No open conflicts (from the ${source === 'running' ? 'running instance' : 'index'}).\n`;
  const lines = [`${list.length} open conflict${list.length === 1 ? '' : 's'}:`];
  for (const c of list) {
    lines.push(`${c.id}  ${c.key}  ${c.kind}${c.certain ? '' : ' (possible)'}`);
    for (const s of c.sides)
      lines.push(
        `    ${s.local ? 'this computer (local file)' : `${s.region ?? '?'}  ${s.versionId ?? '-'}`}  by ${s.device ?? 'another tool'}`,
      );
  }
  return `${lines.join('\n')}\n`;
}
