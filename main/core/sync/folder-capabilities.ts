// Each folder's service is measured before the folder writes (DESIGN.md section 8): the
// probe's result is cached per endpoint and bucket, re-measured when stale or asked, and
// turned into the folder's write strategy. Nothing is assumed while unmeasured.
import type { S3Client } from '@aws-sdk/client-s3';
import { conditionalWritesProven, type ServiceCapabilities } from '../../contract/index.js';
import type { Account } from '../accounts/account.js';
import { CapabilityCache } from '../capabilities/capability-cache.js';
import { probeCapabilities, type ProbeOptions } from '../capabilities/probe.js';
import { UNPROVEN_STRATEGY, type WriteStrategy } from '../transfer/upload-common.js';
import type { FolderConfig } from './folder-types.js';

/** Where requests for an account in a region go: the cache's key with the bucket. */
export function endpointOf(account: Account, region: string): string {
  switch (account.kind) {
    case 'local':
      return account.endpoints[region] ?? `local:${region}`;
    case 'custom':
      return account.endpoint;
    default:
      return `aws:${region}`;
  }
}

/** The write strategy a service's measured capabilities allow. */
export function strategyFor(c: ServiceCapabilities | undefined): WriteStrategy {
  if (!c) return UNPROVEN_STRATEGY;
  return {
    conditional: conditionalWritesProven(c),
    integrity:
      c.checksums.CRC64NVME === 'yes'
        ? 'crc64nvme'
        : c.contentMd5Enforced === 'yes'
          ? 'content-md5'
          : 'self',
  };
}

export interface FolderCapabilitiesOptions {
  cacheFile: string;
  device: string;
  log: (line: string) => void;
  /** The probe (tests give a slower or failing one). */
  probe?: (o: ProbeOptions) => Promise<ServiceCapabilities>;
  /** A probe that takes longer leaves the folder on the unproven strategy meanwhile. */
  timeoutMs?: number;
}

export class FolderCapabilities {
  private readonly cache: CapabilityCache;
  private readonly running = new Map<string, Promise<ServiceCapabilities | undefined>>();

  constructor(private readonly o: FolderCapabilitiesOptions) {
    this.cache = new CapabilityCache(o.cacheFile, o.log);
  }

  /** The cached result when fresh, else a new probe (one at a time per endpoint + bucket). */
  async ensure(
    folder: FolderConfig,
    account: Account,
    client: S3Client,
    opts: { force?: boolean } = {},
  ): Promise<ServiceCapabilities | undefined> {
    const endpoint = endpointOf(account, folder.region);
    const cached = this.cache.get(endpoint, folder.bucket);
    if (!opts.force && cached && this.cache.isFresh(cached)) return cached;
    const id = `${endpoint}\u0000${folder.bucket}`;
    let run = this.running.get(id);
    if (!run) {
      run = this.measure(folder, endpoint, client, cached);
      this.running.set(id, run);
      void run.finally(() => this.running.delete(id));
    }
    return run;
  }

  private async measure(
    folder: FolderConfig,
    endpoint: string,
    client: S3Client,
    cached: ServiceCapabilities | undefined,
  ): Promise<ServiceCapabilities | undefined> {
    const signal = AbortSignal.timeout(this.o.timeoutMs ?? 60_000);
    try {
      const c = await (this.o.probe ?? probeCapabilities)({
        client,
        endpoint,
        bucket: folder.bucket,
        prefix: folder.prefix,
        device: this.o.device,
        region: folder.region,
        signal,
        log: this.o.log,
      });
      this.cache.set(c);
      return c;
    } catch (err) {
      // Unreachable now: the last measurement stands in; without one nothing is assumed.
      this.o.log(
        `Could not measure what ${endpoint} honours for bucket ${folder.bucket}: ${(err as Error).message}`,
      );
      return cached;
    }
  }
}
