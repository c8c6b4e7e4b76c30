// The checks of folders.add before anything is stored: account, local path, overlap, bucket.
import type { S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ContractError, type CommandArgs } from '../../contract/index.js';
import type { Account } from '../accounts/account.js';
import { checkFolderBucket } from '../accounts/folder-check.js';

export type AddFolderArgs = CommandArgs<'folders.add'>;

/** A folder that passed every check, ready to store and watch. */
export interface CheckedFolder {
  account: Account;
  localPath: string;
  bucket: string;
  region: string;
  prefix: string;
}

export interface FolderAddContext {
  accounts: ReadonlyMap<string, Account>;
  /** Local paths of the folders already watched. */
  watched: Iterable<string>;
  clientFor: (account: Account, region: string) => S3Client;
}

/** Creates the local folder when missing, then asks the bucket; throws ContractError on a problem. */
export async function checkNewFolder(
  args: AddFolderArgs,
  ctx: FolderAddContext,
): Promise<CheckedFolder> {
  const accountId = args.accountId ?? [...ctx.accounts.keys()][0];
  const account = accountId ? ctx.accounts.get(accountId) : undefined;
  if (!account)
    throw invalid('accountId', `No account "${args.accountId ?? ''}"; add one in Settings first.`);
  const localPath = path.resolve(args.path);
  const st = fs.statSync(localPath, { throwIfNoEntry: false });
  if (st && !st.isDirectory()) throw invalid('path', `${localPath} is a file; pick a folder.`);
  if (!st) fs.mkdirSync(localPath, { recursive: true });
  for (const other of ctx.watched) {
    if (
      localPath === other ||
      localPath.startsWith(other + path.sep) ||
      other.startsWith(localPath + path.sep)
    )
      throw invalid(
        'path',
        `${localPath} overlaps the watched folder ${other}; pick a folder outside it.`,
      );
  }
  const region =
    args.region ?? (account.kind === 'local' ? Object.keys(account.endpoints)[0] : undefined);
  const bucket = args.bucket;
  if (!region) throw invalid('region', "Name the bucket's region (e.g. us-east-1).");
  if (!bucket) throw invalid('bucket', 'Name the bucket this folder syncs to.');
  const check = await checkFolderBucket(ctx.clientFor(account, region), {
    bucket,
    region,
  });
  if (!check.ok) {
    throw new ContractError({
      code: 'InvalidArguments',
      message: check.message,
      issues: [
        {
          path: 'bucket',
          message: check.message,
        },
      ],
      ...(check.fix?.kind === 'enable-versioning'
        ? {
            action: { kind: 'enable-versioning' as const, accountId: account.id, bucket, region },
          }
        : check.retryable
          ? { action: { kind: 'retry' as const } }
          : {}),
    });
  }
  const prefix = normalizePrefix(args.prefix ?? '');
  return { account, localPath, bucket, region, prefix };
}

/** An InvalidArguments error naming the one field at fault. */
export function invalid(field: string, message: string): ContractError {
  return new ContractError({
    code: 'InvalidArguments',
    message,
    issues: [{ path: field, message }],
  });
}

function normalizePrefix(p: string): string {
  const trimmed = p.replace(/^\/+/, '');
  return trimmed === '' || trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}

export function newFolderId(): string {
  return randomBytes(9).toString('base64url');
}
