/** Alarm rules (config kind 'alarm-rule') and their evaluation: a pure function of rule, value and state. */
import { z } from 'zod';
import type { TagValueType } from './tag-definition.ts';

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

/**
 * Whether the alarm is active after seeing `value`. High/low alarms clear only once the value is back by
 * more than the deadband, so a value hovering at the threshold does not make the alarm flap.
 */
export function evaluateAlarm(rule: AlarmRule, value: TagValueType | null, wasActive: boolean): boolean {
  if (value === null) return wasActive;
  switch (rule.condition) {
    case 'equal':
      return value === rule.threshold;
    case 'high': {
      if (typeof value !== 'number' || typeof rule.threshold !== 'number') return wasActive;
      return wasActive ? value > rule.threshold - rule.deadband : value > rule.threshold;
    }
    case 'low': {
      if (typeof value !== 'number' || typeof rule.threshold !== 'number') return wasActive;
      return wasActive ? value < rule.threshold + rule.deadband : value < rule.threshold;
    }
  }
}
