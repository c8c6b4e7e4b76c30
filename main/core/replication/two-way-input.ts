// The two-way wizard's input for one account: its clients, its bucket locator and, on AWS, an
// IAM client with the same credentials (it names the account in the role's trust policy and
// creates the role when asked).
import { IAMClient } from '@aws-sdk/client-iam';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Account } from '../accounts/account.js';
import type { RegionPolicy } from './bucket-places.js';
import type { TwoWayInput } from './two-way.js';

export interface TwoWayArgs {
  accountId: string;
  a: { bucket: string; region: string };
  b: { bucket: string; region: string };
  role?: string | undefined;
  createRole?: boolean;
}

/** IAM is global; it signs with the same credentials as the account's S3 client. */
export function iamClientFor(clientFor: (region: string) => S3Client): IAMClient {
  return new IAMClient({
    region: 'us-east-1',
    credentials: clientFor('us-east-1').config.credentials,
  });
}

export function twoWayInputFor(
  account: Account,
  args: TwoWayArgs,
  o: { clientFor(region: string): S3Client; policy: RegionPolicy },
): TwoWayInput {
  const aws = account.kind === 'aws-profile' || account.kind === 'aws-keys';
  return {
    accountId: account.id,
    accountKind: account.kind,
    clientFor: o.clientFor,
    policy: o.policy,
    a: args.a,
    b: args.b,
    ...(args.role !== undefined ? { role: args.role } : {}),
    ...(args.createRole !== undefined ? { createRole: args.createRole } : {}),
    ...(aws && args.role === undefined ? { iam: iamClientFor(o.clientFor) } : {}),
  };
}
