// The accounts.* commands that change or probe accounts: add an AWS profile, add access
// keys (AWS or a custom S3-compatible endpoint), remove, test. Records go to the
// AccountStore (no secrets), secret access keys to the SecretStore, and the running engine
// learns of every change. No message, result or log line carries a secret key.
import { randomBytes } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  ContractError,
  type AccountSummary,
  type AccountTestResult,
  type CommandArgs,
} from '../../contract/index.js';
import { instancePaths } from '../paths.js';
import { accountProblems, describeAccount, type Account } from './account.js';
import { AccountStore, type StoredAccount } from './account-store.js';
import { testAccountCredentials } from './account-test.js';
import { listAwsProfiles } from './aws-profiles.js';
import { bucketNameProblem } from './folder-check.js';
import type { SecretStore } from './secret-store.js';

/** What the commands need of the sync engine (SyncEngine has all of it). */
export interface AccountHost {
  addAccount(account: Account): void;
  /** Throws a ContractError while a folder uses the account. */
  removeAccount(id: string): Account;
  account(id: string): Account | undefined;
  listAccounts(): AccountSummary[];
  clientForAccount(id: string, region: string): S3Client;
  readonly secretStore: SecretStore;
}

/** Where added and removed accounts are reported (the app's activity log). */
export interface ActivitySink {
  add(level: 'info' | 'warn' | 'error', message: string): unknown;
}

export interface AccountCommandsOptions {
  host: AccountHost;
  store: AccountStore;
  activity?: ActivitySink;
  /** Where AWS_CONFIG_FILE and friends are read; process.env by default. */
  env?: NodeJS.ProcessEnv;
}

function invalid(field: string, message: string): ContractError {
  return new ContractError({
    code: 'InvalidArguments',
    message,
    issues: [{ path: field, message }],
  });
}

function newAccountId(): string {
  return `acc-${randomBytes(9).toString('base64url')}`;
}

export class AccountCommands {
  constructor(private readonly opts: AccountCommandsOptions) {}

  async addProfile(args: CommandArgs<'accounts.addProfile'>): Promise<AccountSummary> {
    const name = this.freeName(args.name);
    const known = await listAwsProfiles(this.opts.env);
    if (!known.profiles.includes(args.profile)) {
      throw invalid(
        'profile',
        `There is no profile '${args.profile}' in ${known.configFile} or ${known.credentialsFile}: set it up with "aws configure --profile ${args.profile}" (or "aws configure sso"), or pick one from the list.`,
      );
    }
    const twin = this.stored().find((a) => a.kind === 'aws-profile' && a.profile === args.profile);
    if (twin)
      throw invalid('profile', `Profile '${args.profile}' is already added as "${twin.name}".`);
    const account: StoredAccount = {
      id: newAccountId(),
      kind: 'aws-profile',
      name,
      profile: args.profile,
    };
    return this.keep(account);
  }

  async addKeys(args: CommandArgs<'accounts.addKeys'>): Promise<AccountSummary> {
    const name = this.freeName(args.name);
    if (args.endpoint === undefined) {
      if (args.forcePathStyle !== undefined)
        throw invalid(
          'forcePathStyle',
          'Path-style addressing applies to a custom endpoint only: enter the endpoint, or leave it off.',
        );
      if (args.signingRegion !== undefined)
        throw invalid(
          'signingRegion',
          'A signing region applies to a custom endpoint only: enter the endpoint, or leave it empty.',
        );
    }
    const endpoint = args.endpoint?.replace(/\/+$/, '');
    const twin = this.stored().find(
      (a) =>
        a.kind !== 'aws-profile' &&
        a.accessKeyId === args.accessKeyId &&
        (a.kind === 'custom' ? a.endpoint : undefined) === endpoint,
    );
    if (twin) throw invalid('accessKeyId', `This access key is already added as "${twin.name}".`);
    const id = newAccountId();
    const secretId = `account-${id}-secret`;
    const account: StoredAccount =
      endpoint === undefined
        ? { id, kind: 'aws-keys', name, accessKeyId: args.accessKeyId, secretId }
        : {
            id,
            kind: 'custom',
            name,
            endpoint,
            forcePathStyle: args.forcePathStyle ?? true,
            accessKeyId: args.accessKeyId,
            secretId,
            ...(args.signingRegion !== undefined ? { signingRegion: args.signingRegion } : {}),
          };
    const problems = accountProblems(account);
    if (problems.length > 0)
      throw invalid(endpoint !== undefined ? 'endpoint' : 'accessKeyId', problems.join(' '));
    const secrets = this.opts.host.secretStore;
    await secrets.set(secretId, args.secretAccessKey);
    try {
      return this.keep(account);
    } catch (err) {
      await secrets.delete(secretId);
      throw err;
    }
  }

  /** Stores the secret of an access-key account again; the record itself is unchanged. */
  async setSecret(args: CommandArgs<'accounts.setSecret'>): Promise<AccountSummary> {
    const account = this.opts.host.account(args.id);
    if (!account) throw invalid('id', `No account with id ${args.id}.`);
    if (account.kind !== 'aws-keys' && account.kind !== 'custom')
      throw invalid(
        'id',
        `"${account.name}" takes its credentials from elsewhere; it has no secret to enter.`,
      );
    await this.opts.host.secretStore.set(account.secretId, args.secretAccessKey);
    // Clients built while the secret was missing must pick it up.
    this.opts.host.addAccount(account);
    this.opts.activity?.add('info', `Stored the secret of account "${account.name}" again`);
    const summary = this.list().find((a) => a.id === account.id);
    if (!summary) throw invalid('id', `No account with id ${args.id}.`);
    return summary;
  }

  /** The engine's summaries with each account's name, which scripts look accounts up by. */
  list(): AccountSummary[] {
    const host = this.opts.host;
    return host.listAccounts().map((s) => {
      const name = host.account(s.id)?.name;
      return name === undefined ? s : { ...s, name };
    });
  }

  async remove(id: string): Promise<void> {
    const { host, store } = this.opts;
    const account = host.account(id);
    if (!account) throw new ContractError({ code: 'NotFound', message: `No account "${id}".` });
    if (account.kind === 'local')
      throw new ContractError({
        code: 'Forbidden',
        message: 'The local regions are built into the app: their account cannot be removed.',
      });
    host.removeAccount(id);
    try {
      store.remove(id);
    } catch (err) {
      host.addAccount(account);
      throw err;
    }
    this.opts.activity?.add('info', `Removed account ${describeAccount(account)}`);
    if (account.kind === 'aws-keys' || account.kind === 'custom') {
      try {
        await host.secretStore.delete(account.secretId);
      } catch (err) {
        this.opts.activity?.add(
          'warn',
          `The secret key of removed account "${account.name}" could not be deleted: ${(err as Error).message}`,
        );
      }
    }
  }

  async test(args: CommandArgs<'accounts.test'>, signal?: AbortSignal): Promise<AccountTestResult> {
    const account = this.opts.host.account(args.id);
    if (!account)
      throw new ContractError({ code: 'NotFound', message: `No account "${args.id}".` });
    if (args.bucket !== undefined) {
      const problem = bucketNameProblem(args.bucket);
      if (problem !== undefined)
        throw invalid('bucket', `'${args.bucket}' is not a valid bucket name: ${problem}.`);
    }
    let client: S3Client;
    try {
      client = this.opts.host.clientForAccount(account.id, args.region);
    } catch (err) {
      if (err instanceof ContractError) throw err;
      throw invalid('region', (err as Error).message);
    }
    const endpoint =
      account.kind === 'local'
        ? account.endpoints[args.region]
        : account.kind === 'custom'
          ? account.endpoint
          : undefined;
    return testAccountCredentials(
      client,
      {
        region: args.region,
        ...(args.bucket !== undefined ? { bucket: args.bucket } : {}),
        ...(endpoint !== undefined ? { endpoint } : {}),
      },
      signal,
    );
  }

  private stored(): StoredAccount[] {
    return this.opts.store.list();
  }

  /** The trimmed name, refused when another account has it (case-insensitive). */
  private freeName(raw: string): string {
    const name = raw.trim();
    const host = this.opts.host;
    const taken = host
      .listAccounts()
      .map((s) => host.account(s.id)?.name)
      .find((n) => n !== undefined && n.toLowerCase() === name.toLowerCase());
    if (taken !== undefined)
      throw invalid('name', `An account named "${taken}" exists already: choose another name.`);
    return name;
  }

  /** Saves the record, then hands it to the engine; returns its summary. */
  private keep(account: StoredAccount): AccountSummary {
    this.opts.store.put(account);
    this.opts.host.addAccount(account);
    this.opts.activity?.add('info', `Added account ${describeAccount(account)}`);
    const summary = this.list().find((s) => s.id === account.id);
    if (!summary) throw new Error(`account ${account.id} was added but is not listed`);
    return summary;
  }
}

/** The commands over the accounts file of a data dir. */
export function accountCommands(
  host: AccountHost,
  dataDir: string,
  activity?: ActivitySink,
): AccountCommands {
  return new AccountCommands({
    host,
    store: new AccountStore(instancePaths(dataDir).accounts),
    ...(activity ? { activity } : {}),
  });
}

/** Loads the stored accounts into the engine at start; returns how many. */
export function loadStoredAccounts(host: Pick<AccountHost, 'addAccount'>, file: string): number {
  const accounts = new AccountStore(file).list();
  for (const account of accounts) host.addAccount(account);
  return accounts.length;
}
