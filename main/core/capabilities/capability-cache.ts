// Probe results per (endpoint, bucket) in a JSON file, so a service is not probed at every
// start. The file is rewritten whole through a temp file and a rename: a crash leaves the
// old file or the new one, never half of one. A corrupt file is a cache miss, not an error.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ServiceCapabilities } from '../../contract/capabilities.js';

export const DEFAULT_CAPABILITY_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

interface CacheFile {
  version: 1;
  entries: ServiceCapabilities[];
}

function keyOf(endpoint: string, bucket: string): string {
  return JSON.stringify([endpoint, bucket]);
}

/** Enough of the shape to use it; anything else in the file is dropped. */
function looksLikeCapabilities(v: unknown): v is ServiceCapabilities {
  const c = v as Partial<ServiceCapabilities> | null;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.endpoint === 'string' &&
    typeof c.bucket === 'string' &&
    typeof c.probedAt === 'number' &&
    typeof c.checksums === 'object' &&
    c.checksums !== null &&
    typeof c.replicationApi === 'object' &&
    c.replicationApi !== null &&
    Array.isArray(c.summary)
  );
}

export class CapabilityCache {
  private readonly entries = new Map<string, ServiceCapabilities>();

  constructor(
    private readonly file: string,
    private readonly log: (line: string) => void = () => {},
  ) {
    this.load();
  }

  get(endpoint: string, bucket: string): ServiceCapabilities | undefined {
    return this.entries.get(keyOf(endpoint, bucket));
  }

  set(c: ServiceCapabilities): void {
    this.entries.set(keyOf(c.endpoint, c.bucket), c);
    this.write();
  }

  forget(endpoint: string, bucket: string): void {
    if (this.entries.delete(keyOf(endpoint, bucket))) this.write();
  }

  /** Probed at most `maxAgeMs` ago; a probe time in the future (clock moved back) is stale. */
  isFresh(
    c: ServiceCapabilities,
    now: number = Date.now(),
    maxAgeMs: number = DEFAULT_CAPABILITY_MAX_AGE_MS,
  ): boolean {
    return c.probedAt <= now && now - c.probedAt < maxAgeMs;
  }

  private load(): void {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        this.log(
          `capability cache ${this.file}: cannot read (${(err as Error).message}); starting empty`,
        );
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      this.log(
        `capability cache ${this.file} is corrupt (${(err as Error).message}); starting empty`,
      );
      return;
    }
    const entries = (parsed as Partial<CacheFile> | null)?.entries;
    if (!Array.isArray(entries)) {
      this.log(`capability cache ${this.file} is corrupt (no entries); starting empty`);
      return;
    }
    for (const e of entries) {
      if (looksLikeCapabilities(e)) this.entries.set(keyOf(e.endpoint, e.bucket), e);
      else this.log(`capability cache ${this.file}: dropped an entry that is not a probe result`);
    }
  }

  private write(): void {
    const data: CacheFile = { version: 1, entries: [...this.entries.values()] };
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      fs.writeFileSync(tmp, JSON.stringify(data, null, 2), { mode: 0o600 });
      // The mode of a create is masked by the umask; the cache names endpoints and buckets.
      fs.chmodSync(tmp, 0o600);
      fs.renameSync(tmp, this.file);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
  }
}
