/**
 * What only the host (Electron or the browser-mode server) can do. The controller asks
 * for these; each mode supplies its own.
 */
export interface HostActions {
  /** Show and focus the main window; in browser mode the page is the window. */
  openWindow(): void;
  /** Open a local folder in the system's file manager; resolves to an error text or ''. */
  openPath(path: string): Promise<string>;
  /**
   * Show a view, e.g. the Conflicts view with one conflict selected (the tray, a notice).
   * Both modes supply it; a host without it (a test) gets openWindow instead.
   */
  openView?(view: 'conflicts', conflictId?: string): void;
  quit(): void;
}
