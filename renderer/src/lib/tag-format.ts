/** Tag values, qualities and sources as the operator reads and types them. Pure functions. */
import type { TagDefinitionView, TagQuality, TagValueView } from '../../../node-core/dto.ts';

export type TagDataType = TagDefinitionView['dataType'];
export type TagScalar = number | boolean | string;

/** The word is always shown next to the colour (never colour alone). */
export function qualityLabel(quality: TagQuality): string {
  switch (quality) {
    case 'good':
      return 'Good';
    case 'bad':
      return 'Bad';
    case 'uncertain':
      return 'Uncertain';
  }
}

/** A shape that differs per quality, for readers who cannot tell the colours apart. */
export function qualitySymbol(quality: TagQuality): string {
  switch (quality) {
    case 'good':
      return '●';
    case 'bad':
      return '✕';
    case 'uncertain':
      return '?';
  }
}

/** How a tag's values are shown, from its definition: its engineering unit and decimal places (both optional). */
export type TagDisplay = Pick<TagDefinitionView, 'unit' | 'precision'>;

/** `12.5`: with `precision` decimal places when the tag has one, else to six significant digits; no locale. */
export function formatNumber(value: number, precision?: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (precision !== undefined) return value.toFixed(precision);
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}

/**
 * `12.5 °C`, `true`, `open`: a number with the tag's precision and unit (when its definition has them), other
 * values as they are; `—` for no value.
 */
export function formatTagValue(
  value: TagValueView['value'] | undefined,
  display?: TagDisplay | null,
): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') return `${formatNumber(value, display?.precision)}${unitSuffix(display)}`;
  return String(value);
}

/** ` °C` for a tag with a unit, '' without: what follows a number. */
export function unitSuffix(display: TagDisplay | null | undefined): string {
  return display?.unit ? ` ${display.unit}` : '';
}

/** Where a tag's value comes from, in a few words. */
export function sourceLabel(definition: TagDefinitionView): string {
  const { source } = definition;
  switch (source.kind) {
    case 'memory':
      return 'Memory';
    case 'simulator':
      return `Simulator (${source.waveform})`;
    case 'modbus':
      return `Modbus ${source.device} ${source.table} ${source.register}`;
  }
}

/** Mirrors node-core's rule: memory tags, Modbus holding registers and coils, unless `readOnly`. */
export function isWritable(definition: TagDefinitionView): boolean {
  if (definition.readOnly === true) return false;
  const { source } = definition;
  return (
    source.kind === 'memory' ||
    (source.kind === 'modbus' && (source.table === 'holding' || source.table === 'coil'))
  );
}

export function dataTypeLabel(dataType: TagDataType): string {
  switch (dataType) {
    case 'float':
      return 'number';
    case 'int':
      return 'whole number';
    case 'bool':
      return 'true or false';
    case 'string':
      return 'text';
  }
}

export type ParsedValue =
  { readonly ok: true; readonly value: TagScalar } | { readonly ok: false; readonly message: string };

/** What the operator typed, as the tag's data type; a message that says what is expected otherwise. */
export function parseTagValue(dataType: TagDataType, text: string): ParsedValue {
  const trimmed = text.trim();
  switch (dataType) {
    case 'float': {
      const value = Number(trimmed.replace(',', '.'));
      return trimmed !== '' && Number.isFinite(value)
        ? { ok: true, value }
        : { ok: false, message: 'Enter a number, e.g. 12.5' };
    }
    case 'int': {
      const value = Number(trimmed);
      return /^[-+]?\d+$/.test(trimmed) && Number.isSafeInteger(value)
        ? { ok: true, value }
        : { ok: false, message: 'Enter a whole number, e.g. 42' };
    }
    case 'bool': {
      const lower = trimmed.toLowerCase();
      if (lower === 'true' || lower === '1' || lower === 'on') return { ok: true, value: true };
      if (lower === 'false' || lower === '0' || lower === 'off') return { ok: true, value: false };
      return { ok: false, message: 'Choose true or false' };
    }
    case 'string':
      return text.length <= 65_536
        ? { ok: true, value: text }
        : { ok: false, message: 'Text can be at most 65536 characters' };
  }
}

/** Whether `next` is at least as new as `current` (a value with no time is older than any other). */
export function isNewer(next: TagValueView, current: TagValueView | undefined): boolean {
  if (!current || current.ts === null) return true;
  if (next.ts === null) return false;
  // The node writes every time with toISOString(): same length, so the text orders as the time does
  // (and comparing text is much cheaper than parsing 10,000 dates).
  if (next.ts.length === current.ts.length && next.ts.endsWith('Z') && current.ts.endsWith('Z'))
    return next.ts >= current.ts;
  return Date.parse(next.ts) >= Date.parse(current.ts);
}
