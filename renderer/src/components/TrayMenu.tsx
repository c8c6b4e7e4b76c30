// Browser mode's stand-in for the system tray: a header button showing the tray icon's
// state that opens the same menu model the desktop tray renders.
import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { MenuActionId } from '../../../main/contract/state.js';
import { api } from '../api-instance.js';
import { errorMessage } from '../contract-error.js';
import { useTrayMenu } from '../hooks/use-tray-menu.js';
import { TrayIcon } from './TrayIcon.js';

const NOTICE_MS = 6000;

export function TrayMenu() {
  const menu = useTrayMenu();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState<MenuActionId | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const focusOnOpen = useRef<'first' | 'last' | null>(null);
  const menuId = useId();

  const model = menu.value;
  const icon = model?.icon ?? 'normal';
  const tooltip = model?.tooltip ?? (menu.error ? menu.error.message : 'Replica Sync');

  const enabledItems = useCallback(
    () =>
      Array.from(
        menuRef.current?.querySelectorAll<HTMLButtonElement>('button[role="menuitem"]') ?? [],
      ).filter((item) => !item.disabled),
    [],
  );

  const close = useCallback((returnFocus: boolean) => {
    setOpen(false);
    if (returnFocus) buttonRef.current?.focus();
  }, []);

  // Focus lands in the menu when it opens, as with a native menu.
  useEffect(() => {
    if (!open) return;
    const items = enabledItems();
    const target = focusOnOpen.current === 'last' ? items[items.length - 1] : items[0];
    (target ?? menuRef.current)?.focus();
    focusOnOpen.current = null;
  }, [open, enabledItems]);

  // A press outside closes the menu.
  useEffect(() => {
    if (!open) return;
    const onPointerDown = (event: PointerEvent): void => {
      if (!rootRef.current?.contains(event.target as Node)) close(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open, close]);

  useEffect(() => {
    if (notice === null) return;
    const timer = setTimeout(() => setNotice(null), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice]);

  const openWith = (focus: 'first' | 'last'): void => {
    focusOnOpen.current = focus;
    setOpen(true);
  };

  const onButtonKeyDown = (event: KeyboardEvent<HTMLButtonElement>): void => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      openWith(event.key === 'ArrowUp' ? 'last' : 'first');
    }
  };

  const onMenuKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    const items = enabledItems();
    const index = items.indexOf(document.activeElement as HTMLButtonElement);
    let next: HTMLButtonElement | undefined;
    switch (event.key) {
      case 'ArrowDown':
        next = items[(index + 1) % items.length];
        break;
      case 'ArrowUp':
        next = items[(index - 1 + items.length) % items.length];
        break;
      case 'Home':
        next = items[0];
        break;
      case 'End':
        next = items[items.length - 1];
        break;
      case 'Escape':
        event.preventDefault();
        close(true);
        return;
      case 'Tab':
        close(false);
        return;
      default:
        return;
    }
    event.preventDefault();
    next?.focus();
  };

  const run = async (id: MenuActionId): Promise<void> => {
    setBusy(id);
    try {
      const result = await api.invoke('tray.invoke', { id });
      setNotice(result.message ?? null);
    } catch (error) {
      setNotice(errorMessage(error));
    } finally {
      setBusy(null);
      close(true);
    }
  };

  return (
    <div className="tray" ref={rootRef}>
      <p className="tray-notice" aria-live="polite">
        {notice}
      </p>
      <button
        ref={buttonRef}
        type="button"
        className="tray-button"
        aria-label="Tray menu"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        title={tooltip}
        data-icon={icon}
        onClick={() => (open ? close(false) : openWith('first'))}
        onKeyDown={onButtonKeyDown}
      >
        <TrayIcon icon={icon} />
      </button>
      {open ? (
        <div
          ref={menuRef}
          id={menuId}
          className="tray-menu"
          role="menu"
          aria-label="Tray menu"
          tabIndex={-1}
          onKeyDown={onMenuKeyDown}
        >
          {model === null ? (
            <div role="menuitem" aria-disabled="true" className="tray-menu-status">
              {menu.error ? menu.error.message : 'Loading…'}
            </div>
          ) : (
            model.items.map((item) => {
              if (item.kind === 'separator') {
                return <div key={item.id} role="separator" className="tray-menu-separator" />;
              }
              if (item.kind === 'status') {
                return (
                  <div
                    key={item.id}
                    role="menuitem"
                    aria-disabled="true"
                    className="tray-menu-status"
                  >
                    {item.label}
                  </div>
                );
              }
              return (
                <button
                  key={item.id}
                  type="button"
                  role="menuitem"
                  tabIndex={-1}
                  className="tray-menu-action"
                  disabled={!item.enabled || busy !== null}
                  data-action={item.id}
                  onClick={() => void run(item.id)}
                >
                  {item.label}
                </button>
              );
            })
          )}
        </div>
      ) : null}
    </div>
  );
}
