/**
 * Reads CSV text (RFC 4180: cells separated by commas, a cell in double quotes may hold commas, quotes as
 * `""` and line breaks; lines end in CRLF or LF), keeping the line each record starts on, so that a problem
 * can name the line a spreadsheet shows. A byte order mark at the start is dropped; empty lines are skipped.
 */

interface CsvRecord {
  /** The line the record starts on, from 1. */
  readonly line: number;
  readonly cells: readonly string[];
}

export type CsvReading =
  | { readonly ok: true; readonly records: readonly CsvRecord[] }
  | { readonly ok: false; readonly line: number; readonly message: string };

export function readCsv(input: string): CsvReading {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  /** The record has something: a comma, a character or a quoted (even empty) cell. */
  let started = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (char === '"' && cell === '') {
      const opened = line;
      started = true;
      i++;
      for (;;) {
        if (i >= text.length)
          return {
            ok: false,
            line: opened,
            message: 'a quoted cell starts on this line and is never closed',
          };
        const inside = text[i]!;
        if (inside === '"' && text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        i++;
        if (inside === '"') break;
        if (inside === '\n') line++;
        cell += inside;
      }
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n')
        return {
          ok: false,
          line,
          message: 'text follows a closing quote in the same cell (a quote inside is written "")',
        };
      continue;
    }
    i++;
    if (char === ',') {
      cells.push(cell);
      cell = '';
      started = true;
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i] === '\n') i++;
      if (started || cell !== '') records.push({ line: recordLine, cells: [...cells, cell] });
      cells = [];
      cell = '';
      started = false;
      line++;
      recordLine = line;
    } else cell += char;
  }
  if (started || cell !== '') records.push({ line: recordLine, cells: [...cells, cell] });
  return { ok: true, records };
}
