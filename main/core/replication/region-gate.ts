// A region that fails with a transient error (503, connection refused: down or overloaded)
// is closed for a while, with its own backoff; while closed, checks that need it wait without
// a request, and when the wait is over one request probes it while the others wait for the
// answer. So an outage costs one request per backoff step, not one per file.

interface Gate {
  until: number;
  delay: number;
  probe: { promise: Promise<void>; resolve: () => void } | null;
}

export type Admission = { go: true; probe: boolean } | { go: false; until: number };

export class RegionGates {
  private readonly gates = new Map<string, Gate>();

  constructor(
    private readonly opts: { initialDelayMs: number; maxDelayMs: number; now: () => number },
  ) {}

  /** May a request to `region` go now? Waits while another request probes the region. */
  async admit(region: string): Promise<Admission> {
    for (;;) {
      const g = this.gates.get(region);
      if (!g) return { go: true, probe: false };
      if (this.opts.now() < g.until) return { go: false, until: g.until };
      if (!g.probe) {
        let resolve = (): void => undefined;
        const promise = new Promise<void>((r) => (resolve = r));
        g.probe = { promise, resolve };
        return { go: true, probe: true };
      }
      await g.probe.promise;
    }
  }

  /** The region answered. */
  opened(region: string): void {
    const g = this.gates.get(region);
    if (!g) return;
    this.gates.delete(region);
    g.probe?.resolve();
  }

  /** The region failed with a transient error; a failed probe doubles the wait. */
  failed(region: string, probe: boolean): void {
    const now = this.opts.now();
    const g = this.gates.get(region);
    if (!g) {
      this.gates.set(region, {
        until: now + this.opts.initialDelayMs,
        delay: this.opts.initialDelayMs,
        probe: null,
      });
      return;
    }
    // A request already in flight when the region closed: the gate stands as it is.
    if (!probe) return;
    g.delay = Math.min(this.opts.maxDelayMs, g.delay * 2);
    g.until = now + g.delay;
    const p = g.probe;
    g.probe = null;
    p?.resolve();
  }

  /** When the region opens again, or undefined when it is open. */
  closedUntil(region: string): number | undefined {
    return this.gates.get(region)?.until;
  }

  clear(): void {
    for (const g of this.gates.values()) g.probe?.resolve();
    this.gates.clear();
  }
}
