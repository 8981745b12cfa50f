/**
 * Devices (config kind 'device') and the Modbus tag source that points at one. Validated like every other
 * config item: strict objects; each issue carries the field's path, which the API puts before the message
 * (`pollRateMs: must be at least 50 ms`), and `describeIssues` does the same for logs and fault reasons.
 */
import { z } from 'zod';

/** A device key follows the same rule as a tag name (it is a config key too). */
export const DEVICE_KEY = /^[A-Za-z0-9_.\-/]{1,200}$/;

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

/** `field: message; field: message`, the way the API reports a bad body. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'definition'}: ${i.message}`).join('; ');
}
