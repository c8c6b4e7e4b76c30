// --regions-file: use local regions another process runs (the first app instance, or
// `npm run regions`) from the regions.json they write, instead of starting our own. The
// fault switches go through their admin endpoint when the file names it.
import fs from 'node:fs';
import type { LocalRegions } from './local-regions.js';

export interface RegionsFileData {
  accessKeyId: string;
  secretAccessKey: string;
  regions: { name: string; endpoint: string }[];
  adminEndpoint?: string;
  adminToken?: string;
}

const FIX =
  'pass the regions.json that running local regions write (the first instance\'s <data-dir>/regions/regions.json, or the --data DIR of "npm run regions"), or leave --regions-file out to start this instance\'s own regions';

function isHttpUrl(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Parses and checks a regions.json; every error names the file and the fix. */
export function parseRegionsFile(text: string, file: string): RegionsFileData {
  const fail = (what: string): never => {
    throw new Error(`The regions file ${file} ${what}; ${FIX}.`);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return fail(`is not valid JSON (${(err as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return fail('does not hold a JSON object');
  const o = raw as Record<string, unknown>;
  if (typeof o.accessKeyId !== 'string' || o.accessKeyId.trim() === '')
    fail('has no "accessKeyId" (a non-empty string)');
  if (typeof o.secretAccessKey !== 'string' || o.secretAccessKey.trim() === '')
    fail('has no "secretAccessKey" (a non-empty string)');
  if (!Array.isArray(o.regions) || o.regions.length === 0)
    fail('has no "regions" (a non-empty list of { "name", "endpoint" })');
  const regions: { name: string; endpoint: string }[] = [];
  for (const [i, r] of (o.regions as unknown[]).entries()) {
    const entry = (typeof r === 'object' && r !== null ? r : {}) as Record<string, unknown>;
    if (typeof entry.name !== 'string' || !/^[a-z0-9-]+$/.test(entry.name))
      fail(`has a region without a valid "name" at regions[${i}] (such as "us-east-1")`);
    if (!isHttpUrl(entry.endpoint))
      fail(`has no http:// endpoint for regions[${i}] (such as "http://127.0.0.1:40001")`);
    const name = entry.name as string;
    if (regions.some((x) => x.name === name)) fail(`lists the region "${name}" twice`);
    regions.push({ name, endpoint: entry.endpoint as string });
  }
  const hasEndpoint = o.adminEndpoint !== undefined;
  const hasToken = o.adminToken !== undefined;
  if (hasEndpoint !== hasToken)
    fail('has only one of "adminEndpoint" and "adminToken" (give both, or neither)');
  if (hasEndpoint && !isHttpUrl(o.adminEndpoint))
    fail('has an "adminEndpoint" that is not an http:// URL');
  if (hasToken && (typeof o.adminToken !== 'string' || o.adminToken === ''))
    fail('has an "adminToken" that is not a non-empty string');
  return {
    accessKeyId: o.accessKeyId as string,
    secretAccessKey: o.secretAccessKey as string,
    regions,
    ...(hasEndpoint
      ? { adminEndpoint: o.adminEndpoint as string, adminToken: o.adminToken as string }
      : {}),
  };
}

export function readRegionsFile(file: string): RegionsFileData {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      `The regions file ${file} cannot be read (${code === 'ENOENT' ? 'it does not exist' : (err as Error).message}); ${FIX}.`,
      { cause: err },
    );
  }
  return parseRegionsFile(text, file);
}

export interface FaultState {
  down: boolean;
  [key: string]: unknown;
}

/** A tiny client of the regions' admin API (GET/PUT /faults/<region>, Bearer token). */
export class RegionsAdminClient {
  constructor(
    private readonly endpoint: string,
    private readonly token: string,
    private readonly timeoutMs = 10_000,
  ) {}

  private async request(method: 'GET' | 'PUT', p: string, body?: unknown): Promise<unknown> {
    const res = await fetch(new URL(p, this.endpoint), {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    if (!res.ok)
      throw new Error(
        `the regions' admin endpoint answered ${method} ${p} with ${res.status}: ${text.slice(0, 200)}`,
      );
    return JSON.parse(text) as unknown;
  }

  async allFaults(): Promise<Record<string, FaultState>> {
    return (await this.request('GET', '/faults')) as Record<string, FaultState>;
  }

  async setFaults(region: string, faults: Record<string, unknown>): Promise<FaultState> {
    return (await this.request(
      'PUT',
      `/faults/${encodeURIComponent(region)}`,
      faults,
    )) as FaultState;
  }
}

/**
 * The LocalRegions handle of regions run elsewhere. getFaults answers from the last known
 * state (read at start, then what setFaults sent and got back); close() leaves them running.
 */
export async function regionsFromFile(
  file: string,
  log: (line: string) => void = () => {},
): Promise<LocalRegions> {
  const data = readRegionsFile(file);
  const handle: LocalRegions = {
    accessKeyId: data.accessKeyId,
    secretAccessKey: data.secretAccessKey,
    regions: data.regions,
    close: async () => {},
  };
  if (data.adminEndpoint && data.adminToken) {
    const admin = new RegionsAdminClient(data.adminEndpoint, data.adminToken);
    const known = new Map<string, FaultState>();
    try {
      for (const [region, f] of Object.entries(await admin.allFaults())) known.set(region, f);
    } catch (err) {
      log(
        `The fault switches of the regions in ${file} could not be read: ${(err as Error).message}`,
      );
    }
    handle.getFaults = (region) => ({ down: known.get(region)?.down ?? false });
    handle.setFaults = (region, faults) => {
      const before = known.get(region);
      known.set(region, { ...(before ?? { down: false }), ...faults });
      const sent = admin.setFaults(region, faults).then(
        (next) => {
          known.set(region, next);
          return next;
        },
        (err: Error) => {
          if (before) known.set(region, before);
          else known.delete(region);
          throw err;
        },
      );
      // Callers may not await: a failure is logged, never an unhandled rejection.
      sent.catch((err: Error) => log(`Setting the faults of ${region} failed: ${err.message}`));
      return sent;
    };
  }
  return handle;
}
