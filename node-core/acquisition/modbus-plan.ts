/**
 * Which Modbus requests read a device's tags: one request per run of nearby addresses in one table, within
 * the protocol's limits. A few unused addresses in between cost less than another round trip.
 */
import type { DriverTag } from './driver.ts';
import type { ModbusSource, ModbusTable } from './device-definition.ts';

export interface ReadBlock {
  readonly table: ModbusTable;
  readonly start: number;
  readonly count: number;
  readonly tags: readonly DriverTag<ModbusSource>[];
}

export interface PlanOptions {
  /** Unused registers a request may span to join two tags (holding, input). */
  readonly maxRegisterGap: number;
  /** Unused bits a request may span to join two tags (coil, discrete). */
  readonly maxBitGap: number;
}

/** Most a single request may read (Modbus application protocol, functions 1–4). */
const MAX_REGISTERS_PER_READ = 125;
const MAX_BITS_PER_READ = 2000;

export const DEFAULT_PLAN: PlanOptions = { maxRegisterGap: 16, maxBitGap: 128 };

const TABLES: readonly ModbusTable[] = ['holding', 'input', 'coil', 'discrete'];

export function isBitTable(table: ModbusTable): boolean {
  return table === 'coil' || table === 'discrete';
}

export function planReads(
  tags: readonly DriverTag<ModbusSource>[],
  options: PlanOptions = DEFAULT_PLAN,
): ReadBlock[] {
  const blocks: ReadBlock[] = [];
  for (const table of TABLES) {
    const bits = isBitTable(table);
    const maxCount = bits ? MAX_BITS_PER_READ : MAX_REGISTERS_PER_READ;
    const maxGap = bits ? options.maxBitGap : options.maxRegisterGap;
    const sorted = tags
      .filter((t) => t.source.table === table)
      .sort((a, b) => a.source.register - b.source.register);
    let current: { start: number; end: number; tags: DriverTag<ModbusSource>[] } | null = null;
    for (const tag of sorted) {
      const register = tag.source.register;
      if (current && register - current.end - 1 <= maxGap && register - current.start + 1 <= maxCount) {
        current.end = Math.max(current.end, register);
        current.tags.push(tag);
        continue;
      }
      if (current) blocks.push(toBlock(table, current));
      current = { start: register, end: register, tags: [tag] };
    }
    if (current) blocks.push(toBlock(table, current));
  }
  return blocks;
}

function toBlock(
  table: ModbusTable,
  run: { start: number; end: number; tags: DriverTag<ModbusSource>[] },
): ReadBlock {
  return { table, start: run.start, count: run.end - run.start + 1, tags: run.tags };
}
