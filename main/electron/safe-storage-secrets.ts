import fs from 'node:fs';
import path from 'node:path';
import type { SecretStore } from '../core/accounts/secret-store.js';
import type { ElectronDeps } from './electron-deps.js';

/**
 * Secrets encrypted with the OS keychain through safeStorage, kept as base64 ciphertext in
 * `secrets.json` (mode 0600). Where no encryption is available (Linux without a keyring),
 * nothing is written and secrets last until quit; describe() says so.
 */
export class SafeStorageSecretStore implements SecretStore {
  private readonly memory = new Map<string, string>();
  readonly persistent: boolean;

  constructor(
    private readonly safeStorage: ElectronDeps['safeStorage'],
    private readonly file: string,
  ) {
    this.persistent = safeStorage.isEncryptionAvailable();
  }

  describe(): string {
    return this.persistent
      ? 'encrypted with the system keychain (Electron safeStorage)'
      : 'kept in memory only: this system offers no keychain to encrypt them, so they are never written to disk';
  }

  async get(id: string): Promise<string | undefined> {
    if (!this.persistent) return this.memory.get(id);
    const cipher = this.read()[id];
    return cipher === undefined
      ? undefined
      : this.safeStorage.decryptString(Buffer.from(cipher, 'base64'));
  }

  async set(id: string, value: string): Promise<void> {
    if (!this.persistent) {
      this.memory.set(id, value);
      return;
    }
    const all = this.read();
    all[id] = this.safeStorage.encryptString(value).toString('base64');
    this.write(all);
  }

  async delete(id: string): Promise<void> {
    this.memory.delete(id);
    if (!this.persistent) return;
    const all = this.read();
    delete all[id];
    this.write(all);
  }

  private read(): Record<string, string> {
    try {
      return JSON.parse(fs.readFileSync(this.file, 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  }

  private write(all: Record<string, string>): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(all), { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }
}
