import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import type { AppMode, AppState } from '../../../main/contract/state.js';
import type { Settings } from '../../../main/contract/settings.js';
import { api } from '../api-instance.js';
import type { ContractError, Issue } from '../contract-error.js';
import { AccountsSection } from '../components/AccountsSection.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { FieldError } from '../components/FieldError.js';
import { LoadingNotice } from '../components/LoadingNotice.js';
import { ViewHeader } from '../components/ViewHeader.js';
import { useReconnectCount } from '../hooks/use-connection.js';
import { asContractError, isCancelled } from '../hooks/use-live-value.js';
import {
  draftFromSettings,
  fieldErrorsFromIssues,
  isDirty,
  patchFromDraft,
  type FieldErrors,
  type SettingsDraft,
} from '../settings-form.js';

interface Props {
  state: AppState | null;
  mode: AppMode;
}

export function SettingsView({ state, mode }: Props) {
  const [saved, setSaved] = useState<Settings | null>(null);
  const [draft, setDraft] = useState<SettingsDraft | null>(null);
  const [loadError, setLoadError] = useState<ContractError | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formIssues, setFormIssues] = useState<Issue[]>([]);
  const [saveError, setSaveError] = useState<ContractError | null>(null);
  const [confirmation, setConfirmation] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const reconnects = useReconnectCount();
  const id = useId();

  useEffect(() => {
    const controller = new AbortController();
    api.invoke('settings.get', {}, { signal: controller.signal }).then(
      (settings) => {
        setSaved(settings);
        setDraft(draftFromSettings(settings));
        setLoadError(null);
      },
      (failure: unknown) => {
        if (!isCancelled(failure)) setLoadError(asContractError(failure));
      },
    );
    return () => controller.abort();
  }, [reloadKey, reconnects]);

  const reload = useCallback(() => setReloadKey((key) => key + 1), []);

  const edit = (change: Partial<SettingsDraft>): void => {
    setDraft((current) => (current ? { ...current, ...change } : current));
    setConfirmation(null);
  };

  const onSubmit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    if (!saved || !draft || saving) return;
    setConfirmation(null);
    setSaveError(null);
    setFormIssues([]);
    const { patch, errors } = patchFromDraft(saved, draft);
    setFieldErrors(errors);
    if (Object.keys(errors).length > 0) return;
    setSaving(true);
    try {
      const next = await api.invoke('settings.update', { patch });
      setSaved(next);
      setDraft(draftFromSettings(next));
      setConfirmation('Settings saved.');
    } catch (failure) {
      const error = asContractError(failure);
      if (error.issues && error.issues.length > 0) {
        const { fields, other } = fieldErrorsFromIssues(error.issues);
        setFieldErrors(fields);
        setFormIssues(other);
        if (Object.keys(fields).length === 0 && other.length === 0) setSaveError(error);
      } else {
        setSaveError(error);
      }
    } finally {
      setSaving(false);
    }
  };

  const described = (field: keyof FieldErrors, hint?: string): string | undefined =>
    [fieldErrors[field] ? `${id}-${field}-error` : '', hint ?? ''].filter(Boolean).join(' ') ||
    undefined;

  return (
    <section className="view">
      <ViewHeader title="Settings" />
      {loadError ? (
        <ErrorNotice title="Could not load the settings." error={loadError} onRetry={reload} />
      ) : null}
      {saved === null || draft === null ? (
        loadError ? null : (
          <LoadingNotice label="Loading settings…" />
        )
      ) : (
        <form className="settings-form" noValidate onSubmit={(event) => void onSubmit(event)}>
          {formIssues.length > 0 ? (
            <div className="notice notice-error" role="alert">
              <p className="notice-title">The settings were not saved.</p>
              <ul>
                {formIssues.map((issue) => (
                  <li key={`${issue.path}:${issue.message}`}>
                    {issue.path ? `${issue.path}: ` : ''}
                    {issue.message}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          {saveError ? (
            <ErrorNotice title="The settings were not saved." error={saveError} />
          ) : null}

          <div className="field">
            <label htmlFor={`${id}-deviceName`}>Device name</label>
            <input
              id={`${id}-deviceName`}
              type="text"
              autoComplete="off"
              spellCheck={false}
              value={draft.deviceName}
              aria-invalid={fieldErrors.deviceName ? true : undefined}
              aria-describedby={described('deviceName', `${id}-deviceName-hint`)}
              onChange={(event) => edit({ deviceName: event.target.value })}
            />
            <p className="field-hint" id={`${id}-deviceName-hint`}>
              Shown to other devices in version history and conflict copies.
            </p>
            <FieldError id={`${id}-deviceName-error`} message={fieldErrors.deviceName} />
          </div>

          <div className="field field-check">
            <input
              id={`${id}-startPaused`}
              type="checkbox"
              checked={draft.startPaused}
              aria-invalid={fieldErrors.startPaused ? true : undefined}
              aria-describedby={described('startPaused')}
              onChange={(event) => edit({ startPaused: event.target.checked })}
            />
            <label htmlFor={`${id}-startPaused`}>Start paused</label>
            <FieldError id={`${id}-startPaused-error`} message={fieldErrors.startPaused} />
          </div>

          <div className="field">
            <label htmlFor={`${id}-uploadConcurrency`}>Upload concurrency</label>
            <input
              id={`${id}-uploadConcurrency`}
              className="input-number"
              type="number"
              inputMode="numeric"
              min={1}
              max={16}
              step={1}
              value={draft.uploadConcurrency}
              aria-invalid={fieldErrors.uploadConcurrency ? true : undefined}
              aria-describedby={described('uploadConcurrency', `${id}-uploadConcurrency-hint`)}
              onChange={(event) => edit({ uploadConcurrency: event.target.value })}
            />
            <p className="field-hint" id={`${id}-uploadConcurrency-hint`}>
              How many files upload at the same time, from 1 to 16.
            </p>
            <FieldError
              id={`${id}-uploadConcurrency-error`}
              message={fieldErrors.uploadConcurrency}
            />
          </div>

          <div className="form-actions">
            <button
              type="submit"
              className="button-primary"
              disabled={saving || !isDirty(saved, draft)}
            >
              {saving ? 'Saving…' : 'Save'}
            </button>
            <button
              type="button"
              disabled={saving || !isDirty(saved, draft)}
              onClick={() => {
                setDraft(draftFromSettings(saved));
                setFieldErrors({});
                setFormIssues([]);
                setSaveError(null);
              }}
            >
              Discard changes
            </button>
            <p className="form-confirmation" aria-live="polite">
              {confirmation}
            </p>
          </div>
        </form>
      )}

      <AccountsSection
        mode={state?.mode ?? mode}
        localRegions={state?.localRegions.map((r) => r.name) ?? []}
      />

      <dl className="facts" aria-label="About this installation">
        <div>
          <dt>Data folder</dt>
          <dd className="item-path">{state?.dataDir ?? '…'}</dd>
        </div>
        <div>
          <dt>Mode</dt>
          <dd>{(state?.mode ?? mode) === 'browser' ? 'Browser mode' : 'Desktop'}</dd>
        </div>
        {state && state.localRegions.length > 0 ? (
          <div>
            <dt>Local regions</dt>
            <dd>
              <ul className="plain-list" aria-label="Local regions">
                {state.localRegions.map((r) => (
                  <li key={r.name}>
                    {r.name} <span className="item-path">{r.endpoint}</span>
                  </li>
                ))}
              </ul>
            </dd>
          </div>
        ) : null}
        {state ? (
          <div>
            <dt>Version</dt>
            <dd>{state.version}</dd>
          </div>
        ) : null}
      </dl>
    </section>
  );
}
