// The ways a user reaches S3. Secrets never sit in these records: an access-key account
// names its secret in the SecretStore, so the records can be saved in plain settings.
import { credentialProblem } from '../../contract/credentials.js';

interface AccountBase {
  id: string;
  /** What the user calls it ("Work AWS", "Local regions"). */
  name: string;
}

/** The embedded local regions; its random credentials come from the running regions. */
export interface LocalAccount extends AccountBase {
  kind: 'local';
  /** Region name → endpoint (http://127.0.0.1:PORT). */
  endpoints: Record<string, string>;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** A profile of ~/.aws/config: static keys, SSO, assume-role, credential_process… */
export interface AwsProfileAccount extends AccountBase {
  kind: 'aws-profile';
  profile: string;
}

export interface AwsKeysAccount extends AccountBase {
  kind: 'aws-keys';
  accessKeyId: string;
  /** Id of the secret access key in the SecretStore. */
  secretId: string;
}

/** Any S3-compatible service (MinIO, Ceph, Wasabi…). */
export interface CustomAccount extends AccountBase {
  kind: 'custom';
  endpoint: string;
  /** Bucket in the path (http://host/bucket/key) instead of the host name. */
  forcePathStyle: boolean;
  accessKeyId: string;
  secretId: string;
  /** Signing region when the service wants a specific one; default us-east-1. */
  signingRegion?: string;
}

export type Account = LocalAccount | AwsProfileAccount | AwsKeysAccount | CustomAccount;

const PROFILE = /^[A-Za-z0-9_.@+-]{1,64}$/;

function httpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return (
      (u.protocol === 'http:' || u.protocol === 'https:') && u.username === '' && u.search === ''
    );
  } catch {
    return false;
  }
}

// The same rule as the accounts.* commands: any key a service issues, nothing a header cannot carry.
function keyProblem(out: string[], accessKeyId: string): void {
  const problem = credentialProblem('accessKeyId', accessKeyId);
  if (problem !== undefined) out.push(problem);
}

/** Problems with an account record, as sentences naming the field; empty when valid. */
export function accountProblems(a: Account): string[] {
  const out: string[] = [];
  if (a.id.trim() === '') out.push('The account needs an id.');
  if (a.name.trim() === '') out.push('Give the account a name.');
  switch (a.kind) {
    case 'local':
      if (Object.keys(a.endpoints).length === 0) out.push('The local regions list no region.');
      for (const [region, url] of Object.entries(a.endpoints)) {
        if (!httpUrl(url))
          out.push(`The endpoint of local region ${region} is not an http(s) URL.`);
      }
      break;
    case 'aws-profile':
      if (!PROFILE.test(a.profile)) out.push(`'${a.profile}' is not a valid AWS profile name.`);
      break;
    case 'aws-keys':
      keyProblem(out, a.accessKeyId);
      if (a.secretId === '') out.push('The secret access key is missing.');
      break;
    case 'custom':
      if (!httpUrl(a.endpoint)) out.push(`The endpoint '${a.endpoint}' is not an http(s) URL.`);
      keyProblem(out, a.accessKeyId);
      if (a.secretId === '') out.push('The secret access key is missing.');
      break;
  }
  return out;
}

/** A short description for lists and messages. */
export function describeAccount(a: Account): string {
  switch (a.kind) {
    case 'local':
      return `${a.name} (local regions: ${Object.keys(a.endpoints).join(', ')})`;
    case 'aws-profile':
      return `${a.name} (AWS profile '${a.profile}')`;
    case 'aws-keys':
      return `${a.name} (AWS access key ${a.accessKeyId.slice(0, 4)}…${a.accessKeyId.slice(-4)})`;
    case 'custom':
      return `${a.name} (${a.endpoint})`;
  }
}
