// `replication.rolePreview`, `replication.listRoles` and `replication.createRole`: the rule
// editor's IAM role. The preview comes from the same generator as the two-way wizard's
// (iam.ts rolePreview), so the editor shows exactly what createRole creates; a bucket whose
// destination replicates back into it (two-way) gets the wizard's role for the pair.
import type { IAMClient } from '@aws-sdk/client-iam';
import type { S3Client } from '@aws-sdk/client-s3';
import { ContractError, type ReplicationRuleModel } from '../../contract/index.js';
import type { Account } from '../accounts/account.js';
import type { ReplicationHandlers } from '../command-handlers.js';
import {
  LOCAL_ACCOUNT_ID,
  bucketRoleInput,
  callerAccountId,
  createReplicationRole,
  listReplicationRoles,
  roleRequirement,
  rolePreview,
} from './iam.js';
import { toModel } from './rule-save.js';
import { bucketArn, readReplicationConfig, type BucketRef } from './rules.js';
import { iamClientFor } from './two-way-input.js';

type RoleCommand = 'replication.rolePreview' | 'replication.listRoles' | 'replication.createRole';

export interface RoleCommandOptions {
  account(id: string): Account;
  client(account: Account, region: string): S3Client;
  /** IAM with the account's credentials (default: AWS IAM, signed like its S3 client). */
  iamFor?(account: Account): IAMClient;
}

const isAws = (a: Account): boolean => a.kind === 'aws-profile' || a.kind === 'aws-keys';
/** What names the credentials: other keys or another profile may be another AWS account. */
const credentialsOf = (a: Account): string =>
  a.kind === 'aws-profile' ? a.profile : a.kind === 'local' ? '' : a.accessKeyId;

export function roleHandlers(o: RoleCommandOptions): Pick<ReplicationHandlers, RoleCommand> {
  const accounts = new Map<string, Promise<string>>();
  const withIam = async <T>(account: Account, use: (iam: IAMClient) => Promise<T>): Promise<T> => {
    const iam = o.iamFor ? o.iamFor(account) : iamClientFor((r) => o.client(account, r));
    try {
      return await use(iam);
    } finally {
      if (!o.iamFor) iam.destroy();
    }
  };
  /** The 12-digit account of the credentials, asked once per account and credentials. */
  const awsAccount = (account: Account): Promise<string> => {
    const key = `${account.id}\u0000${credentialsOf(account)}`;
    let known = accounts.get(key);
    if (!known) {
      known = withIam(account, callerAccountId);
      known.catch(() => accounts.delete(key));
      accounts.set(key, known);
    }
    return known;
  };
  /** Destinations whose own rules replicate back into `source`. */
  const returning = async (
    account: Account,
    source: BucketRef,
    rules: ReplicationRuleModel[],
  ): Promise<BucketRef[]> => {
    const back = await Promise.all(
      rules.map(async (r) => {
        const dest = {
          bucket: r.destination.bucket,
          region: r.destination.region ?? source.region,
        };
        const config = await readReplicationConfig(
          o.client(account, dest.region),
          dest.bucket,
        ).catch(() => null);
        const into = (config?.Rules ?? []).some(
          (x) => x.Destination?.Bucket === bucketArn(source.bucket),
        );
        return into ? [dest] : [];
      }),
    );
    return back.flat();
  };
  const preview = async (
    account: Account,
    args: { bucket: string; region: string; rules: Parameters<typeof toModel>[0][] },
  ) => {
    const source = { bucket: args.bucket, region: args.region };
    const rules = args.rules.map(toModel);
    const accountId = await awsAccount(account);
    return rolePreview(
      bucketRoleInput(accountId, source, rules, await returning(account, source, rules)),
    );
  };

  return {
    'replication.rolePreview': async ({ accountId, bucket, region, rules }) => {
      const account = o.account(accountId);
      const need = roleRequirement(account.kind);
      if (account.kind === 'local')
        return {
          needed: false,
          message: `${need.message} (They stand for the fixed local account ${LOCAL_ACCOUNT_ID}.)`,
          awsAccountId: LOCAL_ACCOUNT_ID,
          role: null,
        };
      if (!isAws(account))
        return { needed: true, message: need.message, awsAccountId: null, role: null };
      if (rules.length === 0)
        return {
          needed: true,
          message: 'Add a rule first: the role is made for the buckets the rules name.',
          awsAccountId: null,
          role: null,
        };
      try {
        const role = await preview(account, { bucket, region, rules });
        return {
          needed: true,
          message: need.message,
          awsAccountId: await awsAccount(account),
          role,
        };
      } catch (err) {
        return { needed: true, message: (err as Error).message, awsAccountId: null, role: null };
      }
    },
    'replication.listRoles': async ({ accountId }) => {
      const account = o.account(accountId);
      if (!isAws(account)) return [];
      try {
        return await withIam(account, listReplicationRoles);
      } catch (err) {
        throw new ContractError({ code: 'Forbidden', message: (err as Error).message });
      }
    },
    'replication.createRole': async ({ accountId, bucket, region, rules }) => {
      const account = o.account(accountId);
      if (!isAws(account))
        throw new ContractError({
          code: 'InvalidArguments',
          message: 'Replica Sync creates IAM roles only on AWS accounts.',
          issues: [{ path: 'role', message: 'Enter the role this service expects.' }],
        });
      if (rules.length === 0)
        throw new ContractError({
          code: 'InvalidArguments',
          message: 'Add a rule first: the role is made for the buckets the rules name.',
          issues: [{ path: 'rules', message: 'No rule.' }],
        });
      try {
        const role = await preview(account, { bucket, region, rules });
        const made = await withIam(account, (iam) =>
          createReplicationRole(iam, role, {
            description: `Replica Sync: the role S3 assumes to replicate ${bucket}`,
          }),
        );
        return { ...made, role };
      } catch (err) {
        throw new ContractError({ code: 'Forbidden', message: (err as Error).message });
      }
    },
  };
}
