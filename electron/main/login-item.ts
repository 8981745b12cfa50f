/**
 * Runs in electron-main. Start at login, a desktop setting. Windows and macOS: Electron's login items.
 * Linux has none in Electron: an XDG autostart entry (`~/.config/autostart/tandem.desktop`) does the same.
 * Started this way, Tandem gets `--hidden`: the node runs, in the tray, without opening a window.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AppPort } from './electron-api.ts';

export const HIDDEN_FLAG = '--hidden';
export const AUTOSTART_FILE = 'tandem.desktop';

export interface LoginItemTarget {
  readonly platform: NodeJS.Platform;
  readonly app: Pick<AppPort, 'setLoginItemSettings'>;
  /** `$XDG_CONFIG_HOME/autostart` (Linux only). */
  readonly autostartDir: string;
  /** What to start: the AppImage file when run from one, else the executable. */
  readonly executable: string;
}

export function applyOpenAtLogin(enabled: boolean, target: LoginItemTarget): void {
  if (target.platform !== 'linux') {
    target.app.setLoginItemSettings({ openAtLogin: enabled, args: [HIDDEN_FLAG] });
    return;
  }
  const file = path.join(target.autostartDir, AUTOSTART_FILE);
  if (!enabled) {
    fs.rmSync(file, { force: true });
    return;
  }
  fs.mkdirSync(target.autostartDir, { recursive: true });
  fs.writeFileSync(file, autostartEntry(target.executable));
}

export function autostartEntry(executable: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Tandem',
    'Comment=Redundant gateway pair: this node, in the tray',
    `Exec=${quoteExecArg(executable)} ${HIDDEN_FLAG}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/**
 * Quoting of the Desktop Entry spec: double quotes, with `"`, `` ` ``, `$` and `\` escaped by a backslash, and
 * the string-level escape (`\\` for one backslash) applied on top: so `$` is written `\\$`, `\` as four.
 */
export function quoteExecArg(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  const escaped = arg.replace(/["`$\\]/g, (c) => (c === '\\' ? '\\'.repeat(4) : `\\\\${c}`));
  return `"${escaped}"`;
}
