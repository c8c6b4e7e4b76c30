// Where account secrets live. Desktop mode keeps them encrypted with Electron's safeStorage
// (main/electron implements this interface); browser mode has no OS keychain to use, so
// its store keeps them in memory only and says so.

export interface SecretStore {
  get(id: string): Promise<string | undefined>;
  set(id: string, value: string): Promise<void>;
  delete(id: string): Promise<void>;
  /** False when secrets are forgotten at exit. */
  readonly persistent: boolean;
  /** One sentence for the settings screen: where the secrets are kept. */
  describe(): string;
}

export class MemorySecretStore implements SecretStore {
  readonly persistent = false;
  private readonly values = new Map<string, string>();

  async get(id: string): Promise<string | undefined> {
    return this.values.get(id);
  }

  async set(id: string, value: string): Promise<void> {
    this.values.set(id, value);
  }

  async delete(id: string): Promise<void> {
    this.values.delete(id);
  }

  describe(): string {
    return 'kept in memory only (browser mode has no secure storage): gone when the app exits, so enter the secret key again after a restart';
  }
}
