/** Tag definitions (config data) as contract.md describes them, validated with a message naming the field. */
import { z } from 'zod';
import { tagDefinitionSchema, type TagDefinition } from '../protocol/config-items.ts';

// The definition's schema is a wire shape: one source in protocol/.
export { tagDefinitionSchema, type TagDefinition };

/** The characters and length of every config key (tag, device, alarm rule): what a stored key may be. */
export const TAG_NAME = /^[A-Za-z0-9_.\-/]{1,200}$/;
const TAG_NAME_MAX = 200;

/**
 * Why `name` cannot name new config (a tag, a device, an alarm rule), or null when it can: TAG_NAME, and a
 * `/` only between parts of a path (`line1/pump.speed`), none of them `.` or `..`. A URL resolves `.` and
 * `..` (`/api/config/tags/..` is `/api/config/`), so no client could address such an item again; an empty
 * part (a leading, trailing or doubled `/`) is lost wherever a name becomes a path (topics, browse paths).
 */
export function nameProblem(name: string): string | null {
  if (name.length === 0 || name.length > TAG_NAME_MAX)
    return `must be 1–${TAG_NAME_MAX} characters (this one has ${name.length})`;
  const stray = /[^A-Za-z0-9_.\-/]/u.exec(name);
  if (stray) return `may hold only letters, digits and _ . - / (not ${JSON.stringify(stray[0])})`;
  const parts = name.split('/');
  if (parts.includes(''))
    return 'may not start or end with "/" or hold "//": a "/" separates parts of a name';
  if (parts.some((part) => part === '.' || part === '..'))
    return 'no part of a name may be "." or ".." (a URL resolves them, so the item could not be addressed)';
  return null;
}

/** A name for new config (nameProblem), checked with a message naming the rule it breaks. */
export const configNameSchema = z.string().superRefine((name, ctx) => {
  const problem = nameProblem(name);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

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
