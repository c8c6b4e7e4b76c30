import { useId, useState } from 'react';
import { api } from '../api-instance.js';
import { errorMessage } from '../contract-error.js';
import { useLocalRegions } from '../hooks/use-local-regions.js';
import { ErrorNotice } from './ErrorNotice.js';
import { LoadingNotice } from './LoadingNotice.js';
import { OutageSwitch } from './OutageSwitch.js';

/** The local regions with a "Simulate outage" switch each (regions.list / regions.setOutage). */
export function LocalRegionsPanel() {
  const regions = useLocalRegions();
  const [busy, setBusy] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const headingId = useId();

  const setOutage = async (region: string, down: boolean): Promise<void> => {
    setBusy(region);
    setFailure(null);
    try {
      regions.replace(await api.invoke('regions.setOutage', { region, down }));
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setBusy(null);
    }
  };

  if (regions.value !== null && regions.value.length === 0) return null;
  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>Local regions</h2>
      <p className="field-hint">
        Take a region down to see what an outage does: uploads to it wait and retry, replicas stay
        pending, and everything catches up once it is back.
      </p>
      {regions.error ? (
        <ErrorNotice
          title="Could not read the local regions."
          error={regions.error}
          onRetry={regions.reload}
        />
      ) : null}
      {regions.value === null ? (
        regions.error ? null : (
          <LoadingNotice label="Loading the local regions…" />
        )
      ) : (
        <ul className="plain-list outage-list" aria-label="Outage switches">
          {regions.value.map((region) => (
            <OutageSwitch
              key={region.name}
              region={region}
              busy={busy === region.name}
              onChange={(down) => void setOutage(region.name, down)}
            />
          ))}
        </ul>
      )}
      {failure ? (
        <p className="field-error" role="alert">
          {failure}
        </p>
      ) : null}
    </section>
  );
}
