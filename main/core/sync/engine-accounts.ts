// The engine's accounts and their S3 clients (one per account and region): added by the host,
// listed for the UI without secrets, and removed only when no folder uses them.
import type { S3Client } from '@aws-sdk/client-s3';
import { ContractError, type AccountSummary } from '../../contract/index.js';
import { describeAccount, type Account } from '../accounts/account.js';
import { S3ClientFactory } from '../accounts/s3-client-factory.js';
import type { SecretStore } from '../accounts/secret-store.js';
import { invalid } from './folder-add.js';

export class EngineAccounts {
  private readonly map = new Map<string, Account>();
  private readonly factory: S3ClientFactory;

  constructor(
    private readonly secrets: SecretStore,
    log?: (line: string) => void,
  ) {
    this.factory = new S3ClientFactory({ secrets, ...(log ? { log } : {}) });
  }

  /** The accounts by id (folder checks read it). */
  get all(): ReadonlyMap<string, Account> {
    return this.map;
  }

  add(account: Account): void {
    this.map.set(account.id, account);
    this.factory.invalidate(account.id);
  }

  get(id: string): Account | undefined {
    return this.map.get(id);
  }

  has(id: string): boolean {
    return this.map.has(id);
  }

  list(): AccountSummary[] {
    return [...this.map.values()].map((a) => ({
      id: a.id,
      kind: a.kind,
      name: a.name,
      label: describeAccount(a),
      secretStorage:
        a.kind === 'local'
          ? 'random local credentials of the embedded regions'
          : a.kind === 'aws-profile'
            ? `in your AWS config files (profile '${a.profile}'), read through the AWS SDK's credential chain`
            : this.secrets.describe(),
    }));
  }

  /** The client of an account in a region; the same instance until the account changes. */
  client(account: Account, region: string): S3Client {
    return this.factory.clientFor(account, region);
  }

  clientForId(id: string, region: string): S3Client {
    const account = this.map.get(id);
    if (!account) throw invalid('id', `No account "${id}".`);
    return this.factory.clientFor(account, region);
  }

  /** Forgets an account and its clients; refused while a watched folder uses it. */
  remove(id: string, foldersUsing: (id: string) => string[]): Account {
    const account = this.map.get(id);
    if (!account) throw new ContractError({ code: 'NotFound', message: `No account "${id}".` });
    const using = foldersUsing(id);
    if (using.length > 0) {
      const message = `Account "${account.name}" is used by ${using.join(', ')}: remove ${using.length === 1 ? 'that folder' : 'those folders'} in Folders first, then the account.`;
      throw new ContractError({ code: 'Forbidden', message });
    }
    this.map.delete(id);
    this.factory.invalidate(id);
    return account;
  }

  dispose(): void {
    this.factory.dispose();
  }
}
