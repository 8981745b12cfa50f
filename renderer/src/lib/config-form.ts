/**
 * The configuration forms (devices, tags, alarm rules) as data: which fields each kind has, how a form's text
 * becomes the definition the API takes, and where the API's answer to a refused definition goes. The rules
 * themselves are node-core's alone (its schemas): a field the node refuses is sent as typed (`abc` for a port
 * goes as text), so the node's own message is what the installer reads, beside the field it names.
 */
import type { AlarmView, TagDefinitionView } from '../../../node-core/dto.ts';
import { priorityLabel, ruleLabel } from './alarm-format.ts';
import type { ConfigItem, EditedKind } from './config-client.ts';
import { countOf } from './format.ts';
import { dataTypeLabel, sourceLabel } from './tag-format.ts';

/** A form's values by field path (`host`, `source.register`): text as typed, or a checkbox's state. */
export type FormValues = Record<string, string | boolean>;

export interface FieldSpec {
  /** Where the value goes in the definition, dot-separated (the same path the API's messages name). */
  readonly path: string;
  readonly label: string;
  /**
   * `number`: a number when it reads as one, the text otherwise; `scalar`: a number, true/false or text (an
   * alarm's threshold); `select`: one of `options`; `checkbox`: true or left out.
   */
  readonly input: 'text' | 'number' | 'scalar' | 'select' | 'checkbox';
  readonly options?: readonly string[];
  /** What the node takes when the field is left empty, shown as the placeholder. */
  readonly placeholder?: string;
  /** Offer the names of this kind as suggestions (a tag's device, an alarm's tag). */
  readonly suggest?: 'device' | 'tag';
  /** Shown only while this holds (a source's own fields). */
  readonly when?: (values: FormValues) => boolean;
}

const sourceIs =
  (kind: string) =>
  (values: FormValues): boolean =>
    values['source.kind'] === kind;

const CONFIG_FIELDS: Readonly<Record<EditedKind, readonly FieldSpec[]>> = {
  device: [
    { path: 'protocol', label: 'Protocol', input: 'select', options: ['modbus-tcp'] },
    { path: 'host', label: 'Host or IP address', input: 'text', placeholder: '10.0.0.5' },
    { path: 'port', label: 'Port', input: 'number', placeholder: '502' },
    { path: 'unitId', label: 'Unit ID', input: 'number', placeholder: '1' },
    { path: 'pollRateMs', label: 'Poll rate (ms)', input: 'number', placeholder: '1000' },
    { path: 'timeoutMs', label: 'Timeout (ms)', input: 'number', placeholder: '1000' },
  ],
  tag: [
    { path: 'dataType', label: 'Data type', input: 'select', options: ['float', 'int', 'bool', 'string'] },
    { path: 'source.kind', label: 'Source', input: 'select', options: ['memory', 'simulator', 'modbus'] },
    { path: 'unit', label: 'Engineering unit', input: 'text', placeholder: '°C' },
    { path: 'precision', label: 'Precision (decimals)', input: 'number', placeholder: '0–10' },
    {
      path: 'source.waveform',
      label: 'Waveform',
      input: 'select',
      options: ['sine', 'ramp', 'random'],
      when: sourceIs('simulator'),
    },
    {
      path: 'source.periodMs',
      label: 'Period (ms)',
      input: 'number',
      placeholder: '10000',
      when: sourceIs('simulator'),
    },
    { path: 'source.min', label: 'Minimum', input: 'number', placeholder: '0', when: sourceIs('simulator') },
    {
      path: 'source.max',
      label: 'Maximum',
      input: 'number',
      placeholder: '100',
      when: sourceIs('simulator'),
    },
    { path: 'source.device', label: 'Device', input: 'text', suggest: 'device', when: sourceIs('modbus') },
    {
      path: 'source.register',
      label: 'Register',
      input: 'number',
      placeholder: '0–65535',
      when: sourceIs('modbus'),
    },
    {
      path: 'source.table',
      label: 'Table',
      input: 'select',
      options: ['holding', 'input', 'coil', 'discrete'],
      when: sourceIs('modbus'),
    },
    { path: 'source.scale', label: 'Scale', input: 'number', placeholder: '1', when: sourceIs('modbus') },
    { path: 'description', label: 'Description', input: 'text' },
    { path: 'readOnly', label: 'Read-only (never written from here)', input: 'checkbox' },
  ],
  'alarm-rule': [
    { path: 'tag', label: 'Tag', input: 'text', suggest: 'tag' },
    { path: 'condition', label: 'Condition', input: 'select', options: ['high', 'low', 'equal'] },
    { path: 'threshold', label: 'Threshold', input: 'scalar', placeholder: '90, true or text' },
    { path: 'deadband', label: 'Deadband', input: 'number', placeholder: '0' },
    { path: 'priority', label: 'Priority', input: 'select', options: ['low', 'medium', 'high', 'critical'] },
    { path: 'message', label: 'Message', input: 'text' },
  ],
};

/** The fields shown for these values (a tag's source decides which of the source's fields). */
export function shownFields(kind: EditedKind, values: FormValues): FieldSpec[] {
  return CONFIG_FIELDS[kind].filter((field) => field.when?.(values) ?? true);
}

/** A form filled from an item (editing), or empty but for each list's first choice (adding). */
export function formValues(kind: EditedKind, item: ConfigItem | null): FormValues {
  const values: FormValues = {};
  for (const field of CONFIG_FIELDS[kind]) {
    const value = item ? valueAt(item, field.path) : undefined;
    if (field.input === 'checkbox') values[field.path] = value === true;
    else if (value === undefined || value === null) values[field.path] = defaultChoice(kind, field);
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      values[field.path] = String(value);
    } else values[field.path] = JSON.stringify(value);
  }
  return values;
}

/** A new item's first choice in a list: medium priority for an alarm, otherwise the first option. */
function defaultChoice(kind: EditedKind, field: FieldSpec): string {
  if (field.input !== 'select') return '';
  if (kind === 'alarm-rule' && field.path === 'priority') return 'medium';
  return field.options?.[0] ?? '';
}

/** The definition the form's shown fields make: empty ones left out, so the node's defaults apply. */
export function definitionOf(kind: EditedKind, values: FormValues): Record<string, unknown> {
  const definition: Record<string, unknown> = {};
  for (const field of shownFields(kind, values)) {
    const value = converted(field, values[field.path]);
    if (value !== undefined) setAt(definition, field.path, value);
  }
  return definition;
}

function converted(field: FieldSpec, raw: string | boolean | undefined): unknown {
  if (typeof raw === 'boolean') return raw ? true : undefined;
  const text = (raw ?? '').trim();
  if (text === '') return undefined;
  switch (field.input) {
    case 'number':
      return numberOrText(text);
    case 'scalar':
      return text === 'true' ? true : text === 'false' ? false : numberOrText(text);
    case 'text':
    case 'select':
    case 'checkbox':
      return text;
  }
}

/** `12.5` as a number; anything else as typed, for the node to refuse in its own words. */
export function numberOrText(text: string): number | string {
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : text;
}

export function valueAt(item: Readonly<Record<string, unknown>>, path: string): unknown {
  let here: unknown = item;
  for (const part of path.split('.')) {
    if (typeof here !== 'object' || here === null) return undefined;
    here = (here as Record<string, unknown>)[part];
  }
  return here;
}

export function setAt(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let here = target;
  for (const part of parts.slice(0, -1)) {
    const next = here[part];
    here = typeof next === 'object' && next !== null ? (next as Record<string, unknown>) : (here[part] = {});
  }
  here[parts.at(-1)!] = value;
}

/** The API's message split by the fields it names; what names no field of the form stays for the form. */
export interface PlacedProblems {
  readonly fields: Readonly<Record<string, string>>;
  readonly form: readonly string[];
}

/**
 * `source.register: must be 0–65535; precision: Too big…` (the API's `field: message; …`) as a message per
 * field; a field that is not on the form (or no field) keeps its whole part for the form, verbatim.
 */
export function placeProblems(message: string, paths: readonly string[]): PlacedProblems {
  const fields: Record<string, string> = {};
  const form: string[] = [];
  for (const part of message.split(/; (?=[\w.]+: )/)) {
    const match = /^([\w.]+): ([\s\S]*)$/.exec(part);
    const path = match?.[1];
    if (path !== undefined && paths.includes(path) && fields[path] === undefined) fields[path] = match![2]!;
    else form.push(part);
  }
  return { fields, form };
}

/** One line on what an item is, for its row in the lists. */
export function itemSummary(kind: EditedKind, item: ConfigItem): string {
  switch (kind) {
    case 'device': {
      const device = item as unknown as { host: string; port?: number; unitId?: number; pollRateMs: number };
      return `${device.host}:${device.port ?? 502}, unit ${device.unitId ?? 1}, polled every ${device.pollRateMs} ms`;
    }
    case 'tag': {
      const tag = item as unknown as TagDefinitionView;
      const display = [
        dataTypeLabel(tag.dataType),
        tag.unit ? `in ${tag.unit}` : '',
        tag.precision === undefined ? '' : countOf(tag.precision, 'decimal'),
        tag.readOnly ? 'read-only' : '',
      ].filter((part) => part !== '');
      return `${sourceLabel(tag)} · ${display.join(', ')}`;
    }
    case 'alarm-rule': {
      const rule = item as unknown as AlarmView['rule'];
      return `${ruleLabel(rule)} · ${priorityLabel(rule.priority)}`;
    }
  }
}
