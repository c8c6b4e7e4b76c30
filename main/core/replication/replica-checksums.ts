// What "verified" means (DESIGN.md section 1): a replica is verified when the destination has
// the same version id and the same content, proven by a checksum S3 keeps with the version
// (x-amz-checksum-*, returned with ChecksumMode ENABLED) or by the rs-sha256 lineage field.
import { LINEAGE_KEYS } from '../transfer/lineage.js';

/** Checksums of one version, by S3 algorithm name: { CRC64NVME: 'base64…' }. */
export type VersionChecksums = Record<string, string>;

/** A HeadObject answer, or any object with its Checksum* fields and Metadata. */
export interface ChecksumSource {
  Metadata?: Record<string, string> | undefined;
}

/** The x-amz-checksum-* values of a HeadObject answer (needs ChecksumMode ENABLED). */
export function readChecksums(head: ChecksumSource): VersionChecksums {
  const out: VersionChecksums = {};
  for (const [field, value] of Object.entries(head as Record<string, unknown>)) {
    if (!field.startsWith('Checksum') || field === 'ChecksumType' || field === 'ChecksumMode')
      continue;
    if (typeof value === 'string' && value !== '') out[field.slice('Checksum'.length)] = value;
  }
  return out;
}

/** The rs-sha256 lineage field of a version's user metadata, lower case. */
export function readSha256(head: Pick<ChecksumSource, 'Metadata'>): string | null {
  const v = head.Metadata?.[LINEAGE_KEYS.sha256];
  return typeof v === 'string' && /^[0-9a-fA-F]{64}$/.test(v.trim())
    ? v.trim().toLowerCase()
    : null;
}

export type ChecksumVerdict =
  | { kind: 'match'; by: string }
  | { kind: 'mismatch'; by: string; expected: string; actual: string }
  /** Nothing both sides have to compare: the copy is there, its content unproven. */
  | { kind: 'unknown' };

/**
 * Compares a replica with its source: every checksum algorithm both have, and rs-sha256.
 * Any difference is a mismatch; otherwise one equal value is enough for a match.
 */
export function compareReplica(
  source: { checksums: VersionChecksums; sha256: string | null },
  replica: ChecksumSource,
): ChecksumVerdict {
  const theirs = readChecksums(replica);
  let matched: string | undefined;
  for (const [alg, expected] of Object.entries(source.checksums)) {
    const actual = theirs[alg];
    if (actual === undefined) continue;
    if (actual !== expected) return { kind: 'mismatch', by: alg, expected, actual };
    matched ??= alg;
  }
  const sha = readSha256(replica);
  if (source.sha256 !== null && sha !== null) {
    if (sha !== source.sha256)
      return { kind: 'mismatch', by: 'rs-sha256', expected: source.sha256, actual: sha };
    matched ??= 'rs-sha256';
  }
  return matched !== undefined ? { kind: 'match', by: matched } : { kind: 'unknown' };
}
