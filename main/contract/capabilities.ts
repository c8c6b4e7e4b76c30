// What an S3 service was measured to honour, per endpoint and bucket (DESIGN.md section 8).
// The probe fills it; the uploader picks its strategy from it; the UI shows it in words.

/** One header or API behaviour: proven, proven not to hold, or not measurable here. */
export type Honoured = 'yes' | 'no' | 'unknown';

export type ChecksumAlgorithm = 'CRC64NVME' | 'CRC32' | 'CRC32C' | 'SHA1' | 'SHA256';

/** Strongest first: the uploader sends the first one the service verifies. */
export const CHECKSUM_PREFERENCE: readonly ChecksumAlgorithm[] = [
  'CRC64NVME',
  'CRC32C',
  'CRC32',
  'SHA256',
  'SHA1',
];

export interface ServiceCapabilities {
  /** Epoch ms of the probe. */
  probedAt: number;
  endpoint: string;
  bucket: string;
  /** PUT with the current ETag in If-Match succeeds. */
  ifMatchAccepted: Honoured;
  /** PUT with a wrong ETag in If-Match is refused (412). */
  ifMatchEnforced: Honoured;
  /** PUT with If-None-Match: * on an existing key of a versioned bucket is refused. */
  ifNoneMatchEnforced: Honoured;
  /** CompleteMultipartUpload with If-None-Match: * on an existing key is refused. */
  completeIfNoneMatchEnforced: Honoured;
  /** DeleteObject with a wrong If-Match is refused. */
  deleteIfMatchEnforced: Honoured;
  /** Per algorithm: a deliberately wrong value is refused ('yes') or stored ('no'). */
  checksums: Record<ChecksumAlgorithm, Honoured>;
  /** A wrong Content-MD5 is refused. */
  contentMd5Enforced: Honoured;
  /** Replication API round-trip on a scratch bucket. */
  replicationApi: {
    state: 'round-trips' | 'drops-fields' | 'unsupported' | 'not-probed';
    /** Fields of the rule the service did not give back. */
    dropped: string[];
    /** Why it was not probed, or what the service answered. */
    detail: string;
  };
  /** Sentences a user understands, one per finding. */
  summary: string[];
}

/** Conditional writes are proven for every write the uploader makes (PUT edit, PUT new, complete). */
export function conditionalWritesProven(c: ServiceCapabilities | undefined): boolean {
  return (
    c !== undefined &&
    c.ifMatchAccepted === 'yes' &&
    c.ifMatchEnforced === 'yes' &&
    c.ifNoneMatchEnforced === 'yes' &&
    c.completeIfNoneMatchEnforced === 'yes'
  );
}

/** The strongest checksum the service proved to verify, or undefined when it verifies none. */
export function strongestVerifiedChecksum(
  c: ServiceCapabilities | undefined,
): ChecksumAlgorithm | undefined {
  if (!c) return undefined;
  return CHECKSUM_PREFERENCE.find((a) => c.checksums[a] === 'yes');
}
