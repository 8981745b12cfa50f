/** Alarm rules (config kind 'alarm-rule') and their evaluation: a pure function of rule, value and state. */
import type { AlarmRule } from '../protocol/config-items.ts';
import type { TagValueType } from './tag-definition.ts';

// The rule's schema is a wire shape: one source in protocol/.
export { alarmRuleSchema, type AlarmRule } from '../protocol/config-items.ts';

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
