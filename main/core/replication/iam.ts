// The IAM role S3 assumes to replicate (AWS only), and the one generator of its policies: the
// two-way wizard and the rule editor both call rolePreview (the renderer gets its text through
// replication.rolePreview), so what is shown is byte for byte what createReplicationRole
// creates. The trust policy lets s3.amazonaws.com assume the role only for the caller's account
// (aws:SourceAccount, learned from IAM GetUser) and the source buckets (aws:SourceArn); the
// permission policy covers exactly the source and destination buckets (owner override and
// KMS statements only when asked). The local regions need no role: their configurations carry
// a fixed placeholder ARN in the fixed local account LOCAL_ACCOUNT_ID.
import {
  CreateRoleCommand,
  GetUserCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  ListRolesCommand,
  PutRolePolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { ReplicationRuleModel, RolePreview } from '../../contract/replication.js';
import { bucketArn, type BucketRef } from './rules.js';

/** The account id the local regions stand for (they have no STS or IAM to ask). */
export const LOCAL_ACCOUNT_ID = '000000000000';

/** The role named in configurations of the local regions (they assume no role). */
export const LOCAL_ROLE_ARN = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/replica-sync-local-regions`;

/** Name of the inline permission policy on a role the app creates. */
export const ROLE_POLICY_NAME = 'replica-sync-replication';

export type AccountKind = 'local' | 'aws-profile' | 'aws-keys' | 'custom';

/** What the role part of the view says for an account kind. */
export function roleRequirement(kind: AccountKind): {
  needed: boolean;
  /** The role to use without asking (local regions), else null. */
  role: string | null;
  message: string;
} {
  if (kind === 'local') {
    return {
      needed: false,
      role: LOCAL_ROLE_ARN,
      message:
        'The local regions need no IAM role: they replicate by themselves. The rules name a placeholder role, which they ignore.',
    };
  }
  if (kind === 'custom') {
    return {
      needed: true,
      role: null,
      message:
        'Enter the role (or replication target ARN) this S3-compatible service expects; the app creates IAM roles only on AWS.',
    };
  }
  return {
    needed: true,
    role: null,
    message:
      'S3 replicates as an IAM role it assumes: pick an existing role, or let the app create one with exactly the permissions these rules need.',
  };
}

export interface RolePreviewInput {
  /** The 12-digit account whose buckets S3 replicates for (trust policy's aws:SourceAccount). */
  accountId: string;
  /** Buckets S3 replicates from (two-way: both). */
  sources: BucketRef[];
  /** Buckets it replicates into. */
  destinations: BucketRef[];
  /** Some rule hands replicas to the destination account (owner override). */
  ownerOverride?: boolean;
  /** SSE-KMS objects: the keys that encrypt source objects and that encrypt replicas. */
  kms?: { sourceKeyArns: string[]; replicaKeyArns: string[] } | null;
  /** Default: derived from the buckets, so the same buckets give the same name. */
  roleName?: string;
}

const uniq = (xs: string[]): string[] => [...new Set(xs)];
const sorted = (refs: BucketRef[]): BucketRef[] =>
  [...new Map(refs.map((r) => [r.bucket, r])).values()].sort((a, b) =>
    a.bucket.localeCompare(b.bucket),
  );

/** replica-sync-replication-<hash of the buckets>: within IAM's 64 characters. */
export function defaultRoleName(sources: BucketRef[], destinations: BucketRef[]): string {
  const id = [
    ...sorted(sources).map((b) => `s:${b.bucket}`),
    ...sorted(destinations).map((b) => `d:${b.bucket}`),
  ].join('\n');
  return `replica-sync-replication-${createHash('sha256').update(id).digest('hex').slice(0, 12)}`;
}

/** S3 may assume the role only on behalf of `accountId`'s source buckets (confused deputy). */
export function trustPolicyDocument(accountId: string, sources: BucketRef[]): object {
  if (!/^\d{12}$/.test(accountId))
    throw new Error(`'${accountId}' is not a 12-digit AWS account id.`);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': accountId },
          ArnLike: { 'aws:SourceArn': sorted(sources).map((b) => bucketArn(b.bucket)) },
        },
      },
    ],
  };
}

export function permissionPolicyDocument(input: RolePreviewInput): object {
  const sources = sorted(input.sources);
  const destinations = sorted(input.destinations);
  if (sources.length === 0 || destinations.length === 0)
    throw new Error('A replication role needs at least one source and one destination bucket.');
  const statements: object[] = [
    {
      Sid: 'ReadSourceConfiguration',
      Effect: 'Allow',
      Action: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
      Resource: sources.map((b) => bucketArn(b.bucket)),
    },
    {
      Sid: 'ReadSourceVersions',
      Effect: 'Allow',
      Action: [
        's3:GetObjectVersionForReplication',
        's3:GetObjectVersionAcl',
        's3:GetObjectVersionTagging',
      ],
      Resource: sources.map((b) => `${bucketArn(b.bucket)}/*`),
    },
    {
      Sid: 'WriteReplicas',
      Effect: 'Allow',
      Action: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'],
      Resource: destinations.map((b) => `${bucketArn(b.bucket)}/*`),
    },
  ];
  if (input.ownerOverride) {
    statements.push({
      Sid: 'HandReplicasToDestinationOwner',
      Effect: 'Allow',
      Action: ['s3:ObjectOwnerOverrideToBucketOwner'],
      Resource: destinations.map((b) => `${bucketArn(b.bucket)}/*`),
    });
  }
  const kms = input.kms;
  if (kms && (kms.sourceKeyArns.length > 0 || kms.replicaKeyArns.length > 0)) {
    if (kms.sourceKeyArns.length > 0) {
      statements.push({
        Sid: 'DecryptSourceObjects',
        Effect: 'Allow',
        Action: ['kms:Decrypt'],
        Resource: uniq(kms.sourceKeyArns),
        Condition: {
          StringLike: {
            'kms:ViaService': uniq(sources.map((b) => `s3.${b.region}.amazonaws.com`)),
            'kms:EncryptionContext:aws:s3:arn': sources.map((b) => `${bucketArn(b.bucket)}/*`),
          },
        },
      });
    }
    if (kms.replicaKeyArns.length > 0) {
      statements.push({
        Sid: 'EncryptReplicas',
        Effect: 'Allow',
        Action: ['kms:Encrypt'],
        Resource: uniq(kms.replicaKeyArns),
        Condition: {
          StringLike: {
            'kms:ViaService': uniq(destinations.map((b) => `s3.${b.region}.amazonaws.com`)),
            'kms:EncryptionContext:aws:s3:arn': destinations.map((b) => `${bucketArn(b.bucket)}/*`),
          },
        },
      });
    }
  }
  return { Version: '2012-10-17', Statement: statements };
}

/** Exactly what createReplicationRole will create, as the user sees it. */
export function rolePreview(input: RolePreviewInput): RolePreview {
  return {
    roleName: input.roleName ?? defaultRoleName(input.sources, input.destinations),
    permissionPolicy: JSON.stringify(permissionPolicyDocument(input), null, 2),
    trustPolicy: JSON.stringify(trustPolicyDocument(input.accountId, input.sources), null, 2),
  };
}

/** The role for the rules of one bucket: the editor's input to rolePreview. */
export function bucketRoleInput(
  accountId: string,
  source: BucketRef,
  rules: readonly ReplicationRuleModel[],
  /** Destinations that replicate back into `source` (two-way): the role covers both ways. */
  returning: readonly BucketRef[] = [],
): RolePreviewInput {
  const destinations = rules.map((r) => ({
    bucket: r.destination.bucket,
    region: r.destination.region ?? source.region,
  }));
  const back = returning.filter((b) => destinations.some((d) => d.bucket === b.bucket));
  return {
    accountId,
    sources: [source, ...back],
    destinations: back.length > 0 ? [...destinations, source] : destinations,
    ownerOverride: rules.some((r) => r.destination.ownerOverride),
  };
}

/** The account id in an IAM or STS ARN (arn:aws:iam::<id>:user/...), else null. */
export function accountOfArn(text: string | undefined): string | null {
  return /arn:aws[\w-]*:(?:iam|sts)::(\d{12}):/.exec(text ?? '')?.[1] ?? null;
}

/**
 * The account of the credentials, from IAM GetUser's ARN (the SDK has no STS client here). An
 * assumed role may not call GetUser, but IAM names the caller's ARN in the refusal.
 */
export async function callerAccountId(iam: IAMClient): Promise<string> {
  let found: string | null;
  try {
    found = accountOfArn((await iam.send(new GetUserCommand({}))).User?.Arn);
  } catch (err) {
    found = accountOfArn((err as Error).message);
    if (found === null)
      throw new Error(
        `Could not learn the AWS account of these credentials (IAM GetUser: ${iamCode(err)}): enter the ARN of an existing role instead.`,
        { cause: err },
      );
  }
  if (found === null) throw new Error('IAM GetUser answered without the ARN of the caller.');
  return found;
}

/** IAM returns policy documents URL-encoded. */
export function decodePolicy(doc: string | undefined): unknown {
  if (doc === undefined || doc === '') return undefined;
  const text = doc.trimStart().startsWith('{') ? doc : decodeURIComponent(doc);
  return JSON.parse(text) as unknown;
}

/** The SDK names IAM's errors with an Exception suffix (EntityAlreadyExistsException). */
function iamCode(err: unknown): string {
  return ((err as { name?: string }).name ?? 'Error').replace(/Exception$/, '');
}

function iamError(err: unknown, what: string, roleName: string): Error {
  const e = err as { message?: string };
  const code = iamCode(err);
  if (code === 'AccessDenied') {
    return new Error(
      `These credentials may not ${what} IAM role '${roleName}' (AccessDenied): ask an administrator for the IAM permission, or pick an existing role instead.`,
      { cause: err },
    );
  }
  if (code === 'MalformedPolicyDocument') {
    return new Error(`IAM refused the policy of role '${roleName}': ${e.message ?? ''}`, {
      cause: err,
    });
  }
  return new Error(`Could not ${what} IAM role '${roleName}': ${code} ${e.message ?? ''}`.trim(), {
    cause: err,
  });
}

/**
 * Creates the role of `preview` (trust + inline permission policy) and returns its ARN. A role
 * of that name with the same trust policy is reused, its permission policy set to the
 * preview's; one with another trust policy is not touched (an error says so).
 */
export async function createReplicationRole(
  iam: IAMClient,
  preview: RolePreview,
  opts: { description?: string } = {},
): Promise<{ arn: string; created: boolean }> {
  const name = preview.roleName;
  let arn: string | undefined;
  let created = true;
  try {
    const out = await iam.send(
      new CreateRoleCommand({
        RoleName: name,
        AssumeRolePolicyDocument: preview.trustPolicy,
        Description:
          opts.description ?? 'Replica Sync: the role S3 assumes to replicate these buckets',
      }),
    );
    arn = out.Role?.Arn;
  } catch (err) {
    if (iamCode(err) !== 'EntityAlreadyExists') throw iamError(err, 'create', name);
    created = false;
    let existing;
    try {
      existing = await iam.send(new GetRoleCommand({ RoleName: name }));
    } catch (getErr) {
      throw iamError(getErr, 'read', name);
    }
    const trust = decodePolicy(existing.Role?.AssumeRolePolicyDocument);
    if (!isDeepStrictEqual(trust, JSON.parse(preview.trustPolicy))) {
      throw new Error(
        `An IAM role named '${name}' already exists and S3 may not assume it (its trust policy differs): pick it explicitly if it is meant for replication, or choose another role name.`,
      );
    }
    arn = existing.Role?.Arn;
  }
  try {
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: name,
        PolicyName: ROLE_POLICY_NAME,
        PolicyDocument: preview.permissionPolicy,
      }),
    );
  } catch (err) {
    if (created) await deleteReplicationRole(iam, name).catch(() => undefined);
    throw iamError(err, 'set the permissions of', name);
  }
  if (arn === undefined) throw new Error(`IAM answered without the ARN of role '${name}'.`);
  return { arn, created };
}

/** Removes a role the app created (its inline policy first, as IAM requires). */
export async function deleteReplicationRole(iam: IAMClient, roleName: string): Promise<void> {
  try {
    await iam.send(
      new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: ROLE_POLICY_NAME }),
    );
  } catch (err) {
    if (iamCode(err) !== 'NoSuchEntity') throw iamError(err, 'remove the policy of', roleName);
  }
  try {
    await iam.send(new DeleteRoleCommand({ RoleName: roleName }));
  } catch (err) {
    throw iamError(err, 'delete', roleName);
  }
}

function trustsS3(doc: unknown): boolean {
  const statements = (doc as { Statement?: unknown } | undefined)?.Statement;
  const list = Array.isArray(statements) ? statements : statements ? [statements] : [];
  return list.some((s: { Effect?: string; Principal?: { Service?: string | string[] } }) => {
    const service = s.Principal?.Service;
    const services = Array.isArray(service) ? service : service ? [service] : [];
    return s.Effect === 'Allow' && services.includes('s3.amazonaws.com');
  });
}

/** Roles S3 may assume, for the user to pick one (ListRoles, filtered by trust policy). */
export async function listReplicationRoles(
  iam: IAMClient,
): Promise<{ name: string; arn: string }[]> {
  const out: { name: string; arn: string }[] = [];
  let marker: string | undefined;
  try {
    do {
      const page = await iam.send(new ListRolesCommand({ ...(marker ? { Marker: marker } : {}) }));
      for (const r of page.Roles ?? []) {
        if (r.RoleName && r.Arn && trustsS3(decodePolicy(r.AssumeRolePolicyDocument)))
          out.push({ name: r.RoleName, arn: r.Arn });
      }
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
  } catch (err) {
    if (iamCode(err) === 'AccessDenied')
      throw new Error(
        'These credentials may not list IAM roles (iam:ListRoles): enter the role ARN instead, or let the app create one.',
        { cause: err },
      );
    throw new Error(`Could not list the IAM roles: ${iamCode(err)} ${(err as Error).message}`, {
      cause: err,
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
