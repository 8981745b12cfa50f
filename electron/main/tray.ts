/**
 * Runs in electron-main. Puts a TrayPresentation (tray-state.ts) on the system tray, touching the tray only
 * for what changed. Images: `assets/tray/<state>.png` (16×16) with `<state>@2x.png` (32×32) beside it, which
 * Electron picks on high-DPI screens.
 */
import path from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import type { ElectronApi, TrayPort } from './electron-api.ts';
import type { TrayAction, TrayMenuItem, TrayPresentation, TrayState } from './tray-state.ts';

export const TRAY_STATES: readonly TrayState[] = ['active', 'standby', 'attention', 'fault'];

function trayImagePath(trayDir: string, state: TrayState): string {
  return path.join(trayDir, `${state}.png`);
}

export class TrayController {
  readonly #tray: TrayPort;
  readonly #trayDir: string;
  readonly #actions: Readonly<Record<TrayAction, () => void>>;
  #shown: { state: TrayState; tooltip: string; menu: string } | null = null;

  constructor(
    api: Pick<ElectronApi, 'createTray'>,
    trayDir: string,
    actions: Readonly<Record<TrayAction, () => void>>,
    initial: TrayPresentation,
  ) {
    this.#trayDir = trayDir;
    this.#actions = actions;
    this.#tray = api.createTray(trayImagePath(trayDir, initial.state));
    // Windows and macOS: a click on the icon opens the dashboard (Linux shows the menu).
    this.#tray.onClick(() => actions['open-dashboard']());
    this.show(initial);
  }

  show(presentation: TrayPresentation): void {
    const menu = JSON.stringify(presentation.menu);
    const last = this.#shown;
    if (last?.state !== presentation.state)
      this.#tray.setImage(trayImagePath(this.#trayDir, presentation.state));
    if (last?.tooltip !== presentation.tooltip) this.#tray.setToolTip(presentation.tooltip);
    if (last?.menu !== menu) this.#tray.setMenu(presentation.menu.map((item) => this.#menuItem(item)));
    this.#shown = { state: presentation.state, tooltip: presentation.tooltip, menu };
  }

  destroy(): void {
    this.#tray.destroy();
  }

  #menuItem(item: TrayMenuItem): MenuItemConstructorOptions {
    if (item.kind === 'separator') return { type: 'separator' };
    const click = (): void => this.#actions[item.action]();
    if (item.checked === undefined) return { label: item.label, enabled: item.enabled, click };
    return { label: item.label, enabled: item.enabled, type: 'checkbox', checked: item.checked, click };
  }
}
