// The role part of the two-way wizard's plan: none for the local regions, the user's role,
// or on AWS the role rolePreview generates for the pair (its trust policy names the account
// learned from IAM), which createTwoWay creates when asked.
import type { RolePreview, RuleCheck } from '../../contract/replication.js';
import { LOCAL_ROLE_ARN, callerAccountId, rolePreview } from './iam.js';
import type { TwoWayInput } from './two-way.js';

export interface TwoWayRolePlan {
  /** The role to create (AWS without a role given), else null. */
  role: RolePreview | null;
  /** The ARN the rules will name (for the checks), or null when unknown. */
  roleArn: string | null;
  step: string | null;
  check: RuleCheck | null;
}

const roleError = (message: string): RuleCheck => ({
  level: 'error',
  ruleId: null,
  field: 'role',
  message,
  fix: null,
});

export async function planTwoWayRole(input: TwoWayInput): Promise<TwoWayRolePlan> {
  const none = { role: null, roleArn: null, step: null, check: null };
  if (input.accountKind === 'local')
    return {
      ...none,
      roleArn: LOCAL_ROLE_ARN,
      step: 'No IAM role: the local regions need none (the rules name a placeholder role).',
    };
  if (input.role)
    return {
      ...none,
      roleArn: input.role,
      step: `Use IAM role '${input.role}' for both rules: it must let S3 read both buckets and write replicas into both.`,
    };
  if (input.accountKind === 'custom')
    return {
      ...none,
      check: roleError(
        'This S3-compatible service needs the role (or replication target ARN) it expects in the rules: enter it; the app creates IAM roles only on AWS.',
      ),
    };
  let account: string | null = input.awsAccountId ?? null;
  let why = 'no IAM client to ask';
  if (account === null && input.iam) {
    try {
      account = await callerAccountId(input.iam);
    } catch (err) {
      why = (err as Error).message.replace(/[.:]\s*$/, '');
    }
  }
  if (account === null)
    return {
      ...none,
      check: roleError(
        `The role cannot be prepared: the AWS account of these credentials is unknown (${why}). Pick an existing role instead.`,
      ),
    };
  const { a, b } = input;
  const role = rolePreview({ accountId: account, sources: [a, b], destinations: [b, a] });
  return {
    role,
    roleArn: `arn:aws:iam::${account}:role/${role.roleName}`,
    step: `Create IAM role '${role.roleName}' that S3 assumes (trust policy for s3.amazonaws.com, only for account ${account} and these two buckets) with permission to read '${a.bucket}' and '${b.bucket}' and write replicas into both, nothing else: the policies are shown below.`,
    check: null,
  };
}
