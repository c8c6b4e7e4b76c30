// The upload runs (the same folder through each tool into a fresh bucket, then the bucket's
// listing checked) and the regions-vs-raw small PUTs of bench/sync-engine.ts.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import {
  field,
  measureSmallPuts,
  rawTarget,
  regionsTarget,
  startServer,
} from '../regions/targets.js';
import { awsUpload } from './aws-run.js';
import {
  checkListing,
  syncDisk,
  type Ctx,
  type Measured,
  type Options,
  type Tool,
} from './common.js';
import { engineUpload } from './engine-run.js';
import { rcloneUpload } from './rclone-run.js';
import type { Results } from './report.js';

export const cpuText = (m: Measured) =>
  `CPU ${m.clientCpu.toFixed(1)} s client + ${m.serverCpu === undefined ? '?' : m.serverCpu.toFixed(1)} s server`;

/** One tool's upload of `dir` into a fresh bucket, then the bucket's listing checked. */
export async function measureTool(
  ctx: Ctx,
  tool: Tool,
  label: string,
  dir: string,
  files: number,
  bytes: number,
  problems: string[],
): Promise<{ m: Measured; bucket: string }> {
  const bucket = await ctx.buckets.fresh(`${label}-${tool}`);
  syncDisk();
  const server0 = ctx.server.cpuSeconds();
  const m =
    tool === 'engine'
      ? await engineUpload(ctx, label, dir, bucket, files, problems)
      : tool === 'rclone'
        ? await rcloneUpload(ctx, label, dir, bucket, problems)
        : await awsUpload(ctx, dir, bucket);
  const server1 = ctx.server.cpuSeconds();
  m.serverCpu = server0 !== undefined && server1 !== undefined ? server1 - server0 : undefined;
  const listing = await ctx.buckets.list(bucket);
  problems.push(...checkListing(`${tool} (${label})`, listing, files, bytes));
  return { m, bucket };
}

/** Small PUTs/s of the local regions and of the raw node:http server, each in a fresh process. */
export async function measureRegions(
  o: Options,
  work: string,
): Promise<NonNullable<Results['regions']>> {
  const body = randomBytes(o.smallBytes);
  const load = { concurrency: o.regionsConcurrency, partsInFlight: 1 };
  const rawSrv = await startServer('bench/raw-http-server.ts', ['--data', path.join(work, 'raw')]);
  const raw = rawTarget(field(rawSrv.lines, 'raw'), load);
  let rawPerS: number;
  try {
    process.stdout.write(`regions: raw node:http, ${o.regionsCount} small PUTs ... `);
    rawPerS = await measureSmallPuts(raw, o.regionsCount, o.regionsConcurrency, body);
    console.log(`${rawPerS.toFixed(0)}/s`);
  } finally {
    raw.close();
    await rawSrv.stop();
  }
  const regSrv = await startServer('main/regions/cli.ts', [
    ...['--regions', 'us-east-1', '--data', path.join(work, 'regions-put'), '--quiet'],
  ]);
  const reg = regionsTarget(
    field(regSrv.lines, 'region us-east-1'),
    [field(regSrv.lines, 'accessKeyId'), field(regSrv.lines, 'secretAccessKey')],
    load,
  );
  let regionsPerS: number;
  try {
    process.stdout.write(`regions: local regions (SDK), ${o.regionsCount} small PUTs ... `);
    regionsPerS = await measureSmallPuts(reg, o.regionsCount, o.regionsConcurrency, body);
    console.log(`${regionsPerS.toFixed(0)}/s`);
  } finally {
    reg.close();
    await regSrv.stop();
  }
  return {
    regionsPerS,
    rawPerS,
    count: o.regionsCount,
    bytes: o.smallBytes,
    inFlight: o.regionsConcurrency,
  };
}
