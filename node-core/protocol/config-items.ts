/**
 * The config items an API client sends and reads (docs/contract.md): devices, tag definitions and alarm rules.
 * Strict objects; each issue carries the field's path, which the API puts before the message
 * (`pollRateMs: must be at least 50 ms`). What the node does with them stays in node-core (acquisition/, data/).
 */
import { z } from 'zod';

/** A device key follows the same rule as a tag name (it is a config key too). */
const DEVICE_KEY = /^[A-Za-z0-9_.\-/]{1,200}$/;

export const deviceDefinitionSchema = z
  .object({
    protocol: z.literal('modbus-tcp', { error: 'must be "modbus-tcp"' }),
    host: z
      .string({ error: 'must be a host name or an IP address' })
      .min(1, 'must not be empty')
      .max(253, 'at most 253 characters'),
    port: z
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be 1–65535')
      .max(65535, 'must be 1–65535')
      .default(502),
    unitId: z
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(0, 'must be 0–255')
      .max(255, 'must be 0–255')
      .default(1),
    pollRateMs: z
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(50, 'must be at least 50 ms')
      .max(3_600_000, 'at most one hour'),
    timeoutMs: z
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(10, 'must be at least 10 ms')
      .max(60_000, 'at most 60000 ms')
      .default(1000),
  })
  .strict();
export type DeviceDefinition = z.infer<typeof deviceDefinitionSchema>;

/** What one tag reads from a Modbus device: one 16-bit register or one bit, scaled on the way in. */
export const modbusSourceSchema = z
  .object({
    kind: z.literal('modbus'),
    device: z
      .string({ error: 'must name a device' })
      .regex(DEVICE_KEY, 'must be 1–200 letters, digits or _ . - /'),
    register: z
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(0, 'must be 0–65535')
      .max(65535, 'must be 0–65535'),
    table: z.enum(['holding', 'input', 'coil', 'discrete'], {
      message: 'must be holding, input, coil or discrete',
    }),
    scale: z
      .number({ error: 'must be a number' })
      .refine((n) => Number.isFinite(n) && n !== 0, 'must be a finite number other than 0')
      .optional(),
  })
  .strict();
export type ModbusSource = z.infer<typeof modbusSourceSchema>;
export type ModbusTable = ModbusSource['table'];

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
    /** Engineering unit as shown to people (`°C`, `bar`); OPC UA's EngineeringUnits (docs/opcua.md). */
    unit: z.string().trim().min(1).max(32).optional(),
    /** Decimal places worth showing (0–10); for displays and the plant interfaces. */
    precision: z.number().int().min(0).max(10).optional(),
  })
  .strict();
export type TagDefinition = z.infer<typeof tagDefinitionSchema>;

export const alarmRuleSchema = z
  .object({
    tag: z.string().min(1).max(200),
    condition: z.enum(['high', 'low', 'equal']),
    threshold: z.union([z.number(), z.boolean(), z.string()]),
    deadband: z.number().min(0).default(0),
    priority: z.enum(['low', 'medium', 'high', 'critical']).default('medium'),
    message: z.string().max(500).optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if (rule.condition !== 'equal' && typeof rule.threshold !== 'number') {
      ctx.addIssue({
        code: 'custom',
        path: ['threshold'],
        message: `a ${rule.condition} alarm needs a numeric threshold`,
      });
    }
  });
export type AlarmRule = z.infer<typeof alarmRuleSchema>;
