// The accounts the user added, without their secrets: `<data-dir>/accounts.json`, mode
// 0600, written atomically (temp file, fsync, rename). A record is written field by
// field from a list of known keys, so nothing else (a secret above all) can reach the
// file; secret access keys live in the SecretStore under the record's secretId.
import fs from 'node:fs';
import path from 'node:path';
import {
  accountProblems,
  type AwsKeysAccount,
  type AwsProfileAccount,
  type CustomAccount,
} from './account.js';

/** What the store keeps: every kind but the built-in local regions. */
export type StoredAccount = AwsProfileAccount | AwsKeysAccount | CustomAccount;

const FILE_VERSION = 1;

const FIELDS: { [K in StoredAccount['kind']]: readonly string[] } = {
  'aws-profile': ['id', 'kind', 'name', 'profile'],
  'aws-keys': ['id', 'kind', 'name', 'accessKeyId', 'secretId'],
  custom: [
    'id',
    'kind',
    'name',
    'endpoint',
    'forcePathStyle',
    'accessKeyId',
    'secretId',
    'signingRegion',
  ],
};

const TYPES: Record<string, 'string' | 'boolean'> = {
  id: 'string',
  kind: 'string',
  name: 'string',
  profile: 'string',
  accessKeyId: 'string',
  secretId: 'string',
  endpoint: 'string',
  forcePathStyle: 'boolean',
  signingRegion: 'string',
};

const OPTIONAL = new Set(['signingRegion']);

function isKind(value: unknown): value is StoredAccount['kind'] {
  return typeof value === 'string' && Object.hasOwn(FIELDS, value);
}

/** Copies only the known fields of the record's kind. */
function pick(account: StoredAccount): Record<string, unknown> {
  const source = account as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of FIELDS[account.kind]) if (source[key] !== undefined) out[key] = source[key];
  return out;
}

/** A stored record read back, or a sentence saying what is wrong with it. */
function readRecord(value: unknown, index: number): StoredAccount | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return `entry ${index + 1} is not an object`;
  const v = value as Record<string, unknown>;
  if (!isKind(v.kind)) return `entry ${index + 1} has an unknown kind ${JSON.stringify(v.kind)}`;
  const out: Record<string, unknown> = {};
  for (const key of FIELDS[v.kind]) {
    if (v[key] === undefined && OPTIONAL.has(key)) continue;
    if (typeof v[key] !== TYPES[key]) return `entry ${index + 1} has no valid ${key}`;
    out[key] = v[key];
  }
  const account = out as unknown as StoredAccount;
  const problems = accountProblems(account);
  return problems.length > 0 ? `entry ${index + 1}: ${problems.join(' ')}` : account;
}

export class AccountStore {
  constructor(readonly file: string) {}

  /** Every stored account, in the order added. Throws, naming the file, when it is damaged. */
  list(): StoredAccount[] {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new Error(`cannot read accounts ${this.file}: ${(err as Error).message}`);
    }
    const damaged = (why: string) =>
      new Error(
        `the accounts file ${this.file} is damaged (${why}); fix it or remove it and add the accounts again`,
      );
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw damaged((err as Error).message);
    }
    const accounts = (data as { accounts?: unknown } | null)?.accounts;
    if (!Array.isArray(accounts)) throw damaged('no "accounts" list');
    const version = (data as { version?: unknown }).version;
    if (typeof version === 'number' && version > FILE_VERSION)
      throw new Error(
        `the accounts file ${this.file} was written by a newer Replica Sync (version ${version}); update the app`,
      );
    return accounts.map((entry, i) => {
      const r = readRecord(entry, i);
      if (typeof r === 'string') throw damaged(r);
      return r;
    });
  }

  get(id: string): StoredAccount | undefined {
    return this.list().find((a) => a.id === id);
  }

  /** Adds the account, or replaces the one with the same id. */
  put(account: StoredAccount): void {
    const problems = accountProblems(account);
    if (problems.length > 0) throw new Error(problems.join(' '));
    const all = this.list();
    const i = all.findIndex((a) => a.id === account.id);
    if (i === -1) all.push(account);
    else all[i] = account;
    this.write(all);
  }

  /** Removes the account; false when there was none with that id. */
  remove(id: string): boolean {
    const all = this.list();
    const rest = all.filter((a) => a.id !== id);
    if (rest.length === all.length) return false;
    this.write(rest);
    return true;
  }

  private write(accounts: StoredAccount[]): void {
    const text = `${JSON.stringify({ version: FILE_VERSION, accounts: accounts.map(pick) }, null, 2)}\n`;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      // The mode given to open is reduced by the umask; the file must be 0600 whatever it is.
      fs.fchmodSync(fd, 0o600);
      fs.writeSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.renameSync(tmp, this.file);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
  }
}
