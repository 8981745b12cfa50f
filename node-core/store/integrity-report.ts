/**
 * What SQLite's quick check said, as the node reports it: at start for the tables the node cannot run without
 * (database.ts), and for the whole file on the store thread after start (store-thread.ts). No driver here: the
 * store thread loads its own.
 */

/** The tables the start-up check leaves to the check after start: the bulk of a database that ran a while. */
export const HISTORY_TABLES: readonly string[] = ['history_samples', 'history_recent'];

/** Every problem in the rows of a `PRAGMA quick_check`, one per line; empty when it found none. */
export function problemsIn(rows: readonly { quick_check: string }[]): string[] {
  const lines = rows.flatMap((row) => row.quick_check.split('\n')).filter((line) => line.trim() !== '');
  if (lines.length === 1 && lines[0] === 'ok') return [];
  return lines.filter((line) => !/^\*\*\* in database \w+ \*\*\*$/.test(line));
}

/** SQLite's quick check stops listing problems at this many (its default). */
const LISTED_AT_MOST = 100;

/** `1 problem, the first: "…"`: how many problems there are and the first, for a one-line message. */
export function problemCount(report: readonly string[]): string {
  const problems =
    report.length === 1
      ? '1 problem'
      : report.length >= LISTED_AT_MOST
        ? `${report.length} problems or more`
        : `${report.length} problems`;
  return `${problems}, the first: "${report[0] ?? 'unknown'}"`;
}
