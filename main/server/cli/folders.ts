// `cli folders add` and `cli folders list`: the window's folders.* commands, run in the
// running instance; `--account` takes an account's id or name.
import path from 'node:path';
import {
  ContractError,
  type AccountSummary,
  type CommandArgs,
  type FolderSummary,
} from '../../contract/index.js';
import type { LocalChannelClient } from '../../core/app/local-channel.js';
import { accountLine, findAccount } from './accounts.js';
import { printJson, reportFailure, withRunningInstance } from './running-instance.js';
import {
  dataDirOption,
  EXIT_OK,
  jsonOption,
  resolveDataDir,
  text,
  UsageError,
  type SubCommand,
} from './sub-command.js';

export function folderLine(f: FolderSummary, accounts: AccountSummary[]): string {
  const account = accounts.find((a) => a.id === f.accountId);
  const on = account ? (account.name ?? account.label) : f.accountId;
  const state = f.error !== null ? `${f.state}: ${f.error}` : f.state;
  return `${f.path} → s3://${f.bucket}/${f.prefix} (${f.region}) on account ${on}  [id ${f.id}, ${state}]`;
}

/** The account named by --account, or a NotFound error listing the accounts. */
async function accountFor(client: LocalChannelClient, given: string): Promise<AccountSummary> {
  const list = await client.invoke('accounts.list', {});
  const found = findAccount(list, given);
  if (found) return found;
  const known =
    list.length === 0
      ? 'there are none yet'
      : `the accounts are: ${list.map(accountLine).join('; ')}`;
  const message = `No account named or with id "${given}": ${known}. Add it with npm run cli -- accounts add, or pass one of these.`;
  throw new ContractError({
    code: 'NotFound',
    message,
    issues: [{ path: 'accountId', message }],
  });
}

export const foldersAddCommand: SubCommand = {
  summary: 'add a folder to sync to a bucket, through the running instance',
  positionals: 'PATH',
  options: {
    account: {
      type: 'string',
      valueName: 'NAME|ID',
      description: 'the account (its name or id); default: the first account',
    },
    bucket: { type: 'string', valueName: 'BUCKET', description: 'the versioned bucket' },
    region: {
      type: 'string',
      valueName: 'REGION',
      description: "the bucket's region (default for the local regions: their first)",
    },
    prefix: {
      type: 'string',
      valueName: 'PREFIX',
      description: 'key prefix inside the bucket (default: none)',
    },
    peers: {
      type: 'string',
      valueName: 'LABEL=ACCOUNT[,…]',
      description:
        'other endpoints of the same bucket (RGW multisite zones, MinIO site replication), each reached with its account',
    },
    create: {
      type: 'boolean',
      description: 'make the folder when it does not exist (after every other check passed)',
    },
    'data-dir': dataDirOption,
    json: jsonOption,
  },
  async run(values, positionals, io) {
    const given = positionals[0];
    if (given === undefined || given === '')
      throw new UsageError('name the folder: cli folders add PATH --account NAME --bucket BUCKET');
    if (positionals.length > 1)
      throw new UsageError(`one folder at a time (got ${positionals.length} paths)`);
    const dataDir = resolveDataDir(values);
    const json = values.json === true;
    const account = text(values, 'account');
    const bucket = text(values, 'bucket');
    const region = text(values, 'region');
    const prefix = values.prefix;
    // The instance runs elsewhere: a relative path means one from where the CLI runs.
    const localPath = path.resolve(given);
    // Its label names the endpoint, which an "unreachable" answer then points at.
    let chosen: AccountSummary | undefined;
    try {
      const { folder, accounts } = await withRunningInstance(dataDir, async (client) => {
        const args: CommandArgs<'folders.add'> = { path: localPath };
        if (account !== undefined) {
          chosen = await accountFor(client, account);
          args.accountId = chosen.id;
        }
        if (bucket !== undefined) args.bucket = bucket;
        if (region !== undefined) args.region = region;
        if (typeof prefix === 'string') args.prefix = prefix;
        if (values.create === true) args.create = true;
        const peers = text(values, 'peers');
        if (peers !== undefined) {
          if (bucket === undefined)
            throw new UsageError('--peers needs --bucket: the bucket they share');
          args.peers = [];
          for (const item of peers.split(',')) {
            const [label, name, ...rest] = item.split('=');
            if (!label || !name || rest.length > 0)
              throw new UsageError(`--peers takes LABEL=ACCOUNT pairs, got "${item}"`);
            const peer = await accountFor(client, name);
            args.peers.push({ label, accountId: peer.id, bucket, region: region ?? 'us-east-1' });
          }
        }
        const added = await client.invoke('folders.add', args, { timeoutMs: 120_000 });
        return { folder: added, accounts: await client.invoke('accounts.list', {}) };
      });
      if (json) printJson(io, folder);
      else io.stdout(`Added folder ${folderLine(folder, accounts)}\n`);
      return EXIT_OK;
    } catch (err) {
      if (!json && err instanceof ContractError && err.action?.kind === 'create-folder')
        io.stderr('To make it, run the command again with --create.\n');
      return reportFailure(err, io, {
        doing: `Cannot add folder ${localPath}${chosen ? ` on account ${chosen.label}` : ''}`,
        json,
        flags: {
          path: { flag: 'PATH', value: localPath },
          accountId:
            account !== undefined ? { flag: '--account', value: account } : { flag: '--account' },
          bucket: bucket !== undefined ? { flag: '--bucket', value: bucket } : { flag: '--bucket' },
          region: region !== undefined ? { flag: '--region', value: region } : { flag: '--region' },
          prefix:
            typeof prefix === 'string' ? { flag: '--prefix', value: prefix } : { flag: '--prefix' },
        },
      });
    }
  },
};

export const foldersListCommand: SubCommand = {
  summary: 'list the folders of the running instance',
  positionals: '',
  options: { 'data-dir': dataDirOption, json: jsonOption },
  async run(values, _positionals, io) {
    const dataDir = resolveDataDir(values);
    const json = values.json === true;
    try {
      const { folders, accounts } = await withRunningInstance(dataDir, async (client) => ({
        folders: await client.invoke('folders.list', {}),
        accounts: await client.invoke('accounts.list', {}),
      }));
      if (json) printJson(io, folders);
      else
        io.stdout(
          folders.length === 0
            ? 'No folders are synced yet.\n'
            : `${folders.map((f) => folderLine(f, accounts)).join('\n')}\n`,
        );
      return EXIT_OK;
    } catch (err) {
      return reportFailure(err, io, { doing: 'Cannot list the folders', json });
    }
  },
};
