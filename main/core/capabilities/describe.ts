// The probe's findings in words a user understands, one sentence per finding, each saying
// what Replica Sync does about it.
import {
  CHECKSUM_PREFERENCE,
  type Honoured,
  type ServiceCapabilities,
} from '../../contract/capabilities.js';

/** "A", "A and B", "A, B and C". */
export function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

type Measured = Omit<ServiceCapabilities, 'summary'>;

function conditionalWrites(c: Measured): string {
  const parts: [Honoured, string][] = [
    [c.ifMatchAccepted, 'an edit with the current ETag was refused'],
    [c.ifMatchEnforced, 'an edit with a stale ETag was stored'],
    [c.ifNoneMatchEnforced, 'a new file over an existing one was stored'],
    [c.completeIfNoneMatchEnforced, 'a large upload over an existing file was stored'],
  ];
  if (parts.every(([h]) => h === 'yes'))
    return 'Conditional writes: honoured (an edit made elsewhere at the same time is refused and shown as a conflict).';
  const failed = parts.filter(([h]) => h === 'no').map(([, why]) => why);
  if (failed.length > 0)
    return `Conditional writes: not honoured by this service (${joinWords(failed)}); Replica Sync writes without them and checks the key's versions right after each upload.`;
  return "Conditional writes: could not be measured; Replica Sync writes without them and checks the key's versions right after each upload.";
}

function conditionalDeletes(h: Honoured): string {
  switch (h) {
    case 'yes':
      return 'Conditional deletes: honoured (a delete is refused when the file was changed elsewhere).';
    case 'no':
      return 'Conditional deletes: not honoured by this service (a delete goes through even when the file was changed elsewhere).';
    default:
      return 'Conditional deletes: could not be measured.';
  }
}

function checksums(c: Measured): string[] {
  const verified = CHECKSUM_PREFERENCE.filter((a) => c.checksums[a] === 'yes');
  const unknown = CHECKSUM_PREFERENCE.filter((a) => c.checksums[a] === 'unknown');
  const out =
    verified.length > 0
      ? [
          `Checksums verified by the service: ${joinWords(verified)}; Replica Sync sends ${verified[0]} with each upload.`,
        ]
      : ['No checksum is verified by this service; Replica Sync verifies each upload itself.'];
  if (unknown.length > 0) out.push(`Checksums that could not be measured: ${joinWords(unknown)}.`);
  return out;
}

function contentMd5(h: Honoured): string {
  switch (h) {
    case 'yes':
      return 'Content-MD5: verified by the service (a damaged upload is refused).';
    case 'no':
      return 'Content-MD5: not verified by this service.';
    default:
      return 'Content-MD5: could not be measured.';
  }
}

function replication(r: Measured['replicationApi']): string {
  switch (r.state) {
    case 'round-trips':
      return 'Replication rules: this service gives a rule back exactly as it was set.';
    case 'drops-fields':
      return `Replication rules: this service dropped ${joinWords(r.dropped)} when the rule was read back; a rule set here may not do what it says.`;
    case 'unsupported':
      return `Replication rules: this service does not support the replication API (${r.detail}).`;
    default:
      return `Replication rules: not measured (${r.detail}).`;
  }
}

export function describeCapabilities(c: Omit<ServiceCapabilities, 'summary'>): string[] {
  return [
    conditionalWrites(c),
    conditionalDeletes(c.deleteIfMatchEnforced),
    ...checksums(c),
    contentMd5(c.contentMd5Enforced),
    replication(c.replicationApi),
  ];
}
