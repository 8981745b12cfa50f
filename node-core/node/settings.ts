/** The node's settings: what the flags of contract.md set, validated as one object, stored in the database. */
import { z } from 'zod';
import { validateCron } from '../redundancy/restore-window.ts';
import {
  SPARKPLUG_FLAG_OF_SETTING,
  sparkplugDefaults,
  sparkplugSettingsFields,
  sparkplugSettingsIssues,
} from '../plant/sparkplug/sparkplug-settings.ts';
import {
  OPCUA_LIMIT_FLAG_OF_SETTING,
  opcuaLimitDefaults,
  opcuaLimitFields,
} from '../plant/opcua/opcua-limits.ts';

/**
 * Every issue message is written for an operator and is the same wherever the setting is given: after the
 * flag on the command line (`--ping-rate must be …`), after the field in an API answer
 * (`timing.pingRateMs: must be …`), and next to the input on the dashboard's settings screen, which checks
 * the same rules before it sends (renderer/src/lib/settings-form.ts; a spec there keeps the two in step).
 */
export const MAX_MS = 3_600_000;

/** A whole number in a range; any failure (type, fraction, range) gets the one message that says the rule. */
function wholeNumber(min: number, max: number, unit = ''): z.ZodNumber {
  const message = `must be a whole number${unit ? ` of ${unit}` : ''} from ${min} to ${max}`;
  return z.number({ error: message }).int({ error: message }).min(min, { error: message }).max(max, {
    error: message,
  });
}

const text = (max: number): z.ZodString =>
  z
    .string({ error: 'must be text' })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be ${max} characters or fewer` });

const host = text(253);
const path = text(4096);
const positiveMs = wholeNumber(1, MAX_MS, 'milliseconds');
const hostPort = z.object({ host, port: wholeNumber(1, 65535) }, { error: 'must be { host, port } or null' });

export const timingSchema = z.object(
  {
    pingRateMs: positiveMs,
    pingTimeoutMs: positiveMs,
    missedPings: wholeNumber(1, 100),
    failoverTimeMs: wholeNumber(0, MAX_MS, 'milliseconds'),
    connectionWaitMs: wholeNumber(0, MAX_MS, 'milliseconds'),
  },
  { error: 'must be an object of timing settings' },
);

/** The fields and their rules, without the rules that join fields (`nodeSettingsSchema` adds those). */
export const nodeSettingsFields = z.object({
  name: z
    .string({ error: 'must be text' })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(128, { error: 'must be 128 characters or fewer' }),
  mode: z.enum(['independent', 'master', 'backup'], { error: 'must be independent, master or backup' }),
  peerHost: host,
  peerPort: wholeNumber(0, 65535),
  masterHost: host.nullable(),
  masterPort: wholeNumber(1, 65535),
  apiHost: host,
  apiPort: wholeNumber(0, 65535),
  standby: z.enum(['cold', 'warm'], { error: 'must be cold or warm' }),
  recovery: z.enum(['automatic', 'manual', 'window'], { error: 'must be automatic, manual or window' }),
  restoreWindow: z
    .object(
      {
        cron: z.string({ error: 'is not a valid CRON expression' }).refine(
          (cron) => {
            try {
              validateCron(cron);
              return true;
            } catch {
              return false;
            }
          },
          { message: 'is not a valid CRON expression' },
        ),
        lengthMs: positiveMs,
      },
      { error: 'must be { cron, lengthMs } or null' },
    )
    .nullable(),
  isolationCheck: hostPort.nullable(),
  timing: timingSchema,
  licenseFile: path.nullable(),
  licensePublicKeyFile: path.nullable(),
  /** History samples older than this are deleted (docs/rules.md "Data 4"). */
  historyRetentionDays: wholeNumber(1, 36_500, 'days'),
  /**
   * Command uids older than this are forgotten (docs/rules.md "Commands 1"): a client retrying a uid later
   * than this would run it again, so keep it well beyond any client's retry horizon.
   */
  ledgerRetentionDays: wholeNumber(1, 36_500, 'days'),
  /** MQTT Sparkplug B (docs/sparkplug.md). */
  ...sparkplugSettingsFields,
  /** The OPC UA server (docs/opcua.md): its port (0: no server), its host (null: as apiHost), SecurityPolicy None. */
  opcuaPort: wholeNumber(0, 65535),
  opcuaHost: host.nullable(),
  opcuaAllowInsecure: z.boolean({ error: 'must be true or false' }),
  ...opcuaLimitFields,
});

export const nodeSettingsSchema = nodeSettingsFields.superRefine((s, ctx) => {
  for (const issue of sparkplugSettingsIssues(s))
    ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message });
  if (s.mode === 'backup' && !s.masterHost) {
    ctx.addIssue({ code: 'custom', path: ['masterHost'], message: 'is required for a backup' });
  }
  if (s.recovery === 'window' && !s.restoreWindow) {
    ctx.addIssue({
      code: 'custom',
      path: ['restoreWindow'],
      message: 'is required for recovery "window" (a CRON expression and a length)',
    });
  }
});

/**
 * A change to the saved settings (`PUT /api/settings`): any of the fields, and any of the timing fields.
 * Unknown fields are refused, so a typing mistake is not silently dropped.
 */
export const settingsChangeSchema = nodeSettingsFields
  .extend({ timing: timingSchema.partial().strict() })
  .partial()
  .strict();

export type SettingsChange = z.infer<typeof settingsChangeSchema>;

export type NodeSettings = z.infer<typeof nodeSettingsSchema>;

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
export const FLAG_OF_SETTING: Readonly<Record<string, string>> = {
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

/**
 * One line per wrong field, `timing.pingRateMs: must be …`, the way the API answers a bad settings body.
 * An unknown field is named too (`timing.pingRate: is not a setting`).
 */
export function describeSettingsIssues(error: z.ZodError): string {
  return error.issues
    .flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => `${[...issue.path, key].join('.')}: is not a setting`)
        : [`${issue.path.join('.') || 'settings'}: ${issue.message}`],
    )
    .join('; ');
}

/** The settings a change leads to: the timing fields are merged one by one, every other field replaced. */
export function applySettingsChange(base: NodeSettings, change: SettingsChange): unknown {
  return { ...base, ...change, timing: { ...base.timing, ...change.timing } };
}

/**
 * Settings that are valid but will not do what an operator expects. Shown with the settings, never refused:
 * the operator may know better (a test rig, a very fast network). `current` is what runs now, when known.
 */
export function settingsWarnings(settings: NodeSettings, current?: NodeSettings): string[] {
  const warnings: string[] = [];
  const { pingRateMs, pingTimeoutMs, connectionWaitMs } = settings.timing;
  // docs/rules.md "Roles 2", a master's start: the master waits at most the connection wait for the backup.
  // A backup that took over redials every ping rate and must finish its handshake within the ping timeout; a
  // master that gives up sooner becomes active without learning that the backup is active, so "manual" (and
  // "window") recovery cannot keep it standby: both nodes are active until the link heals.
  const reconnectMs = pingRateMs + pingTimeoutMs;
  if (settings.mode === 'master' && settings.recovery !== 'automatic' && connectionWaitMs < reconnectMs) {
    warnings.push(
      `timing.connectionWaitMs: ${connectionWaitMs} ms is shorter than the ${reconnectMs} ms (ping rate + ping timeout) ` +
        `a backup that took over may need to reconnect after this master restarts; the master would then become ` +
        `active next to the active backup instead of waiting as standby for the operator (recovery "${settings.recovery}")`,
    );
  }
  if (current && settings.mode !== 'independent' && settings.name !== current.name) {
    warnings.push(
      `name: both nodes of a pair carry the same name; give the peer "${settings.name}" too, or the pair will not link`,
    );
  }
  return warnings;
}
