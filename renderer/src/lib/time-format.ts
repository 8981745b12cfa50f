/**
 * Times and durations as the operator reads them: one time format on every screen (24-hour, local, the zone
 * said once), durations as a person says them. Pure functions.
 */

/** Milliseconds as a person says them: `850 ms`, `12.4 s`, `4 min 05 s`, `2 h 07 min`, `3 d 4 h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.floor(seconds)} s`;
  const totalSeconds = Math.floor(seconds);
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) return `${minutes} min ${pad(totalSeconds % 60)} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${pad(minutes % 60)} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

export function formatUptime(startedAt: string, now: number): string {
  const start = Date.parse(startedAt);
  return Number.isNaN(start) ? '—' : formatDuration(Math.max(0, now - start));
}

/**
 * `2025-03-04 03:12:09` in the browser's local time: 24-hour, unambiguous, sortable, no locale guessing. Every
 * time on every screen (and in the CSV files and on the chart's axis) is written this way; the time zone is
 * not repeated in each one but said once, by `timeZoneLabel()`.
 */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${formatDay(date)} ${formatClock(date)}`;
}

/** `2025-03-04`: the day of `formatTime`. */
export function formatDay(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** `03:12:09`, or `03:12` without seconds: the time of day of `formatTime`. */
export function formatClock(date: Date, seconds = true): string {
  const clock = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  return seconds ? `${clock}:${pad(date.getSeconds())}` : clock;
}

/** `UTC+01:00`, `UTC−05:00`, `UTC`: the browser's offset from UTC at `at` (summer time changes it). */
export function utcOffsetLabel(at: Date = new Date()): string {
  const minutes = -at.getTimezoneOffset();
  if (minutes === 0) return 'UTC';
  const size = Math.abs(minutes);
  return `UTC${minutes > 0 ? '+' : '−'}${pad(Math.floor(size / 60))}:${pad(size % 60)}`;
}

/**
 * The browser's time zone, which every time shown is in: `UTC+01:00 (Europe/Berlin)`, or `UTC`. Each screen
 * with times says it once, beside its title.
 */
export function timeZoneLabel(
  at: Date = new Date(),
  zoneName: string | undefined = browserTimeZone(),
): string {
  const offset = utcOffsetLabel(at);
  return zoneName && zoneName !== 'UTC' && zoneName !== 'Etc/UTC' ? `${offset} (${zoneName})` : offset;
}

/** The zone's name where the browser knows it (`Europe/Berlin`), else its offset: a CSV file's time header. */
export function timeZoneName(
  at: Date = new Date(),
  zoneName: string | undefined = browserTimeZone(),
): string {
  return zoneName ?? utcOffsetLabel(at);
}

function browserTimeZone(): string | undefined {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

export function formatDate(iso: string): string {
  return formatTime(iso).slice(0, 10);
}

export function formatAgo(iso: string | null, now: number): string {
  if (!iso) return 'never';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '—';
  const ms = now - at;
  return ms < 1000 ? 'just now' : `${formatDuration(ms)} ago`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
