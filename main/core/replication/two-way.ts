// The two-way wizard: two buckets (any regions) replicate into each other. One confirmed
// step enables versioning on both, creates the IAM role (AWS, when asked), and writes rule
// A→B and rule B→A (priority 1, every key, replica-modification sync on, delete markers
// replicated unless turned off). S3 never replicates a replica again, so this does not loop.
// If the second write fails, the first bucket's previous configuration is restored.
import type { IAMClient } from '@aws-sdk/client-iam';
import {
  PutBucketVersioningCommand,
  type ReplicationConfiguration,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ContractError, type ErrorCode } from '../../contract/errors.js';
import type { TwoWayPreview } from '../../contract/replication-commands.js';
import type {
  NotKeptField,
  ReplicationRuleModel,
  RolePreview,
  RuleCheck,
  SavedReplication,
  VersioningStatus,
} from '../../contract/replication.js';
import { classifyS3Error, type S3OperationError } from '../transfer/s3-errors.js';
import { checkRules, gatherCheckInput } from './checks.js';
import {
  LOCAL_ROLE_ARN,
  createReplicationRole,
  deleteReplicationRole,
  type AccountKind,
} from './iam.js';
import type { RegionPolicy } from './bucket-places.js';
import { notKeptMessage, putAndReadBack } from './readback.js';
import { planTwoWayRole } from './two-way-role.js';
import {
  bucketLocator,
  configToS3,
  newRule,
  putReplicationConfig,
  readBucketReplication,
  readReplicationConfig,
  readVersioning,
  rulesFromS3,
  type BucketRef,
} from './rules.js';

export interface TwoWayInput {
  accountId: string;
  accountKind: AccountKind;
  /** The account's S3 client for a region. */
  clientFor(region: string): S3Client;
  a: BucketRef;
  b: BucketRef;
  /** An existing role S3 assumes for both rules (AWS or custom; ignored for local). */
  role?: string | null;
  /** AWS: create the role the preview shows (needs `iam`). */
  createRole?: boolean;
  iam?: IAMClient;
  /** The 12-digit AWS account of the buckets; default: learned from `iam` (GetUser). */
  awsAccountId?: string;
  /** Replicate delete markers both ways. Default true. */
  deleteMarkerReplication?: boolean;
  /** How the account's service names regions (custom: the signing region is the client's). */
  policy?: RegionPolicy;
}

export interface TwoWayResult {
  /** As read back, with what each service did not keep. */
  a: SavedReplication;
  b: SavedReplication;
  /** The role both configurations name, and whether this step created it. */
  role: string;
  roleCreated: boolean;
}

interface Side {
  ref: BucketRef;
  other: BucketRef;
  client: S3Client;
  versioning: VersioningStatus | null;
  previous: ReplicationConfiguration | null;
  rules: ReplicationRuleModel[];
  replaced: string[];
  kept: number;
}

interface TwoWayPlan {
  a: Side;
  b: Side;
  role: RolePreview | null;
  checks: RuleCheck[];
  steps: string[];
}

/** The ID of the wizard's rule into `bucket`. */
export function twoWayRuleId(bucket: string): string {
  return `two-way-to-${bucket}`;
}

function isAws(kind: AccountKind): boolean {
  return kind === 'aws-profile' || kind === 'aws-keys';
}

const where = (r: BucketRef): string => `'${r.bucket}' (${r.region})`;
/** A message without its final period, to continue the sentence. */
const clause = (message: string): string => message.replace(/[.:]\s*$/, '');

async function readSide(
  input: TwoWayInput,
  ref: BucketRef,
  other: BucketRef,
  checks: RuleCheck[],
): Promise<Side> {
  const client = input.clientFor(ref.region);
  const side: Side = {
    ref,
    other,
    client,
    versioning: null,
    previous: null,
    rules: [],
    replaced: [],
    kept: 0,
  };
  try {
    side.versioning = await readVersioning(client, ref.bucket);
    side.previous = await readReplicationConfig(client, ref.bucket);
  } catch (err) {
    const e = classifyS3Error(err, { ...ref, operation: 'read' });
    checks.push({
      level: 'error',
      ruleId: null,
      field: 'bucket',
      message:
        e.code === 'NoSuchBucket'
          ? `Bucket ${where(ref)} does not exist: two-way replication needs two existing buckets. Create it or pick another.`
          : e.message,
      fix: null,
    });
    return side;
  }
  const existing = await rulesFromS3(side.previous, bucketLocator(client, input.policy));
  const into = existing.filter((r) => r.destination.bucket === other.bucket);
  side.replaced = into.map((r) => r.id);
  const kept = existing.filter((r) => r.destination.bucket !== other.bucket);
  side.kept = kept.length;
  side.rules = [
    ...kept,
    newRule(other, {
      id: twoWayRuleId(other.bucket),
      priority: 1,
      replicaModifications: true,
      deleteMarkerReplication: input.deleteMarkerReplication ?? true,
    }),
  ];
  return side;
}

/** Checks of one side's new configuration, as it will be once versioning is enabled on both. */
async function sideChecks(
  input: TwoWayInput,
  side: Side,
  role: string | null,
): Promise<RuleCheck[]> {
  if (side.versioning === null) return [];
  const facts = await gatherCheckInput(input.clientFor, {
    source: side.ref,
    rules: side.rules,
    local: input.accountKind === 'local',
    ...(input.policy ? { policy: input.policy } : {}),
  });
  facts.source.versioning = 'Enabled';
  const partner = facts.destinations.get(side.other.bucket);
  if (partner?.exists) partner.versioning = 'Enabled';
  return checkRules({ ...facts, ...(isAws(input.accountKind) ? { role } : {}) });
}

function versioningStep(side: Side): string {
  if (side.versioning === 'Enabled') return `Versioning is already enabled on ${where(side.ref)}.`;
  const now = side.versioning === 'Suspended' ? 'suspended' : 'off';
  return `Enable versioning on ${where(side.ref)} (now ${now}): replication needs it on both buckets. It cannot be turned off again, only suspended, and S3 refuses to suspend it while replication rules exist.`;
}

function ruleStep(side: Side, deleteMarkers: boolean): string {
  const extra: string[] = [];
  if (side.replaced.length > 0)
    extra.push(
      `replaces its rule${side.replaced.length === 1 ? '' : 's'} ${side.replaced.map((id) => `'${id}'`).join(', ')} into '${side.other.bucket}'`,
    );
  if (side.kept > 0)
    extra.push(`keeps its ${side.kept} other rule${side.kept === 1 ? '' : 's'} unchanged`);
  const deletes = deleteMarkers
    ? 'delete markers replicated (a delete in one bucket follows in the other; deleting a specific version never does)'
    : 'delete markers not replicated (a delete in one bucket leaves the other as it is)';
  return `Write rule '${twoWayRuleId(side.other.bucket)}' on ${where(side.ref)}: every key to ${where(side.other)}, priority 1, replica-modification sync on, ${deletes}${extra.length > 0 ? `; ${extra.join(', ')}` : ''}.`;
}

async function planTwoWay(input: TwoWayInput): Promise<TwoWayPlan> {
  const checks: RuleCheck[] = [];
  if (input.a.bucket === input.b.bucket) {
    checks.push({
      level: 'error',
      ruleId: null,
      field: 'b',
      message: `Both sides are bucket '${input.a.bucket}': two-way replication needs two different buckets (S3 refuses a rule into its own bucket).`,
      fix: null,
    });
  }
  const [a, b] = await Promise.all([
    readSide(input, input.a, input.b, checks),
    readSide(input, input.b, input.a, checks),
  ]);
  const steps = [versioningStep(a), versioningStep(b)];
  const { role, roleArn, step, check } = await planTwoWayRole(input);
  if (step) steps.push(step);
  if (check) checks.push(check);
  const deleteMarkers = input.deleteMarkerReplication ?? true;
  steps.push(ruleStep(a, deleteMarkers), ruleStep(b, deleteMarkers));
  steps.push(
    `If the rule on '${input.b.bucket}' cannot be written, the rules of '${input.a.bucket}' are restored as they were.`,
    'Only objects written from now on replicate: objects already in the buckets are listed as not replicated afterwards, and the app offers to copy them in place.',
  );
  if (checks.length === 0) {
    const [ca, cb] = await Promise.all([
      sideChecks(input, a, roleArn),
      sideChecks(input, b, roleArn),
    ]);
    const seen = new Set<string>();
    for (const c of [...ca, ...cb]) {
      if (seen.has(c.message)) continue;
      seen.add(c.message);
      checks.push(c);
    }
  }
  return { a, b, role, checks, steps };
}

/** What the wizard will do, the checks of the result, and the role it would create (AWS). */
export async function previewTwoWay(input: TwoWayInput): Promise<TwoWayPreview> {
  const plan = await planTwoWay(input);
  return { steps: plan.steps, checks: plan.checks, role: plan.role };
}

function contractError(e: S3OperationError, message: string): ContractError {
  const code: ErrorCode =
    e.kind === 'transient'
      ? 'Unavailable'
      : e.code === 'AccessDenied'
        ? 'Forbidden'
        : e.code === 'NoSuchBucket'
          ? 'NotFound'
          : 'Internal';
  return new ContractError({
    code,
    message,
    ...(e.kind === 'transient' ? { action: { kind: 'retry' as const } } : {}),
  });
}

async function enableVersioning(side: Side): Promise<void> {
  if (side.versioning === 'Enabled') return;
  try {
    await side.client.send(
      new PutBucketVersioningCommand({
        Bucket: side.ref.bucket,
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
  } catch (err) {
    const e = classifyS3Error(err, { ...side.ref, operation: 'enable versioning of' });
    throw contractError(e, `Two-way replication was not set up: ${e.message}`);
  }
}

/**
 * Sets up two-way replication in one step (see previewTwoWay). Refuses, changing nothing,
 * while the preview has errors.
 */
export async function createTwoWay(input: TwoWayInput): Promise<TwoWayResult> {
  const plan = await planTwoWay(input);
  const errors = plan.checks.filter((c) => c.level === 'error');
  if (errors.length > 0) {
    throw new ContractError({
      code: 'InvalidArguments',
      message: `Two-way replication was not set up: ${errors.map((c) => c.message).join(' ')}`,
      issues: errors.map((c) => ({ path: c.field ?? 'rules', message: c.message })),
    });
  }
  const { a, b } = plan;
  const iam = input.iam;
  const createRole = input.accountKind !== 'local' && !input.role;
  if (createRole && (plan.role === null || !input.createRole || iam === undefined)) {
    throw new ContractError({
      code: 'InvalidArguments',
      message:
        'Two-way replication needs an IAM role that S3 assumes: pick an existing role, or let the app create the one shown.',
      issues: [{ path: 'role', message: 'Pick a role or create one.' }],
    });
  }

  await enableVersioning(a);
  await enableVersioning(b);
  const versioningNote = [a, b]
    .filter((s) => s.versioning !== 'Enabled')
    .map((s) => `'${s.ref.bucket}'`);
  const stays =
    versioningNote.length > 0
      ? ` Versioning stays enabled on ${versioningNote.join(' and ')} (S3 cannot turn it off).`
      : '';

  let role = input.accountKind === 'local' ? LOCAL_ROLE_ARN : (input.role ?? '');
  let roleCreated = false;
  if (createRole && plan.role !== null && iam !== undefined) {
    try {
      const created = await createReplicationRole(iam, plan.role, {
        description: `Replica Sync: two-way replication between ${a.ref.bucket} and ${b.ref.bucket}`,
      });
      role = created.arn;
      roleCreated = created.created;
    } catch (err) {
      throw new ContractError({
        code: 'Forbidden',
        message: `Two-way replication was not set up: ${clause((err as Error).message)}.${stays}`,
      });
    }
  }
  const dropRole = async (): Promise<string> => {
    if (!roleCreated || iam === undefined || plan.role === null) return '';
    try {
      await deleteReplicationRole(iam, plan.role.roleName);
      return ` The IAM role '${plan.role.roleName}' created for it was deleted again.`;
    } catch (err) {
      return ` The IAM role '${plan.role.roleName}' created for it is still there (${(err as Error).message}).`;
    }
  };

  let notKeptA: NotKeptField[];
  let notKeptB: NotKeptField[];
  try {
    notKeptA = await putAndReadBack(a.client, a.ref.bucket, configToS3(a.rules, role, a.previous));
  } catch (err) {
    const e = classifyS3Error(err, { ...a.ref, operation: 'write the replication rules of' });
    throw contractError(
      e,
      `Two-way replication was not set up: the rule from '${a.ref.bucket}' to '${b.ref.bucket}' could not be written: ${clause(e.message)}.${stays}${await dropRole()}`,
    );
  }
  try {
    notKeptB = await putAndReadBack(b.client, b.ref.bucket, configToS3(b.rules, role, b.previous));
  } catch (err) {
    const e = classifyS3Error(err, { ...b.ref, operation: 'write the replication rules of' });
    let rollback: string;
    try {
      await putReplicationConfig(a.client, a.ref.bucket, a.previous);
      rollback =
        a.previous === null
          ? `Rolled back: '${a.ref.bucket}' has no replication rules again, as before.`
          : `Rolled back: the replication rules of '${a.ref.bucket}' are as they were before.`;
    } catch (undoErr) {
      rollback = `Rolling back failed too (${(undoErr as Error).message}): '${a.ref.bucket}' still replicates into '${b.ref.bucket}'; delete its rule '${twoWayRuleId(b.ref.bucket)}' to undo it.`;
    }
    throw contractError(
      e,
      `Two-way replication was not set up: the rule from '${b.ref.bucket}' to '${a.ref.bucket}' could not be written: ${clause(e.message)}. ${rollback}${stays}${await dropRole()}`,
    );
  }
  const readBack = async (side: Side, notKept: NotKeptField[]): Promise<SavedReplication> => ({
    ...(await readBucketReplication(
      side.client,
      { accountId: input.accountId, ...side.ref },
      bucketLocator(side.client, input.policy),
    )),
    notKept,
    notKeptMessage: notKeptMessage(notKept),
  });
  const [ra, rb] = await Promise.all([readBack(a, notKeptA), readBack(b, notKeptB)]);
  return { a: ra, b: rb, role, roleCreated };
}
