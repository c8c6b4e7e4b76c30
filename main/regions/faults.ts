// Fault switches per region: added latency, a fraction of failing requests, a region outage,
// and the delay before versions written in the region are replicated.

export interface FaultSettings {
  /** Milliseconds added before every request of the region is handled. */
  latencyMs: number;
  /** Fraction (0..1) of requests answered with `errorCode` instead of being handled. */
  errorRate: number;
  /** The error those requests get: 500 InternalError or 503 SlowDown. */
  errorCode: 'InternalError' | 'SlowDown';
  /** Region outage: every request gets 503 ServiceUnavailable; inbound replication waits. */
  down: boolean;
  /** Milliseconds between a write in this region and the start of its replication. */
  replicationDelayMs: number;
}

export const DEFAULT_FAULTS: FaultSettings = {
  latencyMs: 0,
  errorRate: 0,
  errorCode: 'InternalError',
  down: false,
  replicationDelayMs: 0,
};

/** Checks an untrusted partial settings object (admin endpoint, CLI); throws Error with a reason. */
export function parseFaults(input: unknown): Partial<FaultSettings> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new Error('fault settings must be a JSON object');
  }
  const out: Partial<FaultSettings> = {};
  for (const [name, value] of Object.entries(input as Record<string, unknown>)) {
    switch (name) {
      case 'latencyMs':
      case 'replicationDelayMs':
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 600_000) {
          throw new Error(`${name} must be a number of milliseconds between 0 and 600000`);
        }
        out[name] = value;
        break;
      case 'errorRate':
        if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
          throw new Error('errorRate must be a number between 0 and 1');
        }
        out.errorRate = value;
        break;
      case 'errorCode':
        if (value !== 'InternalError' && value !== 'SlowDown') {
          throw new Error("errorCode must be 'InternalError' or 'SlowDown'");
        }
        out.errorCode = value;
        break;
      case 'down':
        if (typeof value !== 'boolean') throw new Error('down must be true or false');
        out.down = value;
        break;
      default:
        throw new Error(`unknown fault setting '${name}'`);
    }
  }
  return out;
}

export class Faults {
  private readonly settings = new Map<string, FaultSettings>();
  private readonly listeners: ((region: string, s: FaultSettings) => void)[] = [];

  constructor(regions: readonly string[], defaults: Partial<FaultSettings> = {}) {
    for (const r of regions) this.settings.set(r, { ...DEFAULT_FAULTS, ...defaults });
  }

  has(region: string): boolean {
    return this.settings.has(region);
  }

  get(region: string): FaultSettings {
    const s = this.settings.get(region);
    if (!s) throw new Error(`unknown region '${region}'`);
    return s;
  }

  set(region: string, partial: Partial<FaultSettings>): FaultSettings {
    const next = { ...this.get(region), ...parseFaults(partial) };
    this.settings.set(region, next);
    for (const l of this.listeners) l(region, next);
    return next;
  }

  all(): Record<string, FaultSettings> {
    return Object.fromEntries(this.settings);
  }

  onChange(listener: (region: string, s: FaultSettings) => void): void {
    this.listeners.push(listener);
  }

  isDown(region: string): boolean {
    return this.settings.get(region)?.down ?? false;
  }
}
