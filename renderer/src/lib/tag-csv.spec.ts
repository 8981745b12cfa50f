import { describe, expect, it } from 'vitest';
import type { ConfigItem } from './config-client.ts';
import { TAG_CSV_COLUMNS, tagsCsv, tagsFromCsv } from './tag-csv.ts';

const TAGS: ConfigItem[] = [
  {
    name: 'boiler.temp',
    dataType: 'float',
    source: { kind: 'memory' },
    unit: '°C',
    precision: 1,
    description: 'Outlet, after the burner',
  },
  {
    name: 'line1/pump.speed',
    dataType: 'int',
    readOnly: true,
    source: { kind: 'modbus', device: 'plc-1', register: 4, table: 'holding', scale: 0.1 },
  },
  {
    name: 'sim.wave',
    dataType: 'float',
    source: { kind: 'simulator', waveform: 'sine', periodMs: 1000, min: -5, max: 5 },
  },
  { name: 'note', dataType: 'string', source: { kind: 'memory' }, description: '=not a formula' },
];

describe('tags as CSV', () => {
  it('exports every tag under the documented header, in its column order', () => {
    const lines = tagsCsv(TAGS).split('\r\n');
    expect(lines[0]).toBe(
      'name,dataType,unit,precision,description,readOnly,source,waveform,periodMs,min,max,device,register,table,scale',
    );
    expect(lines[0]).toBe(TAG_CSV_COLUMNS.map((c) => c.name).join(','));
    expect(lines[1]).toBe('boiler.temp,float,°C,1,"Outlet, after the burner",,memory,,,,,,,,');
    expect(lines[2]).toBe('line1/pump.speed,int,,,,true,modbus,,,,,plc-1,4,holding,0.1');
    expect(lines[3]).toBe('sim.wave,float,,,,,simulator,sine,1000,-5,5,,,,');
  });

  it('reads back exactly what it exported (quoting, commas, a formula guard)', () => {
    const reading = tagsFromCsv(tagsCsv(TAGS));
    expect(reading.ok).toBe(true);
    if (!reading.ok) return;
    expect(reading.tags.map((t) => t.item)).toEqual(TAGS);
    expect(reading.tags.map((t) => t.line)).toEqual([2, 3, 4, 5]);
  });

  it('takes the columns in any order and leaves empty cells out; a cell that is no number goes as written', () => {
    const reading = tagsFromCsv('source,name,precision,dataType\nmemory,a,,float\nmemory,b,two,int\n');
    expect(reading).toEqual({
      ok: true,
      tags: [
        { line: 2, item: { name: 'a', dataType: 'float', source: { kind: 'memory' } } },
        { line: 3, item: { name: 'b', dataType: 'int', precision: 'two', source: { kind: 'memory' } } },
      ],
    });
  });

  it('names the header line for an unknown column or a missing name column', () => {
    expect(tagsFromCsv('name,colour\na,red\n')).toEqual({
      ok: false,
      problems: [
        {
          line: 1,
          message: expect.stringMatching(
            /^unknown column "colour"; the header names some of: name,/,
          ) as string,
        },
      ],
    });
    expect(tagsFromCsv('dataType\nfloat\n')).toMatchObject({
      ok: false,
      problems: [{ line: 1, message: expect.stringMatching(/^there is no "name" column/) as string }],
    });
  });

  it('names every line whose cells do not match the header', () => {
    expect(tagsFromCsv('name,dataType,source\r\na,float\r\nb,float,memory\r\nc,float,memory,x\r\n')).toEqual({
      ok: false,
      problems: [
        { line: 2, message: '2 cells, but the header has 3 columns' },
        { line: 4, message: '4 cells, but the header has 3 columns' },
      ],
    });
  });

  it('an empty file, or a header alone, says so', () => {
    expect(tagsFromCsv('')).toMatchObject({
      ok: false,
      problems: [{ line: 1, message: 'the file is empty: it needs a header line' }],
    });
    expect(tagsFromCsv('name\r\n')).toMatchObject({
      ok: false,
      problems: [{ message: 'there is no tag under the header' }],
    });
  });
});
