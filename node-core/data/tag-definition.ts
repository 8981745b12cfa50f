/** Tag definitions (config data) as contract.md describes them, validated with a message naming the field. */
import { z } from 'zod';
import { modbusSourceSchema } from '../acquisition/device-definition.ts';

export const TAG_NAME = /^[A-Za-z0-9_.\-/]{1,200}$/;

const memorySource = z.object({ kind: z.literal('memory') }).strict();
const simulatorSource = z
  .object({
    kind: z.literal('simulator'),
    waveform: z.enum(['sine', 'ramp', 'random']),
    periodMs: z.number().int().min(100).max(86_400_000),
    min: z.number().default(0),
    max: z.number().default(100),
  })
  .strict();

export const tagDefinitionSchema = z
  .object({
    dataType: z.enum(['float', 'int', 'bool', 'string']),
    source: z.discriminatedUnion('kind', [memorySource, simulatorSource, modbusSourceSchema]),
    description: z.string().max(1000).optional(),
    readOnly: z.boolean().optional(),
  })
  .strict();

export type TagDefinition = z.infer<typeof tagDefinitionSchema>;
export type TagValueType = number | boolean | string;

/**
 * A memory tag can be written, and a Modbus holding register or coil (the write goes to the device);
 * simulated values and input tables cannot. `readOnly` closes any of them.
 */
export function isWritable(definition: TagDefinition): boolean {
  if (definition.readOnly === true) return false;
  const { source } = definition;
  return source.kind === 'memory' || (source.kind === 'modbus' && isWritableTable(source.table));
}

function isWritableTable(table: 'holding' | 'input' | 'coil' | 'discrete'): boolean {
  return table === 'holding' || table === 'coil';
}

/** Checks a written value against the tag's data type; returns the reason it does not fit, or null. */
export function valueProblem(definition: TagDefinition, value: unknown): string | null {
  switch (definition.dataType) {
    case 'float':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'value: expected a finite number';
    case 'int':
      return Number.isSafeInteger(value) ? null : 'value: expected a whole number';
    case 'bool':
      return typeof value === 'boolean' ? null : 'value: expected true or false';
    case 'string':
      return typeof value === 'string' && value.length <= 65_536
        ? null
        : 'value: expected a string (at most 65536 characters)';
  }
}
