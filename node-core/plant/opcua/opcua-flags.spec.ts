/**
 * The OPC UA flags as the CLI reads them (docs/opcua.md "Settings", docs/contract.md): the session and
 * subscription limits, checked like every setting, and `--opcua-allow-insecure` turned off again.
 */
import { describe, expect, it } from 'vitest';
import { parseNodeFlags, settingsFromFlags } from '../../cli/flags.ts';
import { defaultSettings, givenSettingsProblems } from '../../node/settings.ts';
import { UsageError } from '../../errors.ts';
import { opcuaLimits } from './opcua-limits.ts';

const settings = (...argv: string[]): Record<string, unknown> => settingsFromFlags(parseNodeFlags(argv));

describe('OPC UA flags', () => {
  it('--opcua-max-sessions and --opcua-max-subscriptions-per-session set the limits; without them the defaults hold', () => {
    expect(settings('--opcua-max-sessions', '3', '--opcua-max-subscriptions-per-session', '2')).toMatchObject(
      { opcuaMaxSessions: 3, opcuaMaxSubscriptionsPerSession: 2 },
    );
    expect(opcuaLimits(defaultSettings('h'))).toEqual({ sessions: 100, subscriptionsPerSession: 20 });
    // Settings stored by an earlier version have no limits: the defaults apply.
    expect(opcuaLimits({})).toEqual({ sessions: 100, subscriptionsPerSession: 20 });
  });

  it('a limit that is not a whole number from 1 up is refused with a sentence naming the flag', () => {
    expect(() => settings('--opcua-max-sessions', 'many')).toThrow(
      new UsageError('--opcua-max-sessions must be a whole number, not "many".'),
    );
    expect(givenSettingsProblems('h', settings('--opcua-max-sessions', '0'), true)).toBe(
      '--opcua-max-sessions must be a whole number from 1 to 10000, not 0.',
    );
    expect(givenSettingsProblems('h', settings('--opcua-max-subscriptions-per-session', '1001'), false)).toBe(
      '--opcua-max-subscriptions-per-session must be a whole number from 1 to 1000, not 1001.',
    );
  });

  it('--no-opcua-allow-insecure and --opcua-allow-insecure=false turn the stored switch off; =true turns it on', () => {
    expect(settings('--opcua-allow-insecure')).toEqual({ opcuaAllowInsecure: true });
    expect(settings('--no-opcua-allow-insecure')).toEqual({ opcuaAllowInsecure: false });
    expect(settings('--opcua-allow-insecure=false')).toEqual({ opcuaAllowInsecure: false });
    expect(settings('--opcua-allow-insecure=true')).toEqual({ opcuaAllowInsecure: true });
    // Not given: nothing said, so the stored value stays.
    expect(settings('--opcua-port', '4840')).not.toHaveProperty('opcuaAllowInsecure');
    expect(() => settings('--opcua-allow-insecure=maybe')).toThrow(
      new UsageError('--opcua-allow-insecure takes no value, or =true or =false; not "maybe".'),
    );
    expect(() => settings('--no-opcua-allow-insecure=true')).toThrow(
      new UsageError('--no-opcua-allow-insecure takes no value.'),
    );
    expect(() => settings('--no-opcua-port')).toThrow(UsageError);
  });
});
