import { Cron } from 'croner';
import type { RestoreWindow } from './types.ts';

/** Throws a readable error if the expression is not valid CRON. */
export function validateCron(expression: string): void {
  new Cron(expression, { paused: true });
}

/**
 * The start of the restore window that is open at `now`, or else of the next one.
 * A window is open from its CRON start for `lengthMs`; CRON runs in the local time zone, as an operator reads it.
 */
export function currentOrNextWindowStart(window: RestoreWindow, now: number): number | null {
  const cron = new Cron(window.cron, { paused: true });
  // The first start after (now - length) is either inside the open window or the next one.
  const next = cron.nextRun(new Date(now - window.lengthMs));
  return next ? next.getTime() : null;
}
