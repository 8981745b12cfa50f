// Also imports the node's settings schema (the protocol's, with its CRON check) at run time: a spec only, to
// hold the form's checks to what the node answers (the dashboard itself runs only node-core/protocol/).
import { describe, expect, it } from 'vitest';
import { describeSettingsIssues, nodeSettingsSchema } from '../../../node-core/node/settings.ts';
import type { NodeSettings } from '../../../node-core/dto.ts';
import { nodeSettings } from '../test/settings-fixtures.ts';
import {
  checkForm,
  differences,
  errorsFromMessage,
  formFromSettings,
  settingsWarnings,
  type SettingsForm,
  peerDifferences,
} from './settings-form.ts';
import { HINTS } from './settings-hints.ts';

/** What the node answers for these settings: `ok`, or its 400 message. */
function nodeSays(settings: unknown): string {
  const parsed = nodeSettingsSchema.safeParse(settings);
  return parsed.success ? 'ok' : describeSettingsIssues(parsed.error);
}

/** What the form shows for the same input, in the node's `field: message` form. */
function formSays(form: SettingsForm): string {
  const check = checkForm(form);
  return check.ok
    ? 'ok'
    : Object.entries(check.errors)
        .map(([field, message]) => `${field}: ${message}`)
        .join('; ');
}

const base = nodeSettings();
const edit = (changes: Partial<SettingsForm>): SettingsForm => ({ ...formFromSettings(base), ...changes });

describe('settings form', () => {
  it('turns settings into form text and back unchanged', () => {
    const full: NodeSettings = nodeSettings({
      mode: 'backup',
      masterHost: '10.0.0.1',
      recovery: 'window',
      restoreWindow: { cron: '0 2 * * *', lengthMs: 1_800_000 },
      isolationCheck: { host: 'plc-1', port: 502 },
      licenseFile: '/etc/tandem/license.json',
      opcuaMaxSessions: 250,
      opcuaMaxSubscriptionsPerSession: 5,
    });
    expect(checkForm(formFromSettings(full))).toEqual({ ok: true, settings: full });
    expect(checkForm(formFromSettings(base))).toEqual({ ok: true, settings: base });
  });

  // Each case: the form's input, and the same settings as the node would get them.
  const cases: [string, Partial<SettingsForm>, (s: NodeSettings) => unknown][] = [
    ['ping rate 0', { 'timing.pingRateMs': '0' }, (s) => ({ ...s, timing: { ...s.timing, pingRateMs: 0 } })],
    [
      'ping rate a fraction',
      { 'timing.pingRateMs': '1.5' },
      (s) => ({ ...s, timing: { ...s.timing, pingRateMs: 1.5 } }),
    ],
    [
      'ping timeout too long',
      { 'timing.pingTimeoutMs': '3600001' },
      (s) => ({ ...s, timing: { ...s.timing, pingTimeoutMs: 3_600_001 } }),
    ],
    [
      'missed pings 0',
      { 'timing.missedPings': '0' },
      (s) => ({ ...s, timing: { ...s.timing, missedPings: 0 } }),
    ],
    [
      'failover time negative',
      { 'timing.failoverTimeMs': '-1' },
      (s) => ({ ...s, timing: { ...s.timing, failoverTimeMs: -1 } }),
    ],
    [
      'connection wait too long',
      { 'timing.connectionWaitMs': '3600001' },
      (s) => ({ ...s, timing: { ...s.timing, connectionWaitMs: 3_600_001 } }),
    ],
    ['API port too high', { apiPort: '65536' }, (s) => ({ ...s, apiPort: 65536 })],
    ['master port 0', { masterPort: '0' }, (s) => ({ ...s, masterPort: 0 })],
    ['empty name', { name: '   ' }, (s) => ({ ...s, name: '   ' })],
    ['long name', { name: 'x'.repeat(129) }, (s) => ({ ...s, name: 'x'.repeat(129) })],
    ['empty API host', { apiHost: '' }, (s) => ({ ...s, apiHost: '' })],
    ['backup without master', { mode: 'backup' }, (s) => ({ ...s, mode: 'backup' })],
    ['window without a window', { recovery: 'window' }, (s) => ({ ...s, recovery: 'window' })],
    [
      'window length 0',
      { 'restoreWindow.cron': '0 2 * * *', 'restoreWindow.lengthMs': '0' },
      (s) => ({ ...s, restoreWindow: { cron: '0 2 * * *', lengthMs: 0 } }),
    ],
    [
      'window without cron',
      { 'restoreWindow.lengthMs': '1000' },
      (s) => ({ ...s, restoreWindow: { cron: '', lengthMs: 1000 } }),
    ],
    [
      'isolation without port',
      { 'isolationCheck.host': 'plc-1' },
      (s) => ({ ...s, isolationCheck: { host: 'plc-1', port: NaN } }),
    ],
    [
      'isolation port 0',
      { 'isolationCheck.host': 'plc-1', 'isolationCheck.port': '0' },
      (s) => ({ ...s, isolationCheck: { host: 'plc-1', port: 0 } }),
    ],
    // The Sparkplug rules came to the form with the wire protocol's schema; before, it checked only a length.
    [
      'Sparkplug group of two topic levels',
      { mqttUrl: 'mqtt://broker:1883', sparkplugGroup: 'plant/line1' },
      (s) => ({ ...s, mqttUrl: 'mqtt://broker:1883', sparkplugGroup: 'plant/line1' }),
    ],
    [
      'MQTT broker that is not an mqtt:// URL',
      { mqttUrl: 'http://broker', sparkplugGroup: 'plant' },
      (s) => ({ ...s, mqttUrl: 'http://broker', sparkplugGroup: 'plant' }),
    ],
    [
      'MQTT broker without a group',
      { mqttUrl: 'mqtt://broker:1883' },
      (s) => ({ ...s, mqttUrl: 'mqtt://broker:1883' }),
    ],
    ['OPC UA sessions 0', { opcuaMaxSessions: '0' }, (s) => ({ ...s, opcuaMaxSessions: 0 })],
    [
      'OPC UA sessions beyond 10,000',
      { opcuaMaxSessions: '10001' },
      (s) => ({ ...s, opcuaMaxSessions: 10_001 }),
    ],
    [
      'OPC UA subscriptions per session beyond 1,000',
      { opcuaMaxSubscriptionsPerSession: '1001' },
      (s) => ({ ...s, opcuaMaxSubscriptionsPerSession: 1001 }),
    ],
    [
      'OPC UA subscriptions per session a fraction',
      { opcuaMaxSubscriptionsPerSession: '2.5' },
      (s) => ({ ...s, opcuaMaxSubscriptionsPerSession: 2.5 }),
    ],
    [
      'client certificate without its key',
      { mqttCertFile: '/etc/tandem/client.pem' },
      (s) => ({ ...s, mqttCertFile: '/etc/tandem/client.pem' }),
    ],
  ];

  it.each(cases)('says what the node says: %s', (_what, input, asNode) => {
    const said = nodeSays(asNode(base));
    expect(said).not.toBe('ok');
    expect(formSays(edit(input))).toBe(said);
  });

  // The form runs the protocol's settingsWarnings, the node's own; these say what an operator reads.
  it('warns about a master that gives up on its backup too soon, and about a renamed pair', () => {
    expect(
      settingsWarnings(nodeSettings({ recovery: 'manual', timing: { connectionWaitMs: 2000 } })),
    ).toEqual([expect.stringContaining('timing.connectionWaitMs: 2000 ms is shorter than the 4000 ms')]);
    expect(settingsWarnings(nodeSettings({ recovery: 'manual' }))).toEqual([]);
    expect(settingsWarnings(nodeSettings({ name: 'renamed' }), base)).toEqual([
      expect.stringContaining('name: both nodes of a pair carry the same name; give the peer "renamed" too'),
    ]);
  });

  it('places each part of a 400 next to its field; the rest stays general', () => {
    const form = formFromSettings(base);
    expect(
      errorsFromMessage(
        'timing.pingRateMs: must be a whole number; restoreWindow.cron: is not a valid CRON expression; body: odd',
        form,
      ),
    ).toEqual({
      fields: {
        'timing.pingRateMs': 'must be a whole number',
        'restoreWindow.cron': 'is not a valid CRON expression',
      },
      other: ['body: odd'],
    });
  });

  it('OPC UA limits: empty leaves the node its default (and the help line names it), a number is saved', () => {
    const unset = checkForm(edit({ opcuaMaxSessions: '', opcuaMaxSubscriptionsPerSession: ' ' }));
    expect(unset.ok && unset.settings.opcuaMaxSessions).toBeUndefined();
    expect(unset.ok && unset.settings.opcuaMaxSubscriptionsPerSession).toBeUndefined();
    expect(HINTS.opcuaMaxSessions).toContain('Empty: 100.');
    expect(HINTS.opcuaMaxSubscriptionsPerSession).toContain('Empty: 20.');
    const set = checkForm(edit({ opcuaMaxSessions: '250', opcuaMaxSubscriptionsPerSession: '5' }));
    expect(set.ok && [set.settings.opcuaMaxSessions, set.settings.opcuaMaxSubscriptionsPerSession]).toEqual([
      250, 5,
    ]);
    expect(formSays(edit({ opcuaMaxSessions: '0' }))).toBe(
      'opcuaMaxSessions: must be a whole number from 1 to 10000',
    );
  });

  it('lists what saved settings change', () => {
    const next = nodeSettings({ standby: 'cold', timing: { pingRateMs: 500 } });
    expect(differences(base, next)).toEqual([
      { path: 'standby', from: 'warm', to: 'cold' },
      { path: 'timing.pingRateMs', from: '1000', to: '500' },
    ]);
  });
});

describe('peerDifferences', () => {
  it("finds the field of each setting node-core names in the status's settingsDifferences", () => {
    // As node-core/node/pairing.ts settingsDifferences() writes them.
    const found = peerDifferences([
      'recovery: automatic here, manual on the peer',
      'ping rate: 1000 ms here, 500 ms on the peer',
      'ping timeout: 3000 ms here, 2000 ms on the peer',
      'missed pings: 3 here, 5 on the peer',
      'failover time: 10000 ms here, 5000 ms on the peer',
    ]);
    expect(found.map((d) => d.field)).toEqual([
      'recovery',
      'timing.pingRateMs',
      'timing.pingTimeoutMs',
      'timing.missedPings',
      'timing.failoverTimeMs',
    ]);
    expect(found[1]?.values).toBe('1000 ms here, 500 ms on the peer');
    expect(peerDifferences(['shoe size: 42 here, 43 on the peer'])).toEqual([
      { field: null, values: '42 here, 43 on the peer', line: 'shoe size: 42 here, 43 on the peer' },
    ]);
  });
});
