/**
 * Devices (config kind 'device') and the Modbus tag source that points at one. Validated like every other
 * config item: strict objects; each issue carries the field's path, which the API puts before the message
 * (`pollRateMs: must be at least 50 ms`), and `describeIssues` does the same for logs and fault reasons.
 */
import type { z } from 'zod';

// The schemas are wire shapes: one source in protocol/.
export {
  deviceDefinitionSchema,
  modbusSourceSchema,
  type DeviceDefinition,
  type ModbusSource,
  type ModbusTable,
} from '../protocol/config-items.ts';

/** `field: message; field: message`, the way the API reports a bad body. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'definition'}: ${i.message}`).join('; ');
}
