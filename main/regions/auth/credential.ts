// What header auth and presigned URLs both carry: the credential scope and the signing time.
import type { S3Error } from '../errors.js';
import { SERVICE } from './signing-key.js';

export interface Credential {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  terminator: string;
}

/** Either mechanism's fields, checked for shape but not yet for signature or time. */
export interface ParsedAuth {
  credential: Credential;
  amzDate: string;
  signedHeaders: string[];
  signature: string;
  payloadHash: string;
  presigned: boolean;
  expires?: number;
}

export function parseCredential(value: string): Credential | undefined {
  const parts = value.split('/');
  if (parts.length !== 5 || parts.some((p) => p === '')) return undefined;
  const [accessKeyId, date, region, service, terminator] = parts as [
    string,
    string,
    string,
    string,
    string,
  ];
  return { accessKeyId, date, region, service, terminator };
}

/** The region is left to the caller: S3 reports a wrong one with its own error. */
export function checkScope(credential: Credential, fail: (message: string) => S3Error): void {
  if (!/^\d{8}$/.test(credential.date)) {
    throw fail(`incorrect date format "${credential.date}". This date should be YYYYMMDD.`);
  }
  if (credential.service !== SERVICE) {
    throw fail(`incorrect service "${credential.service}". This endpoint belongs to "s3".`);
  }
  if (credential.terminator !== 'aws4_request') {
    throw fail(`incorrect terminal "${credential.terminator}". This endpoint uses "aws4_request".`);
  }
}

/** ISO 8601 basic (20130524T000000Z) to a Date, or undefined when malformed. */
export function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Rejects 20130231 and the like, which Date.UTC would roll over.
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    return undefined;
  }
  return date;
}
