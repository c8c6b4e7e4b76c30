// Identifiers: version ids (sortable by creation time, unique across regions), upload ids,
// request ids, and the fixed owner identity of the single local account.
import { createHash, randomBytes } from 'node:crypto';

let lastMs = 0;
let counter = 0;

/**
 * A new version id: 12 hex digits of milliseconds, 4 of a per-millisecond counter and 16
 * random ones. Lexicographic order is creation order within this process; the random tail
 * makes ids from different processes or regions distinct.
 */
export function newVersionId(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else {
    counter++;
    if (counter > 0xffff) {
      lastMs++;
      counter = 0;
    }
  }
  return (
    lastMs.toString(16).padStart(12, '0') +
    counter.toString(16).padStart(4, '0') +
    randomBytes(8).toString('hex')
  );
}

export function isVersionIdSyntax(id: string): boolean {
  return id === 'null' || /^[0-9a-f]{32}$/.test(id);
}

export function newUploadId(): string {
  return randomBytes(24).toString('base64url');
}

export function newRequestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

export function newHostId(): string {
  return randomBytes(32).toString('base64');
}

/**
 * The owner of a replica made under an owner override (AccessControlTranslation
 * Owner=Destination): the destination account, with a canonical id derived from its number.
 */
export function accountOwner(account: string): { ID: string; DisplayName: string } {
  return {
    ID: createHash('sha256').update(`local-regions-account:${account}`).digest('hex'),
    DisplayName: account,
  };
}

export const OWNER = {
  ID: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a',
  DisplayName: 'local-regions',
} as const;
