import { describe, expect, it } from 'vitest';
import { definitionOf, formValues, placeProblems, shownFields } from './config-form.ts';

describe('configuration forms', () => {
  it('a form made from an item gives that item back', () => {
    const definition = {
      dataType: 'int',
      readOnly: true,
      source: { kind: 'modbus', device: 'plc-1', register: 4, table: 'coil', scale: 2 },
    };
    const tag = { name: 't', ...definition };
    expect(definitionOf('tag', formValues('tag', tag))).toEqual(definition);
  });

  it('shows only the fields of the chosen source', () => {
    const values = formValues('tag', null);
    expect(shownFields('tag', values).map((f) => f.path)).not.toContain('source.register');
    values['source.kind'] = 'modbus';
    expect(shownFields('tag', values).map((f) => f.path)).toContain('source.register');
  });

  it('sends numbers as numbers and anything else as typed, leaving empty fields out', () => {
    const values = formValues('device', null);
    Object.assign(values, { host: ' 10.0.0.5 ', port: '5o2', pollRateMs: '250', unitId: '' });
    expect(definitionOf('device', values)).toEqual({
      protocol: 'modbus-tcp',
      host: '10.0.0.5',
      port: '5o2',
      pollRateMs: 250,
    });
  });

  it("an alarm's threshold is a number, true, false or text", () => {
    const values = formValues('alarm-rule', null);
    const threshold = (text: string): unknown =>
      definitionOf('alarm-rule', { ...values, threshold: text })['threshold'];
    expect([threshold('90.5'), threshold('false'), threshold('open')]).toEqual([90.5, false, 'open']);
  });

  it("places each part of the API's message beside the field it names; the rest stays for the form", () => {
    expect(
      placeProblems('source.register: must be 0–65535; precision: Too big; source: Invalid input; body: x', [
        'name',
        'precision',
        'source.register',
      ]),
    ).toEqual({
      fields: { 'source.register': 'must be 0–65535', precision: 'Too big' },
      form: ['source: Invalid input', 'body: x'],
    });
  });
});
