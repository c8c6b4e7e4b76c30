// `npm run regions -- --regions us-east-1,eu-west-1 --data DIR`: the local regions alone.
// Output (stable, parsed by tools): one `region NAME ENDPOINT` line per region, then
// `admin ENDPOINT`, `accessKeyId …`, `secretAccessKey …`, `adminToken …`, `data DIR`, `ready`.
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseFaults, type FaultSettings } from './faults.js';
import { startRegions } from './index.js';

const USAGE = `Usage: npm run regions -- [options]

  --regions LIST            comma-separated region names (default us-east-1,eu-west-1)
  --data DIR                data directory (default ~/.replica-sync/regions)
  --ports LIST              comma-separated ports, one per region (default: previous or free)
  --admin-port N            port of the admin endpoint (default: previous or free)
  --replication-delay MS    delay before replication starts (all regions, or REGION=MS,...)
  --replication-threshold MS  Metrics/RTC threshold (default: the rule's 15 minutes)
  --latency MS              added latency per request (all regions, or REGION=MS,...)
  --error-rate F            fraction 0..1 of requests that fail (all regions, or REGION=F,...)
  --error-code CODE         InternalError (500) or SlowDown (503)
  --down LIST               regions that start down (503 ServiceUnavailable)
  --quiet                   do not log events after "ready"
  --help                    this text`;

function fail(message: string): never {
  process.stderr.write(`regions: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function list(value: string | undefined): string[] | undefined {
  return value === undefined
    ? undefined
    : value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
}

/** `50` (every region) or `eu-west-1=50,us-east-1=0`. */
function perRegion(
  value: string | undefined,
  regions: string[],
  field: 'latencyMs' | 'errorRate' | 'replicationDelayMs',
  faults: Record<string, Partial<FaultSettings>>,
): void {
  if (value === undefined) return;
  for (const item of list(value) ?? []) {
    const eq = item.indexOf('=');
    const targets = eq < 0 ? regions : [item.slice(0, eq)];
    const n = Number(eq < 0 ? item : item.slice(eq + 1));
    for (const r of targets) {
      if (!regions.includes(r)) fail(`unknown region '${r}'`);
      faults[r] = { ...faults[r], [field]: n };
    }
  }
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        regions: { type: 'string' },
        data: { type: 'string' },
        ports: { type: 'string' },
        'admin-port': { type: 'string' },
        'replication-delay': { type: 'string' },
        'replication-threshold': { type: 'string' },
        latency: { type: 'string' },
        'error-rate': { type: 'string' },
        'error-code': { type: 'string' },
        down: { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const regions = list(args.regions) ?? ['us-east-1', 'eu-west-1'];
  const ports = list(args.ports)?.map(Number);
  if (
    ports &&
    (ports.length !== regions.length ||
      ports.some((p) => !Number.isInteger(p) || p < 0 || p > 65535))
  ) {
    fail('--ports needs one port (0-65535) per region');
  }
  const adminPort = args['admin-port'] === undefined ? undefined : Number(args['admin-port']);
  if (
    adminPort !== undefined &&
    (!Number.isInteger(adminPort) || adminPort < 0 || adminPort > 65535)
  ) {
    fail('--admin-port must be a port number');
  }
  const rawThreshold = args['replication-threshold'];
  const threshold = rawThreshold === undefined ? undefined : Number(rawThreshold);
  if (threshold !== undefined && (!Number.isFinite(threshold) || threshold < 0)) {
    fail('--replication-threshold must be a number of milliseconds');
  }
  const faults: Record<string, Partial<FaultSettings>> = {};
  perRegion(args.latency, regions, 'latencyMs', faults);
  perRegion(args['error-rate'], regions, 'errorRate', faults);
  perRegion(args['replication-delay'], regions, 'replicationDelayMs', faults);
  for (const r of list(args.down) ?? []) {
    if (!regions.includes(r)) fail(`unknown region '${r}' in --down`);
    faults[r] = { ...faults[r], down: true };
  }
  if (args['error-code'] !== undefined) {
    for (const r of regions)
      faults[r] = { ...faults[r], errorCode: args['error-code'] as FaultSettings['errorCode'] };
  }
  try {
    for (const f of Object.values(faults)) parseFaults(f);
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  const dataDir = path.resolve(args.data ?? path.join(os.homedir(), '.replica-sync', 'regions'));
  let ready = false;
  const handle = await startRegions({
    dataDir,
    regions,
    ...(ports ? { ports } : {}),
    ...(adminPort !== undefined ? { adminPort } : {}),
    ...(threshold !== undefined ? { replicationThresholdMs: threshold } : {}),
    faults,
    log: (line) => {
      if (ready && !args.quiet) process.stderr.write(`${new Date().toISOString()} ${line}\n`);
    },
  });
  const out = [
    ...handle.regions.map((r) => `region ${r.name} ${r.endpoint}`),
    `admin ${handle.adminEndpoint}`,
    `accessKeyId ${handle.accessKeyId}`,
    `secretAccessKey ${handle.secretAccessKey}`,
    `adminToken ${handle.adminToken}`,
    `data ${dataDir}`,
    'ready',
  ];
  process.stdout.write(out.join('\n') + '\n');
  ready = true;
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`regions: ${signal}, shutting down\n`);
    handle.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`regions: shutdown failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`regions: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
