/**
 * The embedded local regions as the engine sees them. The host starts them (core never
 * imports main/regions, which stands alone) and hands over this handle.
 */
import type { LocalRegions } from '../regions-handle.js';

export type { LocalRegions } from '../regions-handle.js';

export type LocalRegionsLauncher = (opts: { dataDir: string }) => Promise<LocalRegions>;
