import type { FailoverEvent } from '../dto.ts';

const COLUMNS = ['at', 'kind', 'node', 'nodeId', 'from', 'to', 'reason', 'durationMs'] as const;

/** RFC 4180 CSV; a cell that a spreadsheet would run as a formula is prefixed with a quote. */
export function eventsToCsv(events: readonly FailoverEvent[]): string {
  const lines = [COLUMNS.join(',')];
  for (const event of events) lines.push(COLUMNS.map((c) => cell(event[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}

function cell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text) && typeof value === 'string') text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
