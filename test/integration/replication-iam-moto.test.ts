// The replication role against moto_server's IAM (signatures and IAM permissions checked):
// the role created has exactly the trust and permission policies rolePreview showed, KMS
// statements only when asked, and the two-way wizard on an AWS account creates it and names
// it in both rules. Without moto the tests fail and say how to install it.
import {
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListRolePoliciesCommand,
  PutUserPolicyCommand,
  CreateRoleCommand,
} from '@aws-sdk/client-iam';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  ROLE_POLICY_NAME,
  callerAccountId,
  createReplicationRole,
  decodePolicy,
  defaultRoleName,
  deleteReplicationRole,
  listReplicationRoles,
  rolePreview,
  type RolePreviewInput,
} from '../../main/core/replication/iam.js';
import { createTwoWay, previewTwoWay } from '../../main/core/replication/two-way.js';
import { INSTALL_MOTO, startMoto, type Moto } from '../helpers/moto.js';

/** moto's account: the one IAM GetUser names in the caller's ARN. */
const ACCOUNT = '123456789012';
const SRC = { bucket: 'photos-us', region: 'us-east-1' };
const DST = { bucket: 'photos-eu', region: 'eu-west-1' };

let moto: Moto | undefined;
let motoError: unknown;
let iam: IAMClient;
const s3 = new Map<string, S3Client>();

/** The IAM actions the app's role code uses, and the test's reads: nothing more. */
const IAM_ACTIONS = [
  'iam:CreateRole',
  'iam:GetRole',
  'iam:PutRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:DeleteRole',
  'iam:ListRoles',
  'iam:ListRolePolicies',
  'iam:GetRolePolicy',
  'iam:GetUser',
];

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

let granted = false;
/**
 * The helper's user may use S3 only. moto's reset-auth lets exactly one next request through
 * unchecked: that request grants the user the IAM actions above.
 */
async function grantIam(): Promise<void> {
  if (granted) return;
  const m = running();
  const res = await fetch(`${m.endpoint}/moto-api/reset-auth`, { method: 'POST', body: '1' });
  assert.equal(res.status, 200, await res.text());
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'replica-sync',
      PolicyName: 'replication-role-admin',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: IAM_ACTIONS, Resource: '*' }],
      }),
    }),
  );
  granted = true;
}

async function stored(
  roleName: string,
): Promise<{ trust: string; policies: Record<string, string> }> {
  const role = await iam.send(new GetRoleCommand({ RoleName: roleName }));
  const names = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }));
  const policies: Record<string, string> = {};
  for (const name of names.PolicyNames ?? []) {
    const p = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }));
    policies[name] = decodeURIComponent(p.PolicyDocument ?? '');
  }
  return { trust: decodeURIComponent(role.Role?.AssumeRolePolicyDocument ?? ''), policies };
}

test('rolePreview: trust for s3.amazonaws.com, least privilege on exactly the buckets, KMS and owner override only when asked', () => {
  const input: RolePreviewInput = { accountId: ACCOUNT, sources: [SRC], destinations: [DST] };
  const p = rolePreview(input);
  assert.equal(p.roleName, defaultRoleName([SRC], [DST]));
  assert.match(p.roleName, /^replica-sync-replication-[0-9a-f]{12}$/);
  assert.ok(p.roleName.length <= 64);
  assert.deepEqual(JSON.parse(p.trustPolicy), {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': ACCOUNT },
          ArnLike: { 'aws:SourceArn': ['arn:aws:s3:::photos-us'] },
        },
      },
    ],
  });
  assert.throws(
    () => rolePreview({ ...input, accountId: 'local' }),
    /not a 12-digit AWS account id/,
  );
  assert.deepEqual(JSON.parse(p.permissionPolicy), {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReadSourceConfiguration',
        Effect: 'Allow',
        Action: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
        Resource: ['arn:aws:s3:::photos-us'],
      },
      {
        Sid: 'ReadSourceVersions',
        Effect: 'Allow',
        Action: [
          's3:GetObjectVersionForReplication',
          's3:GetObjectVersionAcl',
          's3:GetObjectVersionTagging',
        ],
        Resource: ['arn:aws:s3:::photos-us/*'],
      },
      {
        Sid: 'WriteReplicas',
        Effect: 'Allow',
        Action: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'],
        Resource: ['arn:aws:s3:::photos-eu/*'],
      },
    ],
  });
  assert.doesNotMatch(p.permissionPolicy, /kms:|OwnerOverride/);

  const kms = rolePreview({
    ...input,
    ownerOverride: true,
    kms: {
      sourceKeyArns: ['arn:aws:kms:us-east-1:123456789012:key/src'],
      replicaKeyArns: ['arn:aws:kms:eu-west-1:123456789012:key/dst'],
    },
  });
  const statements = (JSON.parse(kms.permissionPolicy) as { Statement: { Sid: string }[] })
    .Statement;
  assert.deepEqual(
    statements.map((s) => s.Sid),
    [
      'ReadSourceConfiguration',
      'ReadSourceVersions',
      'WriteReplicas',
      'HandReplicasToDestinationOwner',
      'DecryptSourceObjects',
      'EncryptReplicas',
    ],
  );
  assert.deepEqual(statements[4], {
    Sid: 'DecryptSourceObjects',
    Effect: 'Allow',
    Action: ['kms:Decrypt'],
    Resource: ['arn:aws:kms:us-east-1:123456789012:key/src'],
    Condition: {
      StringLike: {
        'kms:ViaService': ['s3.us-east-1.amazonaws.com'],
        'kms:EncryptionContext:aws:s3:arn': ['arn:aws:s3:::photos-us/*'],
      },
    },
  });
  assert.deepEqual(statements[5], {
    Sid: 'EncryptReplicas',
    Effect: 'Allow',
    Action: ['kms:Encrypt'],
    Resource: ['arn:aws:kms:eu-west-1:123456789012:key/dst'],
    Condition: {
      StringLike: {
        'kms:ViaService': ['s3.eu-west-1.amazonaws.com'],
        'kms:EncryptionContext:aws:s3:arn': ['arn:aws:s3:::photos-eu/*'],
      },
    },
  });
  // Empty KMS lists add nothing.
  assert.equal(
    rolePreview({ ...input, kms: { sourceKeyArns: [], replicaKeyArns: [] } }).permissionPolicy,
    p.permissionPolicy,
  );
  // The same buckets in another order: the same role.
  assert.equal(
    rolePreview({ accountId: ACCOUNT, sources: [SRC, DST], destinations: [DST, SRC] }).roleName,
    rolePreview({ accountId: ACCOUNT, sources: [DST, SRC], destinations: [SRC, DST] }).roleName,
  );
  assert.throws(
    () => rolePreview({ accountId: ACCOUNT, sources: [], destinations: [DST] }),
    /at least one source/,
  );
});

test('without IAM permission the app says so and creates nothing', async () => {
  running();
  assert.equal(granted, false, 'runs before the grant');
  // GetUser is refused too, but IAM names the caller's ARN in the refusal: the account is known.
  assert.equal(await callerAccountId(iam), ACCOUNT);
  const preview = rolePreview({
    accountId: ACCOUNT,
    sources: [SRC],
    destinations: [DST],
    roleName: 'denied-role',
  });
  await assert.rejects(
    createReplicationRole(iam, preview),
    /may not create IAM role 'denied-role' \(AccessDenied\).*pick an existing role/,
  );
});

test('the created role has exactly the policies the preview showed; KMS only when asked', async () => {
  running();
  await grantIam();
  const plain = rolePreview({ accountId: ACCOUNT, sources: [SRC], destinations: [DST] });
  const made = await createReplicationRole(iam, plain);
  assert.equal(made.created, true);
  assert.equal(made.arn, `arn:aws:iam::123456789012:role/${plain.roleName}`);
  const s = await stored(plain.roleName);
  assert.equal(s.trust, plain.trustPolicy);
  assert.deepEqual(s.policies, { [ROLE_POLICY_NAME]: plain.permissionPolicy });
  assert.doesNotMatch(JSON.stringify(s.policies), /kms:/);

  const withKms = rolePreview({
    accountId: ACCOUNT,
    sources: [SRC],
    destinations: [DST],
    roleName: 'replication-with-kms',
    kms: {
      sourceKeyArns: ['arn:aws:kms:us-east-1:123456789012:key/src'],
      replicaKeyArns: ['arn:aws:kms:eu-west-1:123456789012:key/dst'],
    },
  });
  await createReplicationRole(iam, withKms);
  const k = await stored('replication-with-kms');
  assert.equal(k.trust, withKms.trustPolicy);
  assert.deepEqual(k.policies, { [ROLE_POLICY_NAME]: withKms.permissionPolicy });
  assert.match(JSON.stringify(k.policies), /kms:Decrypt.*kms:Encrypt/);
});

test('an existing role of the same name: reused with the new permissions if S3 may assume it, refused otherwise', async () => {
  running();
  await grantIam();
  const first = rolePreview({
    accountId: ACCOUNT,
    sources: [SRC],
    destinations: [DST],
    roleName: 'reused-role',
  });
  const a = await createReplicationRole(iam, first);
  const wider = rolePreview({
    accountId: ACCOUNT,
    sources: [SRC],
    destinations: [DST],
    roleName: 'reused-role',
    ownerOverride: true,
  });
  const b = await createReplicationRole(iam, wider);
  assert.deepEqual(b, { arn: a.arn, created: false });
  assert.deepEqual((await stored('reused-role')).policies, {
    [ROLE_POLICY_NAME]: wider.permissionPolicy,
  });

  await iam.send(
    new CreateRoleCommand({
      RoleName: 'ec2-role',
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
  const clash = rolePreview({
    accountId: ACCOUNT,
    sources: [SRC],
    destinations: [DST],
    roleName: 'ec2-role',
  });
  await assert.rejects(
    createReplicationRole(iam, clash),
    /'ec2-role' already exists.*trust policy differs/,
  );
  assert.deepEqual((await stored('ec2-role')).policies, {}, 'the other role was not touched');

  const roles = (await listReplicationRoles(iam)).map((r) => r.name);
  assert.ok(roles.includes('reused-role'));
  assert.ok(!roles.includes('ec2-role'), 'a role S3 may not assume is not offered');

  await deleteReplicationRole(iam, 'reused-role');
  await assert.rejects(
    iam.send(new GetRoleCommand({ RoleName: 'reused-role' })),
    /NoSuchEntity|cannot be found/,
  );
});

test('the two-way wizard on an AWS account: previews the role, creates it, both rules name it', async () => {
  running();
  await grantIam();
  const a = { bucket: 'two-way-us', region: 'us-east-1' };
  const b = { bucket: 'two-way-eu', region: 'eu-west-1' };
  await s3For(a.region).send(new CreateBucketCommand({ Bucket: a.bucket }));
  await s3For(b.region).send(
    new CreateBucketCommand({
      Bucket: b.bucket,
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
    }),
  );
  const input = {
    accountId: 'aws',
    accountKind: 'aws-keys' as const,
    clientFor: s3For,
    a,
    b,
    iam,
    createRole: true,
  };
  const preview = await previewTwoWay(input);
  assert.deepEqual(preview.checks, []);
  assert.ok(preview.role);
  assert.match(preview.steps.join('\n'), new RegExp(`Create IAM role '${preview.role.roleName}'`));
  assert.deepEqual(
    JSON.parse(preview.role.permissionPolicy),
    JSON.parse(
      rolePreview({ accountId: ACCOUNT, sources: [a, b], destinations: [b, a] }).permissionPolicy,
    ),
  );

  const done = await createTwoWay(input);
  assert.equal(done.roleCreated, true);
  assert.equal(done.role, `arn:aws:iam::123456789012:role/${preview.role.roleName}`);
  assert.equal(done.a.role, done.role);
  assert.equal(done.b.role, done.role);
  assert.equal(done.a.versioning, 'Enabled');
  assert.equal(done.b.versioning, 'Enabled');
  assert.deepEqual(
    [done.a.rules.map((r) => r.destination.bucket), done.b.rules.map((r) => r.destination.bucket)],
    [[b.bucket], [a.bucket]],
  );
  // (moto stores neither SourceSelectionCriteria nor DeleteMarkerReplication Enabled: the
  // local regions test reads those back.)
  const s = await stored(preview.role.roleName);
  assert.equal(s.trust, preview.role.trustPolicy);
  assert.deepEqual(s.policies, { [ROLE_POLICY_NAME]: preview.role.permissionPolicy });
  assert.deepEqual(decodePolicy(encodeURIComponent(s.trust)), JSON.parse(preview.role.trustPolicy));
});
