import { describe, expect, it } from 'vitest';
import { tagDefinition, tagValue } from '../test/fixtures.ts';
import {
  formatNumber,
  formatTagValue,
  unitSuffix,
  isNewer,
  isWritable,
  parseTagValue,
  qualityLabel,
  sourceLabel,
} from './tag-format.ts';

describe('tag formatting', () => {
  it('shows values plainly', () => {
    expect(formatTagValue(null)).toBe('—');
    expect(formatTagValue(undefined)).toBe('—');
    expect(formatTagValue(42)).toBe('42');
    expect(formatTagValue(1 / 3)).toBe('0.333333');
    expect(formatTagValue(false)).toBe('false');
    expect(formatTagValue('open')).toBe('open');
    expect(qualityLabel('uncertain')).toBe('Uncertain');
  });

  it("shows a number with the tag's precision and unit (issue 16)", () => {
    expect(formatTagValue(95.254, { unit: '°C', precision: 1 })).toBe('95.3 °C');
    expect(formatTagValue(3, { unit: 'bar', precision: 2 })).toBe('3.00 bar');
    expect(formatTagValue(1 / 3, { unit: '%' })).toBe('0.333333 %');
    expect(formatTagValue(2.5, { precision: 0 })).toBe('3');
    // A unit belongs to numbers: a switch or a text is shown as it is.
    expect(formatTagValue(true, { unit: '°C' })).toBe('true');
    expect(formatTagValue(null, { unit: '°C' })).toBe('—');
    expect(formatNumber(Infinity, 2)).toBe('Infinity');
    expect(unitSuffix({ unit: 'm/s' })).toBe(' m/s');
    expect(unitSuffix(null)).toBe('');
  });

  it('knows which tags can be written, like node-core', () => {
    expect(isWritable(tagDefinition({ name: 'm' }))).toBe(true);
    expect(isWritable(tagDefinition({ name: 'm', readOnly: true }))).toBe(false);
    const modbus = (table: 'holding' | 'input' | 'coil' | 'discrete') =>
      tagDefinition({ name: 'x', source: { kind: 'modbus', device: 'plc', register: 1, table } });
    expect(['holding', 'input', 'coil', 'discrete'].map((t) => isWritable(modbus(t as 'holding')))).toEqual([
      true,
      false,
      true,
      false,
    ]);
    expect(sourceLabel(modbus('coil'))).toBe('Modbus plc coil 1');
  });

  it('parses what the operator typed by data type', () => {
    expect(parseTagValue('float', ' 12,5 ')).toEqual({ ok: true, value: 12.5 });
    expect(parseTagValue('float', '')).toMatchObject({ ok: false });
    expect(parseTagValue('int', '-7')).toEqual({ ok: true, value: -7 });
    expect(parseTagValue('int', '7.5')).toMatchObject({
      ok: false,
      message: 'Enter a whole number, e.g. 42',
    });
    expect(parseTagValue('bool', 'TRUE')).toEqual({ ok: true, value: true });
    expect(parseTagValue('bool', 'off')).toEqual({ ok: true, value: false });
    expect(parseTagValue('bool', 'maybe')).toMatchObject({ ok: false });
    expect(parseTagValue('string', ' keep spaces ')).toEqual({ ok: true, value: ' keep spaces ' });
  });

  it('orders values by time; a value without one is the oldest', () => {
    const older = tagValue({ name: 'a', ts: '2025-06-01T00:00:00Z' });
    const newer = tagValue({ name: 'a', ts: '2025-06-01T00:00:01Z' });
    const none = tagValue({ name: 'a', ts: null });
    expect(isNewer(newer, older)).toBe(true);
    expect(isNewer(older, newer)).toBe(false);
    expect(isNewer(none, older)).toBe(false);
    expect(isNewer(older, none)).toBe(true);
    expect(isNewer(none, undefined)).toBe(true);
    // Text of the same length compares as time; other forms are parsed.
    const ms = (ts: string) => tagValue({ name: 'a', ts });
    expect(isNewer(ms('2025-06-01T00:00:00.900Z'), ms('2025-06-01T00:00:01.000Z'))).toBe(false);
    expect(isNewer(ms('2025-06-01T00:00:01.000Z'), ms('2025-06-01T00:00:00.900Z'))).toBe(true);
    expect(isNewer(ms('2025-06-01T00:00:00.500Z'), ms('2025-06-01T00:00:00Z'))).toBe(true);
  });
});
