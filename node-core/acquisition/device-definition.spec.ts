import { describe, expect, it } from 'vitest';
import { describeIssues, deviceDefinitionSchema, modbusSourceSchema } from './device-definition.ts';

function problem(schema: typeof deviceDefinitionSchema | typeof modbusSourceSchema, input: unknown): string {
  const parsed = schema.safeParse(input);
  return parsed.success ? 'ok' : describeIssues(parsed.error);
}

describe('device definitions', () => {
  it('fills the defaults: port 502, unit 1, timeout 1000 ms', () => {
    expect(deviceDefinitionSchema.parse({ protocol: 'modbus-tcp', host: 'plc1', pollRateMs: 500 })).toEqual({
      protocol: 'modbus-tcp',
      host: 'plc1',
      port: 502,
      unitId: 1,
      pollRateMs: 500,
      timeoutMs: 1000,
    });
  });

  it('names the field that is wrong', () => {
    const base = { protocol: 'modbus-tcp', host: 'plc1', pollRateMs: 500 };
    expect(problem(deviceDefinitionSchema, { ...base, pollRateMs: 10 })).toBe(
      'pollRateMs: must be at least 50 ms',
    );
    expect(problem(deviceDefinitionSchema, { ...base, unitId: 256 })).toBe('unitId: must be 0–255');
    expect(problem(deviceDefinitionSchema, { ...base, port: 0 })).toBe('port: must be 1–65535');
    expect(problem(deviceDefinitionSchema, { ...base, host: '' })).toBe('host: must not be empty');
    expect(problem(deviceDefinitionSchema, { ...base, protocol: 'opc-ua' })).toBe(
      'protocol: must be "modbus-tcp"',
    );
    expect(problem(deviceDefinitionSchema, { protocol: 'modbus-tcp', host: 'x' })).toMatch(/^pollRateMs: /);
    expect(problem(deviceDefinitionSchema, { ...base, extra: 1 })).toMatch(/extra/);
  });
});

describe('the Modbus tag source', () => {
  it('takes a device, a register 0–65535, a table and an optional non-zero scale', () => {
    const ok = { kind: 'modbus', device: 'plc1', register: 40, table: 'holding', scale: 0.1 };
    expect(modbusSourceSchema.parse(ok)).toEqual(ok);
    expect(problem(modbusSourceSchema, { ...ok, register: 65536 })).toBe('register: must be 0–65535');
    expect(problem(modbusSourceSchema, { ...ok, table: 'eeprom' })).toBe(
      'table: must be holding, input, coil or discrete',
    );
    expect(problem(modbusSourceSchema, { ...ok, scale: 0 })).toBe(
      'scale: must be a finite number other than 0',
    );
    expect(problem(modbusSourceSchema, { ...ok, device: 'a b' })).toMatch(/^device: /);
  });
});
