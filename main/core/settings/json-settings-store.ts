import fs from 'node:fs';
import path from 'node:path';
import type { Settings, SettingsPatch } from '../../contract/index.js';
import { mkdirPrivate, makePrivate, PRIVATE_FILE_MODE } from '../paths.js';
import { applyPatch, migrateSettings, type SettingsStore } from './settings-store.js';

/** Settings in a JSON file, written atomically; used by browser mode and the CLI. */
export class JsonSettingsStore implements SettingsStore {
  private current: Settings;

  constructor(private readonly file: string) {
    let stored: unknown;
    try {
      stored = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new Error(
          `cannot read settings ${file}: ${(err as Error).message}; fix or remove the file`,
        );
    }
    this.current = migrateSettings(stored);
    this.write();
  }

  get(): Settings {
    return this.current;
  }

  markSetupDone(): void {
    this.current = { ...this.current, setupDone: true };
    this.write();
  }

  update(patch: SettingsPatch): Settings {
    this.current = applyPatch(this.current, patch);
    this.write();
    return this.current;
  }

  private write(): void {
    mkdirPrivate(path.dirname(this.file));
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.current, null, 2), { mode: PRIVATE_FILE_MODE });
    makePrivate(tmp);
    fs.renameSync(tmp, this.file);
  }
}
