import { boolean, number, object, optional, string, type Infer } from './schema.js';

/** Bumped when the stored shape changes; core migrates older stores forward. */
export const SETTINGS_VERSION = 2;

export const settingsSchema = object({
  version: number({ integer: true, min: 1 }),
  deviceName: string({ min: 1, max: 64 }),
  startPaused: boolean(),
  uploadConcurrency: number({ integer: true, min: 1, max: 16 }),
  installationId: optional(string({ pattern: /^[a-z0-9-]{8,64}$/ })),
  /** The no-account first-start set-up (local buckets and folder) has run. */
  setupDone: boolean(),
});

export type Settings = Infer<typeof settingsSchema>;

/** What the renderer may change; identity fields are not in it. */
export const settingsPatchSchema = object({
  deviceName: optional(string({ min: 1, max: 64 })),
  startPaused: optional(boolean()),
  uploadConcurrency: optional(number({ integer: true, min: 1, max: 16 })),
});

export type SettingsPatch = Infer<typeof settingsPatchSchema>;
