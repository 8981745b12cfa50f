import { describe, expect, it } from 'vitest';
import { readCsv } from './csv-read.ts';

describe('readCsv (RFC 4180, with the line each record starts on)', () => {
  it('reads CRLF and LF lines alike, and drops a byte order mark', () => {
    expect(readCsv('\uFEFFa,b\r\n1,2\n3,4')).toEqual({
      ok: true,
      records: [
        { line: 1, cells: ['a', 'b'] },
        { line: 2, cells: ['1', '2'] },
        { line: 3, cells: ['3', '4'] },
      ],
    });
  });

  it('keeps commas, quotes and line breaks inside quoted cells, and counts the lines they span', () => {
    const reading = readCsv('name,description\r\n"pump, main","says ""hi""\r\non two lines"\r\nnext,x\r\n');
    expect(reading).toEqual({
      ok: true,
      records: [
        { line: 1, cells: ['name', 'description'] },
        { line: 2, cells: ['pump, main', 'says "hi"\r\non two lines'] },
        { line: 4, cells: ['next', 'x'] },
      ],
    });
  });

  it('skips empty lines but keeps empty cells, also a quoted empty one', () => {
    expect(readCsv('a,,c\r\n\r\n""\r\n,\r\n')).toEqual({
      ok: true,
      records: [
        { line: 1, cells: ['a', '', 'c'] },
        { line: 3, cells: [''] },
        { line: 4, cells: ['', ''] },
      ],
    });
  });

  it('names the line of a quote never closed, and of text after a closing quote', () => {
    expect(readCsv('a,b\r\n1,"open\r\n2,3\r\n')).toEqual({
      ok: false,
      line: 2,
      message: 'a quoted cell starts on this line and is never closed',
    });
    expect(readCsv('a\r\n"x"y\r\n')).toMatchObject({ ok: false, line: 2 });
  });
});
