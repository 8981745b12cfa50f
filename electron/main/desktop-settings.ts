/**
 * Runs in electron-main. What the desktop shell itself remembers, in `userData/desktop-settings.json`: whether
 * this PC has been set up, as a node (whose own settings live in its database) or as a monitor of pairs (its
 * monitor file), and whether to start at login.
 * Written atomically (temp file, then rename); a file that cannot be read or parsed counts as not there.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const desktopSettingsSchema = z.object({
  /** Set once the first-run answers started the node; from then on the node starts from its stored settings. */
  nodeConfigured: z.boolean().default(false),
  openAtLogin: z.boolean().default(false),
  /** "Monitor pairs" mode: the monitor file this PC watches (docs/monitor.md), set by the first run; else null. */
  monitorConfig: z.string().min(1).nullable().default(null),
});

export type DesktopSettings = z.output<typeof desktopSettingsSchema>;

const DESKTOP_SETTINGS_FILE = 'desktop-settings.json';

export class DesktopSettingsFile {
  readonly file: string;
  readonly #onProblem: (message: string) => void;

  constructor(userDataDir: string, onProblem: (message: string) => void = () => undefined) {
    this.file = path.join(userDataDir, DESKTOP_SETTINGS_FILE);
    this.#onProblem = onProblem;
  }

  load(): DesktopSettings {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      return desktopSettingsSchema.parse({});
    }
    try {
      return desktopSettingsSchema.parse(JSON.parse(text));
    } catch (error) {
      this.#onProblem(`${this.file} is not valid (${String(error)}); using defaults`);
      return desktopSettingsSchema.parse({});
    }
  }

  save(change: Partial<DesktopSettings>): DesktopSettings {
    const next = desktopSettingsSchema.parse({ ...this.load(), ...change });
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, JSON.stringify(next, null, 2) + '\n');
    fs.renameSync(temp, this.file);
    return next;
  }
}
