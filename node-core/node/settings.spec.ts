import { describe, expect, it } from 'vitest';
import {
  applySettingsChange,
  defaultSettings,
  describeIssues,
  describeSettingsIssues,
  nodeSettingsSchema,
  settingsChangeSchema,
  settingsWarnings,
  type NodeSettings,
} from './settings.ts';

const base = defaultSettings('host-1');

function problems(value: unknown): string {
  const parsed = nodeSettingsSchema.safeParse(value);
  return parsed.success ? 'ok' : describeSettingsIssues(parsed.error);
}

describe('settings validation', () => {
  it('names the field and says the rule, the same for a wrong type, a fraction or a value out of range', () => {
    for (const pingRateMs of [0, 1.5, 'fast', 3_600_001]) {
      expect(problems({ ...base, timing: { ...base.timing, pingRateMs } })).toBe(
        'timing.pingRateMs: must be a whole number of milliseconds from 1 to 3600000',
      );
    }
    expect(problems({ ...base, timing: { ...base.timing, missedPings: 0 } })).toBe(
      'timing.missedPings: must be a whole number from 1 to 100',
    );
    expect(problems({ ...base, apiPort: 70000 })).toBe('apiPort: must be a whole number from 0 to 65535');
    expect(problems({ ...base, mode: 'primary' })).toBe('mode: must be independent, master or backup');
    expect(problems({ ...base, name: '  ' })).toBe('name: must not be empty');
  });

  it('checks the fields that belong together', () => {
    expect(problems({ ...base, mode: 'backup' })).toBe('masterHost: is required for a backup');
    expect(problems({ ...base, recovery: 'window' })).toBe(
      'restoreWindow: is required for recovery "window" (a CRON expression and a length)',
    );
    expect(problems({ ...base, restoreWindow: { cron: 'not cron', lengthMs: 1000 } })).toBe(
      'restoreWindow.cron: is not a valid CRON expression',
    );
  });

  it('names the flag on the command line', () => {
    const parsed = nodeSettingsSchema.safeParse({ ...base, timing: { ...base.timing, pingRateMs: 0 } });
    expect(parsed.success).toBe(false);
    if (!parsed.success)
      expect(describeIssues(parsed.error)).toBe(
        '--ping-rate must be a whole number of milliseconds from 1 to 3600000.',
      );
  });

  it('a change may hold any fields; unknown ones are named and refused', () => {
    expect(settingsChangeSchema.safeParse({ timing: { pingRateMs: 500 } }).success).toBe(true);
    const parsed = settingsChangeSchema.safeParse({ timing: { pingRate: 500 }, colour: 'red' });
    expect(parsed.success).toBe(false);
    if (!parsed.success)
      expect(describeSettingsIssues(parsed.error)).toBe(
        'timing.pingRate: is not a setting; colour: is not a setting',
      );
  });

  it('a change merges timing field by field and replaces the rest', () => {
    const next = applySettingsChange(base, {
      timing: { pingRateMs: 500 },
      isolationCheck: null,
    }) as NodeSettings;
    expect(next.timing).toEqual({ ...base.timing, pingRateMs: 500 });
    expect(next.name).toBe('host-1');
  });
});

describe('settingsWarnings', () => {
  const master = (recovery: NodeSettings['recovery'], connectionWaitMs: number): NodeSettings => ({
    ...base,
    mode: 'master',
    recovery,
    timing: { ...base.timing, pingRateMs: 1000, pingTimeoutMs: 3000, connectionWaitMs },
  });

  it('warns when a master with manual or window recovery may not wait long enough for the backup', () => {
    expect(settingsWarnings(master('manual', 3999))).toEqual([
      expect.stringMatching(
        /^timing\.connectionWaitMs: 3999 ms is shorter than the 4000 ms \(ping rate \+ ping timeout\).*recovery "manual"/,
      ),
    ]);
    expect(settingsWarnings(master('window', 0))).toHaveLength(1);
    expect(settingsWarnings(master('manual', 4000))).toEqual([]);
    expect(settingsWarnings(master('automatic', 0))).toEqual([]);
    expect(settingsWarnings({ ...master('manual', 0), mode: 'backup', masterHost: 'm' })).toEqual([]);
  });

  it('warns when a node of a pair is renamed, since both must carry the same name', () => {
    const current = master('automatic', 10_000);
    expect(settingsWarnings({ ...current, name: 'line-2' }, current)).toEqual([
      expect.stringContaining('name: both nodes of a pair carry the same name'),
    ]);
    const independent = { ...base, name: 'x' };
    expect(settingsWarnings({ ...independent, name: 'y' }, independent)).toEqual([]);
  });
});
