import { useEffect, useState } from 'react';
import type { AppMode, AppState, AppStatus } from '../../../main/contract/state.js';
import { api } from '../api-instance.js';
import type { ContractError } from '../contract-error.js';
import { errorMessage } from '../contract-error.js';
import type { ConnectionStatus } from '../ws-bridge.js';

interface Props {
  state: AppState | null;
  error: ContractError | null;
  connection: ConnectionStatus;
  mode: AppMode;
  onState: (state: AppState) => void;
}

type Dot = AppStatus | 'offline';

const STATUS_LABELS: Record<Dot, string> = {
  starting: 'Starting',
  idle: 'Idle',
  syncing: 'Syncing',
  paused: 'Paused',
  error: 'Error',
  offline: 'Not connected',
};

function line(props: Props): { dot: Dot; message: string } {
  if (props.connection === 'retrying') {
    return {
      dot: 'offline',
      message: props.state
        ? 'Lost the connection to Replica Sync. Reconnecting…'
        : 'Cannot connect to Replica Sync. Retrying…',
    };
  }
  if (props.connection === 'stopped') {
    return { dot: 'offline', message: 'Not connected to Replica Sync.' };
  }
  if (props.state) return { dot: props.state.status, message: props.state.message };
  if (props.error) return { dot: 'error', message: props.error.message };
  return { dot: 'starting', message: 'Connecting to Replica Sync…' };
}

/** The bottom line: status dot and message, device name, mode, pause switch. */
export function StatusBar(props: Props) {
  const { state, mode, onState } = props;
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const { dot, message } = line(props);

  // A failed pause switch is reported until main says something newer.
  useEffect(() => setFailure(null), [state]);

  const togglePause = async (): Promise<void> => {
    if (!state) return;
    setBusy(true);
    setFailure(null);
    try {
      onState(await api.invoke('app.setPaused', { paused: !state.paused }));
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <footer className="status-bar" aria-label="Status bar">
      <p className="status-line" role="status">
        <span
          className={`status-dot status-dot-${dot}`}
          role="img"
          aria-label={STATUS_LABELS[dot]}
          title={STATUS_LABELS[dot]}
        />
        <span className="status-message">{message}</span>
      </p>
      {failure ? (
        <p className="status-failure" role="alert">
          {failure}
        </p>
      ) : null}
      {state ? (
        <p className="status-device">
          <span className="visually-hidden">Device: </span>
          {state.deviceName}
        </p>
      ) : null}
      <p className="status-mode">{mode === 'browser' ? 'Browser mode' : 'Desktop'}</p>
      {state ? (
        <button
          type="button"
          className="status-pause"
          disabled={busy || props.connection !== 'open'}
          onClick={() => void togglePause()}
        >
          {state.paused ? 'Resume syncing' : 'Pause syncing'}
        </button>
      ) : null}
    </footer>
  );
}
