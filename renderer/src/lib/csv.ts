/**
 * CSV files the dashboard writes itself, in the words and formats of its screens: times as the screens show
 * them (24-hour, the zone named once, in the header), statuses as "Running", kinds as "Dual active (split
 * brain)", values with the tag's precision and unit. The API's own `/api/events.csv` keeps the API's words
 * for programs (docs/contract.md).
 */
import type { FailoverEvent, HistoryView, TagDefinitionView } from '../../../node-core/dto.ts';
import {
  eventDurationText,
  eventKindLabel,
  formatTime,
  modeLabel,
  statusLabel,
  timeZoneName,
} from './format.ts';
import { formatNumber, qualityLabel } from './tag-format.ts';

export type CsvCell = string | number | null;

/**
 * RFC 4180 lines (CRLF), a cell quoted where it holds a comma, a quote or a line break; a text cell that a
 * spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) is prefixed with a quote, as the API's is.
 */
export function csvText(rows: readonly (readonly CsvCell[])[]): string {
  return rows.map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}

function cell(value: CsvCell): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV file as a spreadsheet opens it: UTF-8 with a byte order mark (so `°C` and `→` arrive intact). */
export function csvBlob(text: string): Blob {
  return new Blob(['\uFEFF', text], { type: 'text/csv;charset=utf-8' });
}

/** The failover history as the History screen shows it, one event a line, newest first. */
export function eventsCsv(events: readonly FailoverEvent[], zone: string = timeZoneName()): string {
  const head: CsvCell[] = [
    `Time (${zone})`,
    'Kind',
    'Node',
    'Node ID',
    'From',
    'To',
    'Reason',
    'Duration',
    'Duration (ms)',
  ];
  return csvText([
    head,
    ...events.map((event): CsvCell[] => [
      formatTime(event.at),
      eventKindLabel(event.kind),
      modeLabel(event.node),
      event.nodeId,
      event.from ? statusLabel(event.from) : '',
      event.to ? statusLabel(event.to) : '',
      event.reason,
      eventDurationText(event),
      event.durationMs,
    ]),
  ]);
}

/** One tag's history as its table shows it: raw samples, or intervals with average, minimum and maximum. */
export function historyCsv(
  view: HistoryView,
  definition: Pick<TagDefinitionView, 'unit' | 'precision'> | null,
  zone: string = timeZoneName(),
): string {
  const unit = definition?.unit ? ` (${definition.unit})` : '';
  const value = (v: number | boolean | string | null): CsvCell =>
    typeof v === 'number' ? formatNumber(v, definition?.precision) : v === null ? null : String(v);
  if (view.kind === 'raw') {
    return csvText([
      [`Time (${zone})`, `Value${unit}`, 'Quality'],
      ...view.samples.map((s): CsvCell[] => [formatTime(s.ts), value(s.value), qualityLabel(s.quality)]),
    ]);
  }
  return csvText([
    [
      `From (${zone})`,
      `To (${zone})`,
      `Average${unit}`,
      `Minimum${unit}`,
      `Maximum${unit}`,
      `Last${unit}`,
      'Samples',
    ],
    ...view.buckets.map((b): CsvCell[] => [
      formatTime(b.from),
      formatTime(b.to),
      value(b.avg),
      value(b.min),
      value(b.max),
      value(b.last.value),
      b.count,
    ]),
  ]);
}

/** `tandem-line-1-events.csv`: a file name from a node or tag name, without characters a file system refuses. */
export function csvFilename(...parts: string[]): string {
  return `${parts.map((p) => p.replace(/[^A-Za-z0-9_.-]+/g, '_')).join('-')}.csv`;
}
