/**
 * Tag definitions as a CSV file, both ways (docs/dashboard.md "Configuration"): one tag a line under a header
 * of TAG_CSV_COLUMNS, in that order on export; on import the header names the columns (any order, any subset
 * but `name`). A cell left empty leaves that field out, so the node's default applies. What a cell may hold is
 * the node's rule (the bulk write checks every line and names the bad ones); here only the file's shape is
 * checked: its quoting, its header, and each line's number of cells.
 */
import { csvText, type CsvCell } from './csv.ts';
import { readCsv } from './csv-read.ts';
import type { ConfigItem } from './config-client.ts';
import { numberOrText, setAt, valueAt } from './config-form.ts';

interface Column {
  readonly name: string;
  /** Where the cell goes in the definition. */
  readonly path: string;
  readonly kind: 'text' | 'number' | 'boolean';
}

/** The columns, in the order an export writes them. */
export const TAG_CSV_COLUMNS: readonly Column[] = [
  { name: 'name', path: 'name', kind: 'text' },
  { name: 'dataType', path: 'dataType', kind: 'text' },
  { name: 'unit', path: 'unit', kind: 'text' },
  { name: 'precision', path: 'precision', kind: 'number' },
  { name: 'description', path: 'description', kind: 'text' },
  { name: 'readOnly', path: 'readOnly', kind: 'boolean' },
  { name: 'source', path: 'source.kind', kind: 'text' },
  { name: 'waveform', path: 'source.waveform', kind: 'text' },
  { name: 'periodMs', path: 'source.periodMs', kind: 'number' },
  { name: 'min', path: 'source.min', kind: 'number' },
  { name: 'max', path: 'source.max', kind: 'number' },
  { name: 'device', path: 'source.device', kind: 'text' },
  { name: 'register', path: 'source.register', kind: 'number' },
  { name: 'table', path: 'source.table', kind: 'text' },
  { name: 'scale', path: 'source.scale', kind: 'number' },
];

/** Every tag a line, under the header; UTF-8 text for csvBlob. */
export function tagsCsv(tags: readonly ConfigItem[]): string {
  return csvText([
    TAG_CSV_COLUMNS.map((c) => c.name),
    ...tags.map((tag) => TAG_CSV_COLUMNS.map((c) => cellOf(valueAt(tag, c.path)))),
  ]);
}

function cellOf(value: unknown): CsvCell {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' || typeof value === 'string') return value;
  return typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

/** A line of the file, as the item it defines. */
interface CsvTag {
  readonly line: number;
  readonly item: ConfigItem;
}

export interface LineProblem {
  readonly line: number;
  readonly message: string;
}

export type TagsReading =
  | { readonly ok: true; readonly tags: readonly CsvTag[] }
  | { readonly ok: false; readonly problems: readonly LineProblem[] };

export function tagsFromCsv(text: string): TagsReading {
  const reading = readCsv(text);
  if (!reading.ok) return { ok: false, problems: [{ line: reading.line, message: reading.message }] };
  const [header, ...rows] = reading.records;
  if (!header)
    return { ok: false, problems: [{ line: 1, message: 'the file is empty: it needs a header line' }] };
  const columns = header.cells.map((name) => TAG_CSV_COLUMNS.find((c) => c.name === name.trim()));
  const unknown = header.cells.filter((_, i) => columns[i] === undefined);
  const problems: LineProblem[] = [];
  if (unknown.length > 0 || !columns.some((c) => c?.name === 'name')) {
    const why =
      unknown.length > 0
        ? `unknown column ${unknown.map((u) => JSON.stringify(u)).join(', ')}`
        : 'there is no "name" column';
    problems.push({
      line: header.line,
      message: `${why}; the header names some of: ${TAG_CSV_COLUMNS.map((c) => c.name).join(', ')}`,
    });
    return { ok: false, problems };
  }
  if (rows.length === 0)
    return { ok: false, problems: [{ line: header.line, message: 'there is no tag under the header' }] };
  const tags: CsvTag[] = [];
  for (const row of rows) {
    if (row.cells.length !== columns.length) {
      problems.push({
        line: row.line,
        message: `${row.cells.length} cells, but the header has ${columns.length} columns`,
      });
      continue;
    }
    const item: Record<string, unknown> = {};
    row.cells.forEach((cell, i) => {
      const value = cellValue(columns[i]!, unguarded(cell.trim()));
      if (value !== undefined) setAt(item, columns[i]!.path, value);
    });
    tags.push({ line: row.line, item: { name: '', ...item } });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, tags };
}

function cellValue(column: Column, text: string): unknown {
  if (text === '') return undefined;
  switch (column.kind) {
    case 'text':
      return text;
    case 'number':
      return numberOrText(text);
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
  }
}

/** Undoes csv.ts's guard against spreadsheet formulas (`'=x` was written for `=x`), so a file reads back as written. */
function unguarded(text: string): string {
  return /^'[=+\-@\t\r]/.test(text) ? text.slice(1) : text;
}
