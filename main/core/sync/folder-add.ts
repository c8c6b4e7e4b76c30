// The checks of folders.add before anything is stored or made: account, local path (not the
// disk, a system folder, the home itself, the data folder, a missing one without `create`),
// overlap, bucket. Only then is a missing folder made.
import type { S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ContractError, type CommandArgs } from '../../contract/index.js';
import type { Account } from '../accounts/account.js';
import { checkFolderBucket } from '../accounts/folder-check.js';
import type { FolderPeer } from '../index/index-db.js';
import type { FolderConfig } from './folder-types.js';
import { folderRefusal, guardContext, isInside, type GuardContext } from './path-guards.js';

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
  /** The app's data directory: never watched, nor anything in or around it. */
  dataDir?: string | undefined;
  /** Platform, home and the rest (tests give their own). */
  guard?: GuardContext;
}

/** The local path as given, checked; nothing is made on disk here. */
function checkLocalPath(args: AddFolderArgs, ctx: FolderAddContext): string {
  const guard = ctx.guard ?? guardContext(ctx.dataDir);
  const api = guard.platform === 'win32' ? path.win32 : path.posix;
  if (!api.isAbsolute(args.path))
    throw invalid(
      'path',
      `${args.path} is not a full path: give a full path, e.g. ${api.join(guard.home, 'Documents')}.`,
    );
  const localPath = api.resolve(args.path);
  const refusal = folderRefusal(localPath, guard);
  if (refusal) throw invalid('path', refusal);
  const st = fs.statSync(localPath, { throwIfNoEntry: false });
  if (st && !st.isDirectory()) throw invalid('path', `${localPath} is a file; pick a folder.`);
  if (!st && args.create !== true) {
    const message = `${localPath} does not exist: choose Create it, or pick an existing folder.`;
    throw new ContractError({
      code: 'InvalidArguments',
      message,
      issues: [{ path: 'path', message }],
      action: { kind: 'create-folder', path: localPath },
    });
  }
  for (const other of ctx.watched) {
    if (isInside(localPath, other, guard.platform) || isInside(other, localPath, guard.platform))
      throw invalid(
        'path',
        `${localPath} overlaps the watched folder ${other}; pick a folder outside it.`,
      );
  }
  return localPath;
}

/**
 * Checks the account, the local path and the bucket; only when all pass is a missing folder
 * made (with `create: true`). Throws ContractError on a problem, leaving the disk as it was.
 */
export async function checkNewFolder(
  args: AddFolderArgs,
  ctx: FolderAddContext,
): Promise<CheckedFolder> {
  const accountId = args.accountId ?? [...ctx.accounts.keys()][0];
  const account = accountId ? ctx.accounts.get(accountId) : undefined;
  if (!account)
    throw invalid('accountId', `No account "${args.accountId ?? ''}"; add one in Settings first.`);
  const localPath = checkLocalPath(args, ctx);
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
  if (!fs.existsSync(localPath)) fs.mkdirSync(localPath, { recursive: true });
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

/** The other endpoints of the folder's bucket, each on an account the engine knows. */
export function checkPeers(
  peers: NonNullable<AddFolderArgs['peers']>,
  accounts: ReadonlyMap<string, Account>,
): FolderPeer[] {
  return peers.map((p) => {
    if (!accounts.has(p.accountId))
      throw invalid(
        'peers',
        `The other endpoint '${p.label}' names no account "${p.accountId}": add that account first.`,
      );
    return { accountId: p.accountId, bucket: p.bucket, region: p.region, label: p.label };
  });
}

/**
 * The first start's local-regions folder never stands in the way of another account: a
 * folder added on its path (or around it) for another account takes it over while it holds
 * no file (`unused`); with files in it the overlap check names it instead.
 */
export function firstStartToHandOver(
  args: AddFolderArgs,
  watched: FolderConfig[],
  unused: (folderId: string) => boolean,
): FolderConfig[] {
  const wanted = path.resolve(args.path);
  return watched.filter(
    (f) =>
      (isInside(wanted, f.localPath) || isInside(f.localPath, wanted)) &&
      f.accountId !== args.accountId &&
      unused(f.id),
  );
}
