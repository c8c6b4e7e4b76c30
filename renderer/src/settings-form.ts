// The Settings form's pure parts: the editable draft, the patch it sends, and how
// ContractError issues map back onto its fields.
import type { Settings, SettingsPatch } from '../../main/contract/settings.js';
import type { Issue } from './contract-error.js';

export type SettingsField = 'deviceName' | 'startPaused' | 'uploadConcurrency';

export const SETTINGS_FIELDS: readonly SettingsField[] = [
  'deviceName',
  'startPaused',
  'uploadConcurrency',
];

export interface SettingsDraft {
  deviceName: string;
  startPaused: boolean;
  /** As typed, so a half-typed number is not lost. */
  uploadConcurrency: string;
}

export type FieldErrors = Partial<Record<SettingsField, string>>;

export function draftFromSettings(settings: Settings): SettingsDraft {
  return {
    deviceName: settings.deviceName,
    startPaused: settings.startPaused,
    uploadConcurrency: String(settings.uploadConcurrency),
  };
}

/** The changed fields, or field errors for input that cannot be sent at all. */
export function patchFromDraft(
  saved: Settings,
  draft: SettingsDraft,
): { patch: SettingsPatch; errors: FieldErrors } {
  const patch: SettingsPatch = {};
  const errors: FieldErrors = {};
  if (draft.deviceName !== saved.deviceName) patch.deviceName = draft.deviceName;
  if (draft.startPaused !== saved.startPaused) patch.startPaused = draft.startPaused;
  const text = draft.uploadConcurrency.trim();
  const concurrency = text === '' ? Number.NaN : Number(text);
  if (Number.isNaN(concurrency)) {
    errors.uploadConcurrency = 'Enter a whole number.';
  } else if (concurrency !== saved.uploadConcurrency) {
    patch.uploadConcurrency = concurrency;
  }
  return { patch, errors };
}

/** Issue paths are relative to the command's arguments, e.g. `patch.deviceName`. */
export function fieldErrorsFromIssues(issues: readonly Issue[]): {
  fields: FieldErrors;
  other: Issue[];
} {
  const fields: FieldErrors = {};
  const other: Issue[] = [];
  for (const issue of issues) {
    const field = SETTINGS_FIELDS.find(
      (name) => issue.path === name || issue.path === `patch.${name}`,
    );
    if (field) {
      fields[field] = fields[field] ? `${fields[field]} ${issue.message}` : issue.message;
    } else {
      other.push(issue);
    }
  }
  return { fields, other };
}

export function isDirty(saved: Settings, draft: SettingsDraft): boolean {
  const current = draftFromSettings(saved);
  return SETTINGS_FIELDS.some((field) => current[field] !== draft[field]);
}
