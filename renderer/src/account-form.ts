// The Accounts section's pure parts: the drafts of its two forms, the arguments they send,
// how ContractError issues map back onto fields, and the words for account kinds.
import type { CommandArgs } from '../../main/contract/commands.js';
import type { AccountSummary } from '../../main/contract/sync.js';
import type { Issue } from './contract-error.js';

export type ProfileField = 'name' | 'profile';
export type KeysField =
  'name' | 'accessKeyId' | 'secretAccessKey' | 'endpoint' | 'forcePathStyle' | 'signingRegion';
export type TestField = 'region' | 'bucket';

export const PROFILE_FIELDS: readonly ProfileField[] = ['name', 'profile'];
export const KEYS_FIELDS: readonly KeysField[] = [
  'name',
  'accessKeyId',
  'secretAccessKey',
  'endpoint',
  'forcePathStyle',
  'signingRegion',
];
export const TEST_FIELDS: readonly TestField[] = ['region', 'bucket'];

export type FieldErrors<F extends string> = Partial<Record<F, string>>;

export interface ProfileDraft {
  name: string;
  profile: string;
}

export interface KeysDraft {
  name: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Empty for AWS itself; a URL for an S3-compatible service. */
  endpoint: string;
  forcePathStyle: boolean;
  signingRegion: string;
}

export const emptyProfileDraft = (): ProfileDraft => ({ name: '', profile: '' });

export const emptyKeysDraft = (): KeysDraft => ({
  name: '',
  accessKeyId: '',
  secretAccessKey: '',
  endpoint: '',
  forcePathStyle: true,
  signingRegion: '',
});

export const ACCOUNT_KIND_LABELS: Record<AccountSummary['kind'], string> = {
  local: 'Local regions',
  'aws-profile': 'AWS profile',
  'aws-keys': 'AWS access keys',
  custom: 'S3-compatible endpoint',
};

export function addProfileArgs(draft: ProfileDraft): {
  args: CommandArgs<'accounts.addProfile'>;
  errors: FieldErrors<ProfileField>;
} {
  const errors: FieldErrors<ProfileField> = {};
  const name = draft.name.trim();
  const profile = draft.profile.trim();
  if (name === '') errors.name = 'Give the account a name.';
  if (profile === '') errors.profile = 'Choose a profile from the list or type its name.';
  return { args: { name, profile }, errors };
}

/**
 * The accounts.addKeys arguments. Path-style and signing region belong to a custom
 * endpoint: without one they are disabled in the form and not sent.
 */
export function addKeysArgs(draft: KeysDraft): {
  args: CommandArgs<'accounts.addKeys'>;
  errors: FieldErrors<KeysField>;
} {
  const errors: FieldErrors<KeysField> = {};
  const name = draft.name.trim();
  // Pasted keys often bring a space or newline at an end, which no key can have. Any
  // other key is sent as typed: the contract's one key rule (main/contract/credentials.ts)
  // answers with issues that land on the fields, so the form adds no rule of its own.
  const accessKeyId = draft.accessKeyId.trim();
  const secretAccessKey = draft.secretAccessKey.trim();
  const endpoint = draft.endpoint.trim();
  const signingRegion = draft.signingRegion.trim();
  if (name === '') errors.name = 'Give the account a name.';
  if (accessKeyId === '') errors.accessKeyId = 'Enter the access key ID.';
  if (secretAccessKey === '') errors.secretAccessKey = 'Enter the secret access key.';
  const args: CommandArgs<'accounts.addKeys'> = { name, accessKeyId, secretAccessKey };
  if (endpoint !== '') {
    args.endpoint = endpoint;
    args.forcePathStyle = draft.forcePathStyle;
    if (signingRegion !== '') args.signingRegion = signingRegion;
  }
  return { args, errors };
}

/** The accounts.setSecret arguments: the secret trimmed like the add form's. */
export function setSecretArgs(
  id: string,
  secret: string,
): { args: CommandArgs<'accounts.setSecret'>; error?: string } {
  const secretAccessKey = secret.trim();
  const args = { id, secretAccessKey };
  return secretAccessKey === '' ? { args, error: 'Enter the secret access key.' } : { args };
}

export function testAccountArgs(
  id: string,
  region: string,
  bucket: string,
): { args: CommandArgs<'accounts.test'>; errors: FieldErrors<TestField> } {
  const errors: FieldErrors<TestField> = {};
  const r = region.trim();
  const b = bucket.trim();
  if (r === '') errors.region = 'Enter a region, e.g. us-east-1.';
  const args: CommandArgs<'accounts.test'> = { id, region: r };
  if (b !== '') args.bucket = b;
  return { args, errors };
}

/** Issue paths are relative to the command's arguments, e.g. `accessKeyId`. */
export function fieldErrorsFromIssues<F extends string>(
  issues: readonly Issue[],
  names: readonly F[],
): { fields: FieldErrors<F>; other: Issue[] } {
  const fields: FieldErrors<F> = {};
  const other: Issue[] = [];
  for (const issue of issues) {
    const field = names.find((name) => issue.path === name);
    if (field) {
      const before = fields[field];
      fields[field] = before ? `${before} ${issue.message}` : issue.message;
    } else {
      other.push(issue);
    }
  }
  return { fields, other };
}
