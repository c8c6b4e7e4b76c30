import type { LocalRegionStatus } from '../../../main/contract/replication.js';

interface Props {
  region: LocalRegionStatus;
  busy: boolean;
  onChange: (down: boolean) => void;
}

/** A switch that takes a local region down (every request fails) or brings it back. */
export function OutageSwitch({ region, busy, onChange }: Props) {
  return (
    <li className="outage">
      <button
        type="button"
        role="switch"
        className="switch"
        aria-checked={region.down}
        aria-label={`Simulate outage in ${region.name}`}
        disabled={busy}
        onClick={() => onChange(!region.down)}
      >
        <span className="switch-track" aria-hidden="true">
          <span className="switch-thumb" />
        </span>
      </button>
      <span className="outage-name">{region.name}</span>
      <span className={region.down ? 'outage-state outage-down' : 'outage-state'}>
        {region.down ? 'Outage: every request fails' : 'Up'}
      </span>
      <span className="outage-endpoint item-path">{region.endpoint}</span>
    </li>
  );
}
