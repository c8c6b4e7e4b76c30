// The running local regions as the engine's services see them: endpoints, credentials and the
// fault switches ("simulate outage"). The app starts them; services only use this handle.
export interface LocalRegions {
  accessKeyId: string;
  secretAccessKey: string;
  regions: { name: string; endpoint: string }[];
  /** The fault switches ("simulate outage"); absent where the regions run elsewhere. */
  setFaults?(region: string, faults: { down?: boolean }): unknown;
  getFaults?(region: string): { down: boolean };
  close(): Promise<void>;
}
