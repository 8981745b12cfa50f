/** Alarms as the operator reads them. Pure functions; every switch is exhaustive. */
import type { AlarmView } from '../../../node-core/dto.ts';
import type { AlarmCondition, AlarmPriority } from './alarms-state.svelte.ts';
import { unitSuffix, type TagDisplay } from './tag-format.ts';

export function priorityLabel(priority: AlarmPriority): string {
  switch (priority) {
    case 'critical':
      return 'Critical';
    case 'high':
      return 'High';
    case 'medium':
      return 'Medium';
    case 'low':
      return 'Low';
  }
}

export function conditionLabel(condition: AlarmCondition): string {
  switch (condition) {
    case 'active-unacked':
      return 'Active, unacknowledged';
    case 'active-acked':
      return 'Active, acknowledged';
    case 'cleared-unacked':
      return 'Cleared, unacknowledged';
    case 'normal':
      return 'Normal';
  }
}

/**
 * `boiler.temp > 90 °C (deadband 2 °C)`: the threshold as configured (not rounded), with the tag's unit when
 * its definition has one.
 */
export function ruleLabel(rule: AlarmView['rule'], display?: TagDisplay | null): string {
  const unit = typeof rule.threshold === 'number' ? unitSuffix(display) : '';
  const threshold = `${JSON.stringify(rule.threshold)}${unit}`;
  const deadband = rule.deadband > 0 ? ` (deadband ${rule.deadband}${unitSuffix(display)})` : '';
  switch (rule.condition) {
    case 'high':
      return `${rule.tag} > ${threshold}${deadband}`;
    case 'low':
      return `${rule.tag} < ${threshold}${deadband}`;
    case 'equal':
      return `${rule.tag} = ${threshold}`;
  }
}
