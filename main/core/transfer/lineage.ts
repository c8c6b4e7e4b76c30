// Lineage metadata (DESIGN.md section 1): every version the app writes names the device that
// wrote it, the version(s) it was edited from and the sha256 of its content. Replicas keep
// user metadata and version ids, so these three fields let the engine rebuild the version
// graph of a key across buckets and find forks without trusting clocks.

/** User-metadata keys as the SDK takes and returns them (it adds/strips `x-amz-meta-`). */
export const LINEAGE_KEYS = {
  device: 'rs-device',
  base: 'rs-base',
  sha256: 'rs-sha256',
} as const;

export const NO_BASE = 'none';

export interface Lineage {
  /** Installation id of the device that wrote the version. */
  device: string;
  /** Version ids the content was edited from: empty for a new file, several for a merge. */
  bases: string[];
  /** Hex sha256 of the content (lower case). */
  sha256: string;
}

// Same shape as the installation id in settings (contract/settings.ts).
const DEVICE = /^[a-z0-9-]{8,64}$/;
// S3 version ids are opaque URL-safe tokens (or the literal `null`); commas separate bases.
const VERSION_ID = /^[A-Za-z0-9._~+=-]{1,1024}$/;
const SHA256 = /^[0-9a-f]{64}$/;
// S3 caps all user metadata of a version (keys + values) at 2 KB.
const METADATA_LIMIT = 2048;

export function isDeviceId(value: string): boolean {
  return DEVICE.test(value);
}

export function isVersionId(value: string): boolean {
  return VERSION_ID.test(value) && value !== NO_BASE;
}

/** The metadata to send with PutObject / CreateMultipartUpload. Throws on invalid input. */
export function buildLineage(lineage: Lineage): Record<string, string> {
  if (!isDeviceId(lineage.device)) {
    throw new Error(`Invalid device id '${lineage.device}': expected 8-64 of a-z, 0-9, '-'`);
  }
  const sha256 = lineage.sha256.toLowerCase();
  if (!SHA256.test(sha256)) throw new Error(`Invalid sha256 '${lineage.sha256}'`);
  const bases = [...new Set(lineage.bases)];
  for (const b of bases) {
    if (!isVersionId(b)) throw new Error(`Invalid base version id '${b}'`);
  }
  const meta = {
    [LINEAGE_KEYS.device]: lineage.device,
    [LINEAGE_KEYS.base]: bases.length === 0 ? NO_BASE : bases.join(','),
    [LINEAGE_KEYS.sha256]: sha256,
  };
  const bytes = Object.entries(meta).reduce((n, [k, v]) => n + k.length + v.length, 0);
  if (bytes > METADATA_LIMIT) {
    throw new Error(
      `Lineage metadata is ${bytes} bytes, over S3's ${METADATA_LIMIT}-byte limit: too many merge bases (${bases.length})`,
    );
  }
  return meta;
}

/**
 * Reads lineage from a version's user metadata (SDK `Metadata`, or raw `x-amz-meta-*`
 * headers). A version written by another tool, or with malformed fields, has no lineage:
 * returns undefined and never throws.
 */
export function parseLineage(
  metadata: Record<string, string | undefined> | undefined,
): Lineage | undefined {
  if (!metadata) return undefined;
  const fields = new Map<string, string>();
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v === 'string') fields.set(k.toLowerCase().replace(/^x-amz-meta-/, ''), v.trim());
  }
  const device = fields.get(LINEAGE_KEYS.device);
  const base = fields.get(LINEAGE_KEYS.base);
  const sha256 = fields.get(LINEAGE_KEYS.sha256)?.toLowerCase();
  if (device === undefined || base === undefined || sha256 === undefined) return undefined;
  if (!isDeviceId(device) || !SHA256.test(sha256)) return undefined;
  if (base === NO_BASE) return { device, bases: [], sha256 };
  const bases = base.split(',').map((b) => b.trim());
  if (!bases.every(isVersionId)) return undefined;
  return { device, bases: [...new Set(bases)], sha256 };
}

/** True when the version merges several heads (a conflict resolution). */
export function isMerge(lineage: Lineage): boolean {
  return lineage.bases.length > 1;
}
