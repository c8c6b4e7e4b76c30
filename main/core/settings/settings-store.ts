import os from 'node:os';
import { randomUUID } from 'node:crypto';
import {
  parse,
  settingsSchema,
  SETTINGS_VERSION,
  type Settings,
  type SettingsPatch,
} from '../../contract/index.js';

/**
 * The engine's only view of settings. Desktop mode backs it with electron-store, browser
 * mode and the CLI with a JSON file; the engine never knows which.
 */
export interface SettingsStore {
  get(): Settings;
  update(patch: SettingsPatch): Settings;
  /** Records that the first-start set-up ran (not something the renderer may set). */
  markSetupDone(): void;
}

export function defaultSettings(): Settings {
  return {
    version: SETTINGS_VERSION,
    deviceName: os.hostname() || 'This computer',
    startPaused: false,
    uploadConcurrency: 4,
    installationId: randomUUID(),
    setupDone: false,
  };
}

type Migration = (old: Record<string, unknown>) => Record<string, unknown>;

/** Index i migrates version i+1 → i+2. Stores written before versioning count as version 0. */
const migrations: Migration[] = [
  // 1 → 2: the first-start set-up is remembered; stores from version 1 had not run it.
  (old) => ({ ...old, setupDone: false }),
];

/** Brings a stored value of any earlier version up to the current one, then validates it. */
export function migrateSettings(stored: unknown): Settings {
  const base = defaultSettings();
  if (typeof stored !== 'object' || stored === null) return base;
  let value: Record<string, unknown> = { ...(stored as Record<string, unknown>) };
  let version = typeof value.version === 'number' ? value.version : 0;
  if (version > SETTINGS_VERSION)
    throw new Error(
      `settings were written by a newer Replica Sync (version ${version}); update the app or remove the settings file`,
    );
  for (; version < SETTINGS_VERSION; version++) {
    const step = migrations[version - 1];
    if (step) value = step(value);
  }
  const merged = { ...base, ...value, version: SETTINGS_VERSION };
  const known: Record<string, unknown> = {};
  for (const key of Object.keys(base))
    if (key in merged) known[key] = merged[key as keyof typeof merged];
  return parse(settingsSchema, known);
}

export function applyPatch(current: Settings, patch: SettingsPatch): Settings {
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) if (value !== undefined) next[key] = value;
  return parse(settingsSchema, next);
}

/** Settings that live only as long as the process (tests, one-shot tools). */
export class MemorySettingsStore implements SettingsStore {
  private current: Settings;

  constructor(initial: Partial<Settings> = {}) {
    this.current = applyPatch({ ...defaultSettings(), ...initial }, {});
  }

  get(): Settings {
    return this.current;
  }

  update(patch: SettingsPatch): Settings {
    this.current = applyPatch(this.current, patch);
    return this.current;
  }

  markSetupDone(): void {
    this.current = { ...this.current, setupDone: true };
  }
}
