import type { AppMode } from '../../../main/contract/state.js';
import { TrayMenu } from './TrayMenu.js';

interface Props {
  mode: AppMode;
}

/** The product name; in browser mode also the tray menu, which has no system tray there. */
export function AppHeader({ mode }: Props) {
  return (
    <header className="app-header">
      <p className="app-name">Replica Sync</p>
      {mode === 'browser' ? <TrayMenu /> : null}
    </header>
  );
}
