/** The node's settings: what the flags of contract.md set, validated as one object, stored in the database. */
import type { z } from 'zod';
import { validateCron } from '../redundancy/restore-window.ts';
import { SPARKPLUG_FLAG_OF_SETTING, sparkplugDefaults } from '../plant/sparkplug/sparkplug-settings.ts';
import { OPCUA_LIMIT_FLAG_OF_SETTING, opcuaLimitDefaults } from '../plant/opcua/opcua-limits.ts';
import { settingsSchemas, type NodeSettings, type SettingsChange } from '../protocol/settings.ts';

// The rules are the wire protocol's (protocol/settings.ts), which the dashboard's settings form checks too.
export {
  describeSettingsIssues,
  settingsWarnings,
  type NodeSettings,
  type SettingsChange,
} from '../protocol/settings.ts';

function isCron(expression: string): boolean {
  try {
    validateCron(expression);
    return true;
  } catch {
    return false;
  }
}

/** The node's schemas: the protocol's rules, with the CRON expression checked by the CRON library. */
const schemas = settingsSchemas(isCron);
export const nodeSettingsSchema = schemas.schema;
/** A change to the saved settings (`PUT /api/settings`); unknown fields are refused. */
export const settingsChangeSchema = schemas.change;

export function defaultSettings(hostName: string): NodeSettings {
  return {
    name: hostName,
    mode: 'independent',
    peerHost: '0.0.0.0',
    peerPort: 8099,
    masterHost: null,
    masterPort: 8099,
    apiHost: '127.0.0.1',
    apiPort: 8088,
    standby: 'warm',
    recovery: 'automatic',
    restoreWindow: null,
    isolationCheck: null,
    timing: {
      pingRateMs: 1000,
      pingTimeoutMs: 3000,
      missedPings: 3,
      failoverTimeMs: 10_000,
      connectionWaitMs: 10_000,
    },
    licenseFile: null,
    licensePublicKeyFile: null,
    historyRetentionDays: 90,
    ledgerRetentionDays: 7,
    ...sparkplugDefaults,
    opcuaPort: 4840,
    opcuaHost: null,
    opcuaAllowInsecure: false,
    ...opcuaLimitDefaults,
  };
}

/** The flag that sets each setting, so that errors name what the operator typed. */
const FLAG_OF_SETTING: Readonly<Record<string, string>> = {
  name: '--name',
  mode: '--mode',
  peerHost: '--peer-host',
  peerPort: '--peer-port',
  masterHost: '--master-host',
  masterPort: '--master-port',
  apiHost: '--api-host',
  apiPort: '--api-port',
  standby: '--standby',
  recovery: '--recovery',
  restoreWindow: '--restore-window',
  'restoreWindow.cron': '--restore-window',
  'restoreWindow.lengthMs': '--restore-window-length',
  isolationCheck: '--isolation-check',
  'isolationCheck.host': '--isolation-check',
  'isolationCheck.port': '--isolation-check',
  'timing.pingRateMs': '--ping-rate',
  'timing.pingTimeoutMs': '--ping-timeout',
  'timing.missedPings': '--missed-pings',
  'timing.failoverTimeMs': '--failover-time',
  'timing.connectionWaitMs': '--connection-wait',
  licenseFile: '--license',
  licensePublicKeyFile: '--license-public-key',
  historyRetentionDays: '--history-retention',
  ledgerRetentionDays: '--ledger-retention',
  ...SPARKPLUG_FLAG_OF_SETTING,
  opcuaPort: '--opcua-port',
  opcuaHost: '--opcua-host',
  opcuaAllowInsecure: '--opcua-allow-insecure',
  ...OPCUA_LIMIT_FLAG_OF_SETTING,
};

/**
 * Each wrong field as a sentence naming the flag an operator typed, and the value when the parse kept it
 * (`reportInput`): `--mode must be independent, master or backup, not "mastr".`
 */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.join('.') || 'settings';
      const flag = FLAG_OF_SETTING[field] ?? field;
      const reads = /^(must|is) /.test(issue.message);
      const given =
        reads && issue.input !== undefined && issue.input !== null && typeof issue.input !== 'object'
          ? `, not ${JSON.stringify(issue.input)}`
          : '';
      return `${flag}${reads ? ' ' : ': '}${issue.message}${given}.`;
    })
    .join(' ');
}

/**
 * The problems of settings given on the command line, or null, checked before the data directory is made or
 * opened so that a bad flag leaves nothing behind. On a first start the settings are the defaults and these;
 * later, each given field is checked alone, and the rules that join fields (a backup needs a master host)
 * wait for the stored settings in createNode, which saves nothing unless the node comes up.
 */
export function givenSettingsProblems(
  hostName: string,
  given: Partial<Omit<NodeSettings, 'timing'>> & { timing?: Partial<NodeSettings['timing']> },
  firstStart: boolean,
): string | null {
  const defaults = defaultSettings(hostName);
  const parsed = firstStart
    ? nodeSettingsSchema.safeParse(
        { ...defaults, ...given, timing: { ...defaults.timing, ...given.timing } },
        { reportInput: true },
      )
    : settingsChangeSchema.safeParse(given, { reportInput: true });
  return parsed.success ? null : describeIssues(parsed.error);
}

/** The settings a change leads to: the timing fields are merged one by one, every other field replaced. */
export function applySettingsChange(base: NodeSettings, change: SettingsChange): unknown {
  return { ...base, ...change, timing: { ...base.timing, ...change.timing } };
}
