// The AWS CLI in bench/sync-engine.ts: `aws s3 sync DIR s3://bucket` with temporary config
// files, s3.max_concurrent_requests = --concurrency, and no AWS_* variables of the caller.
import fs from 'node:fs';
import path from 'node:path';
import {
  AWS,
  REGION,
  cleanEnv,
  reapedChildrenCpu,
  run,
  type Ctx,
  type Measured,
  type Server,
} from './common.js';

/** Writes the AWS CLI config for `server` into `work`; returns the environment to run with. */
export function awsSetup(work: string, server: Server, concurrency: number): NodeJS.ProcessEnv {
  const awsConfig = path.join(work, 'aws-config');
  const awsCredentials = path.join(work, 'aws-credentials');
  fs.writeFileSync(
    awsConfig,
    [
      '[default]',
      `region = ${REGION}`,
      'output = json',
      's3 =',
      `  max_concurrent_requests = ${concurrency}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  fs.writeFileSync(awsCredentials, '', { mode: 0o600 });
  return cleanEnv({
    AWS_CONFIG_FILE: awsConfig,
    AWS_SHARED_CREDENTIALS_FILE: awsCredentials,
    AWS_ACCESS_KEY_ID: server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    AWS_DEFAULT_REGION: REGION,
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
    HOME: work,
  });
}

export async function awsUpload(ctx: Ctx, dir: string, bucket: string): Promise<Measured> {
  const reaped0 = reapedChildrenCpu();
  const args = [
    's3',
    'sync',
    dir,
    `s3://${bucket}`,
    '--endpoint-url',
    ctx.server.endpoint,
    '--region',
    REGION,
    '--only-show-errors',
    '--no-progress',
  ];
  const r = await run(AWS, args, ctx.awsEnv);
  if (r.code !== 0) throw new Error(`aws ${args.join(' ')} exited ${r.code}\n${r.stderr}`);
  return {
    seconds: r.seconds,
    clientCpu: reapedChildrenCpu() - reaped0,
    serverCpu: undefined,
    note: 'process start-up included',
  };
}
