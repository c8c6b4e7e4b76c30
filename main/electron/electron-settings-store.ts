import Store from 'electron-store';
import type { Settings, SettingsPatch } from '../contract/index.js';
import {
  applyPatch,
  migrateSettings,
  type SettingsStore,
} from '../core/settings/settings-store.js';

/** JSON Schema for electron-store; the contract's validator remains the authority. */
const jsonSchema = {
  version: { type: 'integer', minimum: 1 },
  deviceName: { type: 'string', minLength: 1, maxLength: 64 },
  startPaused: { type: 'boolean' },
  uploadConcurrency: { type: 'integer', minimum: 1, maximum: 16 },
  installationId: { type: 'string', pattern: '^[a-z0-9-]{8,64}$' },
  setupDone: { type: 'boolean' },
} as const;

/** Desktop settings in electron-store (userData/settings.json), migrated by our version field. */
export class ElectronSettingsStore implements SettingsStore {
  private readonly store: Store<Settings>;
  private current: Settings;

  constructor(cwd: string) {
    this.store = new Store<Settings>({
      name: 'settings',
      cwd,
      schema: jsonSchema,
      clearInvalidConfig: false,
      // Only this user may read it, whatever the umask (the data dir is 0700 too).
      configFileMode: 0o600,
    });
    this.current = migrateSettings(this.store.store);
    this.store.store = this.current;
  }

  get(): Settings {
    return this.current;
  }

  markSetupDone(): void {
    this.current = { ...this.current, setupDone: true };
    this.store.store = this.current;
  }

  update(patch: SettingsPatch): Settings {
    this.current = applyPatch(this.current, patch);
    this.store.store = this.current;
    return this.current;
  }
}
