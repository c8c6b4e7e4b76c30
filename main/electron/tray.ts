import type { MenuItemConstructorOptions, Tray } from 'electron';
import type { MenuItem, MenuModel, TrayActionId } from '../contract/index.js';
import type { Disposable } from '../core/disposable.js';
import type { ElectronDeps } from './electron-deps.js';

/** Turns the menu model into Electron's template; clicks go back through one callback. */
export function toMenuTemplate(
  model: Pick<MenuModel, 'items'>,
  onAction: (id: TrayActionId) => void,
): MenuItemConstructorOptions[] {
  return model.items.map((item: MenuItem): MenuItemConstructorOptions => {
    switch (item.kind) {
      case 'status':
        return { id: item.id, label: item.label, enabled: false };
      case 'separator':
        return { id: item.id, type: 'separator' };
      case 'action':
        return {
          id: item.id,
          label: item.label,
          enabled: item.enabled,
          click: () => onAction(item.id),
        };
      case 'submenu':
        return {
          id: item.id,
          label: item.label,
          submenu: toMenuTemplate({ items: item.items }, onAction),
        };
    }
  });
}

export class TrayController implements Disposable {
  private readonly tray: Tray;

  constructor(
    private readonly deps: Pick<ElectronDeps, 'Tray' | 'Menu' | 'nativeImage'>,
    private readonly iconPath: (icon: MenuModel['icon']) => string,
    initial: MenuModel,
    private readonly onAction: (id: TrayActionId) => void,
  ) {
    this.tray = new deps.Tray(deps.nativeImage.createFromPath(iconPath(initial.icon)));
    this.render(initial);
  }

  render(model: MenuModel): void {
    this.tray.setToolTip(model.tooltip);
    this.tray.setImage(this.deps.nativeImage.createFromPath(this.iconPath(model.icon)));
    this.tray.setContextMenu(
      this.deps.Menu.buildFromTemplate(toMenuTemplate(model, this.onAction)),
    );
  }

  dispose(): void {
    this.tray.destroy();
  }
}
