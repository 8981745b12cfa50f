import { describe, expect, it } from 'vitest';
import type { ModbusSource, ModbusTable } from './device-definition.ts';
import type { DriverTag } from './driver.ts';
import { planReads } from './modbus-plan.ts';

function tag(name: string, table: ModbusTable, register: number): DriverTag<ModbusSource> {
  return { name, dataType: 'float', source: { kind: 'modbus', device: 'd', table, register } };
}

function shape(tags: DriverTag<ModbusSource>[]): string[] {
  return planReads(tags).map(
    (b) => `${b.table} ${b.start}+${b.count} [${b.tags.map((t) => t.name).join(',')}]`,
  );
}

describe('planReads: as few requests as reasonable', () => {
  it('joins nearby registers of one table into one request, whatever the order of the tags', () => {
    expect(shape([tag('c', 'holding', 12), tag('a', 'holding', 0), tag('b', 'holding', 5)])).toEqual([
      'holding 0+13 [a,b,c]',
    ]);
  });

  it('splits at a large gap, per table, and bits separately from registers', () => {
    expect(
      shape([
        tag('a', 'holding', 0),
        tag('b', 'holding', 100),
        tag('c', 'input', 0),
        tag('d', 'coil', 0),
        tag('e', 'coil', 120),
        tag('f', 'discrete', 7),
      ]),
    ).toEqual([
      'holding 0+1 [a]',
      'holding 100+1 [b]',
      'input 0+1 [c]',
      'coil 0+121 [d,e]',
      'discrete 7+1 [f]',
    ]);
  });

  it('keeps each request within the protocol limit (125 registers, 2000 bits)', () => {
    const registers = Array.from({ length: 300 }, (_, i) => tag(`r${i}`, 'holding', i));
    const blocks = planReads(registers);
    expect(blocks.map((b) => b.count)).toEqual([125, 125, 50]);
    expect(blocks.flatMap((b) => b.tags).length).toBe(300);
    const bits = Array.from({ length: 2500 }, (_, i) => tag(`c${i}`, 'coil', i));
    expect(planReads(bits).map((b) => b.count)).toEqual([2000, 500]);
  });

  it('reads a register once for two tags on it', () => {
    expect(shape([tag('a', 'holding', 3), tag('b', 'holding', 3)])).toEqual(['holding 3+1 [a,b]']);
    expect(planReads([])).toEqual([]);
  });
});
