// The rule editor's role commands (role-commands.ts) against moto_server's IAM and S3, with
// signatures and IAM permissions checked: the trust policy names the caller's account (learned
// from IAM GetUser), the editor and the two-way wizard generate byte-identical policies for the
// same buckets, createRole creates the role with its policy, and listRoles offers only roles
// S3 may assume. Without moto the tests fail and say how to install it.
import {
  CreateRoleCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListRolePoliciesCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Account } from '../../main/core/accounts/account.js';
import {
  LOCAL_ACCOUNT_ID,
  ROLE_POLICY_NAME,
  callerAccountId,
  rolePreview,
  roleRequirement,
} from '../../main/core/replication/iam.js';
import { bucketLocator } from '../../main/core/replication/bucket-places.js';
import { roleHandlers } from '../../main/core/replication/role-commands.js';
import { saveBucketRules, toModel } from '../../main/core/replication/rule-save.js';
import { createTwoWay, previewTwoWay } from '../../main/core/replication/two-way.js';
import { INSTALL_MOTO, startMoto, type Moto } from '../helpers/moto.js';

/** moto's account: IAM GetUser names it in the caller's ARN. */
const MOTO_ACCOUNT = '123456789012';
const AWS: Account = {
  kind: 'aws-keys',
  id: 'aws',
  name: 'AWS',
  accessKeyId: 'set-in-before',
  secretId: 'unused',
};
const LOCAL: Account = {
  kind: 'local',
  id: 'local',
  name: 'Local regions',
  endpoints: { 'us-east-1': 'http://127.0.0.1:1' },
  credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
};

let moto: Moto | undefined;
let motoError: unknown;
let iam: IAMClient;
const s3 = new Map<string, S3Client>();

before(async () => {
  try {
    moto = await startMoto();
  } catch (err) {
    motoError = err;
    return;
  }
  iam = new IAMClient({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: moto.credentials,
  });
  // The helper's user may use S3 only; moto's reset-auth lets one request through unchecked:
  // it grants the IAM actions the role commands use (and the test's reads).
  const res = await fetch(`${moto.endpoint}/moto-api/reset-auth`, { method: 'POST', body: '1' });
  assert.equal(res.status, 200, await res.text());
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'replica-sync',
      PolicyName: 'replication-role-admin',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: [
              'iam:GetUser',
              'iam:CreateRole',
              'iam:GetRole',
              'iam:PutRolePolicy',
              'iam:DeleteRolePolicy',
              'iam:DeleteRole',
              'iam:ListRoles',
              'iam:ListRolePolicies',
              'iam:GetRolePolicy',
            ],
            Resource: '*',
          },
        ],
      }),
    }),
  );
});

after(async () => {
  iam?.destroy();
  for (const c of s3.values()) c.destroy();
  await moto?.stop();
});

function running(): Moto {
  if (moto === undefined) {
    const why = motoError instanceof Error ? motoError.message : String(motoError);
    throw new Error(why.includes(INSTALL_MOTO) ? why : `${INSTALL_MOTO} (${why})`);
  }
  return moto;
}

function s3For(region: string): S3Client {
  const m = running();
  let c = s3.get(region);
  if (!c) {
    c = new S3Client({
      region,
      endpoint: m.endpoint,
      forcePathStyle: true,
      credentials: m.credentials,
    });
    s3.set(region, c);
  }
  return c;
}

const handlers = () =>
  roleHandlers({
    account: (id) => (id === LOCAL.id ? LOCAL : AWS),
    client: (_account, region) => s3For(region),
    iamFor: () => iam,
  });

async function createBucket(ref: { bucket: string; region: string }): Promise<void> {
  await s3For(ref.region).send(
    new CreateBucketCommand({
      Bucket: ref.bucket,
      ...(ref.region === 'us-east-1'
        ? {}
        : { CreateBucketConfiguration: { LocationConstraint: ref.region as 'eu-west-1' } }),
    }),
  );
}

function ruleInto(bucket: string, region: string, id = `to-${bucket}`) {
  return {
    id,
    priority: 1,
    enabled: true,
    filter: { prefix: '', tags: [] },
    destination: { bucket, region, ownerOverride: false },
    rtc: false,
    metrics: false,
    deleteMarkerReplication: true,
    replicaModifications: false,
  };
}

const signal = new AbortController().signal;

test("the trust policy lets S3 assume the role only for the caller's account, learned from IAM", async () => {
  running();
  assert.equal(await callerAccountId(iam), MOTO_ACCOUNT);
  const offer = await handlers()['replication.rolePreview'](
    {
      accountId: 'aws',
      bucket: 'trust-src',
      region: 'us-east-1',
      rules: [ruleInto('trust-dst', 'eu-west-1')],
    },
    signal,
  );
  assert.equal(offer.needed, true);
  assert.equal(offer.awsAccountId, MOTO_ACCOUNT);
  assert.ok(offer.role, offer.message);
  const trust = JSON.parse(offer.role.trustPolicy) as {
    Statement: { Principal: unknown; Condition: Record<string, Record<string, unknown>> }[];
  };
  assert.equal(trust.Statement.length, 1);
  assert.deepEqual(trust.Statement[0]?.Principal, { Service: 's3.amazonaws.com' });
  assert.deepEqual(trust.Statement[0]?.Condition.StringEquals, {
    'aws:SourceAccount': MOTO_ACCOUNT,
  });
  assert.deepEqual(trust.Statement[0]?.Condition.ArnLike, {
    'aws:SourceArn': ['arn:aws:s3:::trust-src'],
  });

  const local = await handlers()['replication.rolePreview'](
    {
      accountId: 'local',
      bucket: 'x-src',
      region: 'us-east-1',
      rules: [ruleInto('x', 'eu-west-1')],
    },
    signal,
  );
  assert.deepEqual(
    { needed: local.needed, role: local.role, account: local.awsAccountId },
    { needed: false, role: null, account: LOCAL_ACCOUNT_ID },
  );
  assert.match(local.message, /need no IAM role.*fixed local account 000000000000/);
});

test('the rule editor and the two-way wizard generate byte-identical policies for the same buckets', async () => {
  running();
  const a = { bucket: 'pair-us', region: 'us-east-1' };
  const b = { bucket: 'pair-eu', region: 'eu-west-1' };
  await createBucket(a);
  await createBucket(b);
  const input = {
    accountId: 'aws',
    accountKind: 'aws-keys' as const,
    clientFor: s3For,
    a,
    b,
    iam,
    createRole: true,
  };
  const wizard = (await previewTwoWay(input)).role;
  assert.ok(wizard);
  // Before the pair exists, the editor's rule a→b needs only a one-way role.
  const oneWay = await handlers()['replication.rolePreview'](
    { accountId: 'aws', ...a, rules: [ruleInto(b.bucket, b.region)] },
    signal,
  );
  assert.ok(oneWay.role);
  assert.deepEqual(
    oneWay.role,
    rolePreview({ accountId: MOTO_ACCOUNT, sources: [a], destinations: [b] }),
  );
  assert.notEqual(oneWay.role.permissionPolicy, wizard.permissionPolicy);

  const done = await createTwoWay(input);
  assert.equal(done.roleCreated, true);
  // Editing either side of the pair: the very role the wizard made, byte for byte.
  for (const [side, other] of [
    [done.a, b],
    [done.b, a],
  ] as const) {
    const offer = await handlers()['replication.rolePreview'](
      {
        accountId: 'aws',
        bucket: side.bucket,
        region: side.region,
        rules: side.rules.map((r) => ruleInto(r.destination.bucket, other.region, r.id)),
      },
      signal,
    );
    assert.ok(offer.role, offer.message);
    assert.equal(offer.role.roleName, wizard.roleName);
    assert.equal(offer.role.trustPolicy, wizard.trustPolicy);
    assert.equal(offer.role.permissionPolicy, wizard.permissionPolicy);
  }
});

test('createRole from the editor creates the role with its policy; listRoles offers it and not an EC2 role', async () => {
  running();
  const h = handlers();
  const args = {
    accountId: 'aws',
    bucket: 'editor-src',
    region: 'us-east-1',
    rules: [ruleInto('editor-dst', 'eu-west-1')],
  };
  const offer = await h['replication.rolePreview'](args, signal);
  assert.ok(offer.role);
  const made = await h['replication.createRole'](args, signal);
  assert.equal(made.created, true);
  assert.equal(made.arn, `arn:aws:iam::${MOTO_ACCOUNT}:role/${offer.role.roleName}`);
  assert.deepEqual(made.role, offer.role, 'creates exactly what the editor showed');

  const stored = await iam.send(new GetRoleCommand({ RoleName: offer.role.roleName }));
  assert.equal(
    decodeURIComponent(stored.Role?.AssumeRolePolicyDocument ?? ''),
    offer.role.trustPolicy,
  );
  const names = await iam.send(new ListRolePoliciesCommand({ RoleName: offer.role.roleName }));
  assert.deepEqual(names.PolicyNames, [ROLE_POLICY_NAME]);
  const policy = await iam.send(
    new GetRolePolicyCommand({ RoleName: offer.role.roleName, PolicyName: ROLE_POLICY_NAME }),
  );
  assert.equal(decodeURIComponent(policy.PolicyDocument ?? ''), offer.role.permissionPolicy);

  // The editor then saves the rules naming it.
  for (const ref of [
    { bucket: args.bucket, region: args.region },
    { bucket: 'editor-dst', region: 'eu-west-1' },
  ]) {
    await createBucket(ref);
    await s3For(ref.region).send(
      new PutBucketVersioningCommand({
        Bucket: ref.bucket,
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
  }
  const saved = await saveBucketRules({
    accountId: 'aws',
    local: false,
    bucket: args.bucket,
    region: args.region,
    location: null,
    rules: args.rules.map(toModel),
    role: made.arn,
    clientFor: s3For,
    locator: (c) => bucketLocator(c),
  });
  assert.equal(saved.role, made.arn);
  assert.deepEqual(
    saved.rules.map((r) => r.destination.bucket),
    ['editor-dst'],
  );

  // Again: the same role is reused, not duplicated.
  const again = await h['replication.createRole'](args, signal);
  assert.deepEqual({ arn: again.arn, created: again.created }, { arn: made.arn, created: false });

  await iam.send(
    new CreateRoleCommand({
      RoleName: 'web-server-ec2',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'ec2.amazonaws.com' },
            Action: 'sts:AssumeRole',
          },
        ],
      }),
    }),
  );
  const roles = await h['replication.listRoles']({ accountId: 'aws' }, signal);
  const names2 = roles.map((r) => r.name);
  assert.ok(names2.includes(offer.role.roleName), `offered: ${names2.join(', ')}`);
  assert.ok(
    roles.some((r) => r.arn === made.arn),
    'offered with the ARN the rules name',
  );
  assert.ok(!names2.includes('web-server-ec2'), 'a role for EC2 is not offered');
  assert.deepEqual(await h['replication.listRoles']({ accountId: 'local' }, signal), []);
  await assert.rejects(
    h['replication.createRole']({ ...args, accountId: 'local' }, signal),
    /only on AWS accounts/,
  );
});

test('local regions need no role, and say so; AWS does', () => {
  const local = roleRequirement('local');
  assert.equal(local.needed, false);
  assert.match(local.message, /need no IAM role/);
  assert.ok(local.role);
  assert.equal(roleRequirement('aws-profile').needed, true);
  assert.equal(roleRequirement('aws-keys').role, null);
  assert.match(roleRequirement('custom').message, /only on AWS/);
});
