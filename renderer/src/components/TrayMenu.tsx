// Browser mode's stand-in for the system tray: a header button showing the tray icon's
// state that opens the same menu model the desktop tray renders (submenus included).
import {
  useCallback,
  useEffect,
  useId,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactNode,
} from 'react';
import type { MenuItem, TrayActionId } from '../../../main/contract/state.js';
import { api } from '../api-instance.js';
import { errorMessage } from '../contract-error.js';
import { useTrayMenu } from '../hooks/use-tray-menu.js';
import { TrayIcon } from './TrayIcon.js';

const NOTICE_MS = 6000;

export function TrayMenu() {
  const menu = useTrayMenu();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState<TrayActionId | null>(null);
  const [openSub, setOpenSub] = useState<string | null>(null);
  const focusSub = useRef(false);
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
    setOpenSub(null);
    if (returnFocus) buttonRef.current?.focus();
  }, []);

  // A submenu opened from the keyboard takes the focus, on its first item.
  useEffect(() => {
    if (openSub === null || !focusSub.current) return;
    focusSub.current = false;
    menuRef.current
      ?.querySelector<HTMLButtonElement>('.tray-submenu button[role="menuitem"]:not(:disabled)')
      ?.focus();
  }, [openSub]);

  const subButton = (id: string): HTMLButtonElement | null =>
    menuRef.current?.querySelector<HTMLButtonElement>(`button[data-submenu="${CSS.escape(id)}"]`) ??
    null;

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
    const active = document.activeElement as HTMLButtonElement;
    const index = items.indexOf(active);
    let next: HTMLButtonElement | undefined;
    switch (event.key) {
      case 'ArrowRight': {
        const sub = active.dataset.submenu;
        if (sub === undefined) return;
        event.preventDefault();
        focusSub.current = true;
        setOpenSub(sub);
        return;
      }
      case 'ArrowLeft': {
        if (openSub === null || !active.closest('.tray-submenu')) return;
        event.preventDefault();
        const parent = subButton(openSub);
        setOpenSub(null);
        parent?.focus();
        return;
      }
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

  const run = async (id: TrayActionId): Promise<void> => {
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

  const renderItems = (items: readonly MenuItem[]): ReactNode =>
    items.map((item) => {
      switch (item.kind) {
        case 'separator':
          return <div key={item.id} role="separator" className="tray-menu-separator" />;
        case 'status':
          return (
            <div key={item.id} role="menuitem" aria-disabled="true" className="tray-menu-status">
              {item.label}
            </div>
          );
        case 'submenu': {
          const expanded = openSub === item.id;
          return (
            <div key={item.id} role="none" className="tray-submenu-item">
              <button
                type="button"
                role="menuitem"
                tabIndex={-1}
                className="tray-menu-action tray-menu-parent"
                aria-haspopup="menu"
                aria-expanded={expanded}
                data-submenu={item.id}
                disabled={busy !== null}
                onClick={() => setOpenSub(expanded ? null : item.id)}
              >
                {item.label}
                <span className="tray-menu-arrow" aria-hidden="true">
                  {expanded ? '▾' : '▸'}
                </span>
              </button>
              {expanded ? (
                <div role="menu" aria-label={item.label} className="tray-submenu">
                  {renderItems(item.items)}
                </div>
              ) : null}
            </div>
          );
        }
        case 'action':
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
      }
    });

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
            renderItems(model.items)
          )}
        </div>
      ) : null}
    </div>
  );
}
