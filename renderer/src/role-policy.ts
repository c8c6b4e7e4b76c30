// The IAM role S3 assumes to replicate a bucket on AWS: its trust policy and a
// least-privilege permission policy for the source and destination buckets, as the S3 user
// guide writes them. Shown before a rule is saved, so the user can create the role (or check
// the one they name). Pure, so it runs under Node for the unit tests.
import type { ReplicationRuleModel, RolePreview } from '../../main/contract/replication.js';

const ROLE_NAME_MAX = 64;

export function replicationRoleName(sourceBucket: string): string {
  return `replica-sync-replication-${sourceBucket}`.slice(0, ROLE_NAME_MAX).replace(/[.-]+$/, '');
}

export function rolePreviewFor(
  sourceBucket: string,
  rules: readonly ReplicationRuleModel[],
): RolePreview {
  const destinations = [...new Set(rules.map((r) => r.destination.bucket))].sort();
  const ownerOverride = rules.some((r) => r.destination.ownerOverride);
  const trust = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'sts:AssumeRole',
      },
    ],
  };
  const replicate = ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'];
  if (ownerOverride) replicate.push('s3:ObjectOwnerOverrideToBucketOwner');
  const permission = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
        Resource: [`arn:aws:s3:::${sourceBucket}`],
      },
      {
        Effect: 'Allow',
        Action: [
          's3:GetObjectVersionForReplication',
          's3:GetObjectVersionAcl',
          's3:GetObjectVersionTagging',
        ],
        Resource: [`arn:aws:s3:::${sourceBucket}/*`],
      },
      ...(destinations.length > 0
        ? [
            {
              Effect: 'Allow',
              Action: replicate,
              Resource: destinations.map((b) => `arn:aws:s3:::${b}/*`),
            },
          ]
        : []),
    ],
  };
  return {
    roleName: replicationRoleName(sourceBucket),
    trustPolicy: JSON.stringify(trust, null, 2),
    permissionPolicy: JSON.stringify(permission, null, 2),
  };
}
