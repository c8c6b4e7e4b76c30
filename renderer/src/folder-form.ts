// The "Add folder" form's pure parts: the draft, the folders.add arguments it sends, how
// ContractError issues map back onto its fields, and which bucket an 'enable-versioning'
// action is about.
import type { CommandArgs } from '../../main/contract/commands.js';
import type { ContractErrorData, RetryAction } from '../../main/contract/errors.js';
import type { Issue } from './contract-error.js';

export type FolderField = 'path' | 'accountId' | 'bucket' | 'prefix' | 'region';

export const FOLDER_FIELDS: readonly FolderField[] = [
  'path',
  'accountId',
  'bucket',
  'prefix',
  'region',
];

export type FolderDraft = Record<FolderField, string>;
export type FolderFieldErrors = Partial<Record<FolderField, string>>;
export type AddFolderArgs = CommandArgs<'folders.add'>;

export function emptyFolderDraft(accountId = ''): FolderDraft {
  return { path: '', accountId, bucket: '', prefix: '', region: '' };
}

/** The arguments of folders.add; blank optional fields are left for the engine to choose. */
export function addFolderArgs(draft: FolderDraft): {
  args: AddFolderArgs;
  errors: FolderFieldErrors;
} {
  const errors: FolderFieldErrors = {};
  const path = draft.path.trim();
  if (path === '') errors.path = 'Enter the path of a local folder.';
  const args: AddFolderArgs = { path };
  const accountId = draft.accountId.trim();
  if (accountId !== '') args.accountId = accountId;
  const bucket = draft.bucket.trim();
  if (bucket !== '') args.bucket = bucket;
  // A prefix is a key part: kept as typed, spaces included.
  if (draft.prefix !== '') args.prefix = draft.prefix;
  const region = draft.region.trim();
  if (region !== '') args.region = region;
  return { args, errors };
}

/** Issue paths are relative to the command's arguments, e.g. `bucket`. */
export function folderFieldErrors(issues: readonly Issue[]): {
  fields: FolderFieldErrors;
  other: Issue[];
} {
  const fields: FolderFieldErrors = {};
  const other: Issue[] = [];
  for (const issue of issues) {
    const field = FOLDER_FIELDS.find((name) => issue.path === name);
    if (field) {
      fields[field] = fields[field] ? `${fields[field]} ${issue.message}` : issue.message;
    } else {
      other.push(issue);
    }
  }
  return { fields, other };
}

const SEE_ABOVE = 'See the problem above.';

/** What a failed folders.add shows: field problems, other issues, and whether the notice. */
export function addFailureView(error: Pick<ContractErrorData, 'message' | 'issues' | 'action'>): {
  fields: FolderFieldErrors;
  other: Issue[];
  /** Show the error itself (with its action's button), not only its issues. */
  notice: boolean;
} {
  const issues = error.issues ?? [];
  const kind = error.action?.kind;
  const actionable = kind === 'enable-versioning' || kind === 'retry' || kind === 'create-folder';
  if (!actionable) {
    return { ...folderFieldErrors(issues), notice: issues.length === 0 };
  }
  // The notice says it with its button; the field only points there.
  const { fields, other } = folderFieldErrors(
    issues.map((i) => (i.message === error.message ? { ...i, message: SEE_ABOVE } : i)),
  );
  for (const field of FOLDER_FIELDS) {
    if (fields[field]?.startsWith(`${SEE_ABOVE} ${SEE_ABOVE}`)) fields[field] = SEE_ABOVE;
  }
  return { fields, other: other.filter((i) => i.message !== SEE_ABOVE), notice: true };
}

export interface VersioningTarget {
  accountId: string;
  bucket: string;
  region: string;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * The bucket an 'enable-versioning' action asks to change: as the action names it, else
 * as the form sent it. Null when the action is another one or the bucket is not known.
 */
export function versioningTarget(
  action: RetryAction | undefined,
  sent: AddFolderArgs,
): VersioningTarget | null {
  if (action?.kind !== 'enable-versioning') return null;
  const accountId = text(action.accountId) ?? text(sent.accountId);
  const bucket = text(action.bucket) ?? text(sent.bucket);
  const region = text(action.region) ?? text(sent.region);
  if (!accountId || !bucket || !region) return null;
  return { accountId, bucket, region };
}
