/**
 * The embedded local regions as the engine sees them. The host starts them (core never
 * imports main/regions, which stands alone) and hands over this handle.
 */
export interface LocalRegions {
  accessKeyId: string;
  secretAccessKey: string;
  regions: { name: string; endpoint: string }[];
  /** The fault switches ("simulate outage"); absent where the regions run elsewhere. */
  setFaults?(region: string, faults: { down?: boolean }): unknown;
  getFaults?(region: string): { down: boolean };
  close(): Promise<void>;
}

export type LocalRegionsLauncher = (opts: { dataDir: string }) => Promise<LocalRegions>;
