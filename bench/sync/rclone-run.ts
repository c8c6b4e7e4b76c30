// rclone in bench/sync-engine.ts: `rclone copy DIR remote:bucket` with a temporary config and
// an environment without AWS_* / RCLONE_* variables (AWS_CA_BUNDLE would break it).
import fs from 'node:fs';
import path from 'node:path';
import {
  RCLONE,
  REGION,
  cleanEnv,
  reapedChildrenCpu,
  run,
  type Ctx,
  type Measured,
  type Server,
} from './common.js';

export const RCLONE_FLAGS = (c: number) => ['--transfers', String(c), '--checkers', String(c)];

/** Writes the rclone config for `server` into `work`; returns it and the environment to run with. */
export function rcloneSetup(
  work: string,
  server: Server,
): { rcloneConfig: string; rcloneEnv: NodeJS.ProcessEnv } {
  const rcloneConfig = path.join(work, 'rclone.conf');
  fs.writeFileSync(
    rcloneConfig,
    [
      '[bench]',
      'type = s3',
      'provider = Other',
      `endpoint = ${server.endpoint}`,
      `access_key_id = ${server.accessKeyId}`,
      `secret_access_key = ${server.secretAccessKey}`,
      `region = ${REGION}`,
      'force_path_style = true',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  // cleanEnv drops every AWS_* (AWS_CA_BUNDLE included, which rclone needs) and RCLONE_*.
  return { rcloneConfig, rcloneEnv: cleanEnv({ RCLONE_CONFIG: rcloneConfig, HOME: work }) };
}

export async function rcloneUpload(
  ctx: Ctx,
  label: string,
  dir: string,
  bucket: string,
  problems: string[],
): Promise<Measured> {
  const reaped0 = reapedChildrenCpu();
  const args = [
    '--config',
    ctx.rcloneConfig,
    'copy',
    dir,
    `bench:${bucket}`,
    ...RCLONE_FLAGS(ctx.o.concurrency),
  ];
  const r = await run(RCLONE, args, ctx.rcloneEnv);
  if (r.code !== 0) throw new Error(`rclone ${args.join(' ')} exited ${r.code}\n${r.stderr}`);
  if (/ERROR/.test(r.stderr)) problems.push(`rclone (${label}) stderr: ${r.stderr.slice(-500)}`);
  return {
    seconds: r.seconds,
    clientCpu: reapedChildrenCpu() - reaped0,
    serverCpu: undefined,
    note: 'process start-up included',
  };
}
