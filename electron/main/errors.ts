/**
 * Runs in electron-main. Named errors with stable codes (style.md 10), turned into IPC results by ipc-main.ts,
 * and the dialog that says the node (or the monitor) could not start.
 */
import type { DialogPort } from './electron-api.ts';

export class DesktopError extends Error {
  readonly code: string;
  readonly fields: Readonly<Record<string, string>> | undefined;

  constructor(
    code: string,
    message: string,
    options: { cause?: unknown; fields?: Readonly<Record<string, string>> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.fields = options.fields;
  }
}

/** Anything thrown, as a code and a one-line message. Errors of node-core (TandemError) keep their code. */
export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === 'string' && code !== '' ? code : 'INTERNAL', message: error.message };
  }
  return { code: 'INTERNAL', message: String(error) };
}

/** The node or the monitor is not running: why, and what to do (the tray menu starts it again). */
export function showStartFailure(
  dialog: DialogPort,
  what: 'node' | 'monitor',
  reason: string,
  log: (message: string) => void,
): void {
  dialog
    .showMessageBox({
      type: 'error',
      title: 'Tandem',
      message: `The Tandem ${what} is not running.`,
      detail: `${reason}\n\nFix the cause, then choose "Start the ${what} again" in the tray menu.`,
      buttons: ['OK'],
    })
    .catch((error: unknown) => log(`dialog failed: ${String(error)}`));
}
