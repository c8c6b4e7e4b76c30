// `cli accounts add` and `cli accounts list`: the window's accounts.* commands, run in the
// running instance, so a secret goes to that instance's secret store (in browser mode:
// memory only) and never into a file. No output, message or log line carries the secret.
import type { AccountSummary, CommandArgs } from '../../contract/index.js';
import { printJson, reportFailure, withRunningInstance, type FlagOf } from './running-instance.js';
import {
  dataDirOption,
  EXIT_OK,
  jsonOption,
  resolveDataDir,
  text,
  UsageError,
  type OptionValues,
  type SubCommand,
} from './sub-command.js';

/** `--secret-key -` reads the key from stdin, so it shows neither in `ps` nor in history. */
async function secretFrom(given: string, stdin: NodeJS.ReadableStream): Promise<string> {
  if (given !== '-') return given;
  let all = '';
  for await (const chunk of stdin) all += String(chunk);
  // One line break ends what `echo` or a here-string sends; anything else is the key's.
  return all.replace(/\r?\n$/, '');
}

type AddRequest =
  | { command: 'accounts.addProfile'; args: CommandArgs<'accounts.addProfile'> }
  | { command: 'accounts.addKeys'; args: CommandArgs<'accounts.addKeys'> };

async function addRequest(values: OptionValues, stdin: NodeJS.ReadableStream): Promise<AddRequest> {
  const name = text(values, 'name');
  if (name === undefined) throw new UsageError('--name is required: what you call the account');
  const profile = text(values, 'profile');
  const endpoint = text(values, 'endpoint');
  const accessKeyId = text(values, 'access-key');
  const secret = text(values, 'secret-key');
  const region = text(values, 'region');
  const pathStyle = values['path-style'] === true;
  const virtualHosted = values['virtual-hosted'] === true;
  if (profile !== undefined) {
    const extra = [
      endpoint !== undefined && '--endpoint',
      accessKeyId !== undefined && '--access-key',
      secret !== undefined && '--secret-key',
      region !== undefined && '--region',
      pathStyle && '--path-style',
      virtualHosted && '--virtual-hosted',
    ].filter(Boolean);
    if (extra.length > 0)
      throw new UsageError(
        `--profile takes its credentials from the AWS config: leave off ${extra.join(', ')}`,
      );
    return { command: 'accounts.addProfile', args: { name, profile } };
  }
  if (accessKeyId === undefined || secret === undefined)
    throw new UsageError(
      'give --access-key and --secret-key (with --endpoint for an S3-compatible service), or --profile',
    );
  if (pathStyle && virtualHosted)
    throw new UsageError('choose one of --path-style and --virtual-hosted');
  const args: CommandArgs<'accounts.addKeys'> = {
    name,
    accessKeyId,
    secretAccessKey: await secretFrom(secret, stdin),
  };
  if (endpoint !== undefined) args.endpoint = endpoint;
  // Without an endpoint these are for AWS itself; the command explains why they do not apply.
  if (pathStyle || virtualHosted) args.forcePathStyle = pathStyle;
  if (region !== undefined) args.signingRegion = region;
  return { command: 'accounts.addKeys', args };
}

/** The options behind each argument of the commands, to name them in messages. */
function flagsOf(values: OptionValues): Record<string, FlagOf> {
  const given = (flag: string): FlagOf => {
    const v = values[flag];
    return typeof v === 'string' ? { flag: `--${flag}`, value: v } : { flag: `--${flag}` };
  };
  return {
    name: given('name'),
    profile: given('profile'),
    endpoint: given('endpoint'),
    // Keys are not printed back: the id is half of a credential, the secret all of one.
    accessKeyId: { flag: '--access-key' },
    secretAccessKey: { flag: '--secret-key' },
    forcePathStyle: {
      flag: values['virtual-hosted'] === true ? '--virtual-hosted' : '--path-style',
    },
    signingRegion: given('region'),
  };
}

export function accountLine(a: AccountSummary): string {
  return `${a.label}  [${a.kind}, id ${a.id}]`;
}

export const accountsAddCommand: SubCommand = {
  summary: 'add an account to the running instance: S3-compatible endpoint, AWS keys or profile',
  positionals: '',
  options: {
    name: { type: 'string', valueName: 'NAME', description: 'what you call the account' },
    endpoint: {
      type: 'string',
      valueName: 'URL',
      description: 'the S3-compatible service (MinIO, Ceph…); leave off for AWS itself',
    },
    'access-key': { type: 'string', valueName: 'KEY', description: 'the access key id' },
    'secret-key': {
      type: 'string',
      valueName: 'SECRET',
      description: 'the secret access key; "-" reads it from stdin (kept out of ps and history)',
    },
    'path-style': {
      type: 'boolean',
      description: 'bucket in the path (http://host/bucket/key), the default with --endpoint',
    },
    'virtual-hosted': {
      type: 'boolean',
      description: 'bucket in the host name (http://bucket.host/key) instead',
    },
    region: {
      type: 'string',
      valueName: 'REGION',
      description: 'the signing region the service expects (default: the bucket region)',
    },
    profile: {
      type: 'string',
      valueName: 'PROFILE',
      description: 'an AWS config profile instead of keys (SSO, assume-role…)',
    },
    'data-dir': dataDirOption,
    json: jsonOption,
  },
  async run(values, _positionals, io) {
    const dataDir = resolveDataDir(values);
    const json = values.json === true;
    const request = await addRequest(values, process.stdin);
    try {
      const added = await withRunningInstance(dataDir, (client) =>
        request.command === 'accounts.addProfile'
          ? client.invoke(request.command, request.args)
          : client.invoke(request.command, request.args),
      );
      if (json) printJson(io, added);
      else io.stdout(`Added account ${added.label}\n`);
      return EXIT_OK;
    } catch (err) {
      return reportFailure(err, io, {
        doing: `Cannot add account ${JSON.stringify(request.args.name)}`,
        json,
        flags: flagsOf(values),
      });
    }
  },
};

export const accountsListCommand: SubCommand = {
  summary: 'list the accounts of the running instance',
  positionals: '',
  options: { 'data-dir': dataDirOption, json: jsonOption },
  async run(values, _positionals, io) {
    const dataDir = resolveDataDir(values);
    const json = values.json === true;
    try {
      const list = await withRunningInstance(dataDir, (client) =>
        client.invoke('accounts.list', {}),
      );
      if (json) printJson(io, list);
      else io.stdout(renderAccounts(list));
      return EXIT_OK;
    } catch (err) {
      return reportFailure(err, io, { doing: 'Cannot list the accounts', json });
    }
  },
};

function renderAccounts(list: AccountSummary[]): string {
  if (list.length === 0) return 'No accounts.\n';
  return `${list.map(accountLine).join('\n')}\n`;
}

/** The account a script names: its id, or else its name (case-insensitive, as names are unique). */
export function findAccount(list: AccountSummary[], given: string): AccountSummary | undefined {
  return (
    list.find((a) => a.id === given) ??
    list.find((a) => a.name !== undefined && a.name.toLowerCase() === given.toLowerCase())
  );
}
