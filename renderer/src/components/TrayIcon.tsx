import type { MenuModel } from '../../../main/contract/state.js';

interface Props {
  icon: MenuModel['icon'];
}

/** The tray icon's state as a small drawn glyph (decorative; the button has the name). */
export function TrayIcon({ icon }: Props) {
  return (
    <svg className={`tray-icon tray-icon-${icon}`} viewBox="0 0 20 20" aria-hidden="true">
      <path
        className="tray-icon-cloud"
        d="M6 15.5h8.5a3.5 3.5 0 0 0 .4-7 5 5 0 0 0-9.6 1.2A3 3 0 0 0 6 15.5z"
      />
      {icon === 'syncing' ? (
        <path className="tray-icon-mark" d="M8 11.5h4m-1.5-1.5 1.5 1.5-1.5 1.5" />
      ) : null}
      {icon === 'paused' ? <path className="tray-icon-mark" d="M8.8 9.5v4m2.4-4v4" /> : null}
      {icon === 'error' ? <path className="tray-icon-mark" d="M10 9v2.6m0 1.9v.1" /> : null}
      {icon === 'conflict' ? <path className="tray-icon-mark" d="M8 9.5l4 4m0-4-4 4" /> : null}
    </svg>
  );
}
