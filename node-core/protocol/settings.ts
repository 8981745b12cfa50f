/**
 * The rules of a node's settings (docs/contract.md): what `PUT /api/settings` accepts, what the command-line
 * flags set, and what the dashboard's settings form checks before it sends, with one message per rule. Every
 * message is written for an operator and reads the same after a flag (`--ping-rate must be …`), after a field
 * in an API answer (`timing.pingRateMs: must be …`) and next to the input on the settings screen.
 */
import { z } from 'zod';
import { opcuaLimitFields, sparkplugSettingsFields, sparkplugSettingsIssues } from './plant-settings.ts';
import { modeSchema, recoveryModeSchema, standbyLevelSchema } from './words.ts';

const MAX_MS = 3_600_000;

/** The message of a whole-number rule: `must be a whole number of milliseconds from 1 to 3600000`. */
function wholeNumberMessage(min: number, max: number, unit = ''): string {
  return `must be a whole number${unit ? ` of ${unit}` : ''} from ${min} to ${max}`;
}

/** A whole number in a range; any failure (type, fraction, range) gets the one message that says the rule. */
function wholeNumber(min: number, max: number, unit = ''): z.ZodNumber {
  const message = wholeNumberMessage(min, max, unit);
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

const timingSchema = z.object(
  {
    pingRateMs: positiveMs,
    pingTimeoutMs: positiveMs,
    missedPings: wholeNumber(1, 100),
    failoverTimeMs: wholeNumber(0, MAX_MS, 'milliseconds'),
    connectionWaitMs: wholeNumber(0, MAX_MS, 'milliseconds'),
  },
  { error: 'must be an object of timing settings' },
);

/**
 * The settings schemas. Whether a CRON expression is valid takes a CRON library, which the node has and the
 * browser does not load: the node passes its check; the dashboard asks only for some text and leaves the
 * rest to the node.
 */
export function settingsSchemas(isCron: (expression: string) => boolean) {
  const cronMessage = 'is not a valid CRON expression';
  /** The fields and their rules, without the rules that join fields (`schema` adds those). */
  const fields = z.object({
    name: text(128),
    mode: z.enum(modeSchema.options, { error: 'must be independent, master or backup' }),
    peerHost: host,
    peerPort: wholeNumber(0, 65535),
    masterHost: host.nullable(),
    masterPort: wholeNumber(1, 65535),
    apiHost: host,
    apiPort: wholeNumber(0, 65535),
    standby: z.enum(standbyLevelSchema.options, { error: 'must be cold or warm' }),
    recovery: z.enum(recoveryModeSchema.options, { error: 'must be automatic, manual or window' }),
    restoreWindow: z
      .object(
        {
          cron: z.string({ error: cronMessage }).refine(isCron, { message: cronMessage }),
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

  const schema = fields.superRefine((s, ctx) => {
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
  const change = fields.extend({ timing: timingSchema.partial().strict() }).partial().strict();

  return { schema, change };
}

type SettingsSchemas = ReturnType<typeof settingsSchemas>;
export type NodeSettings = z.infer<SettingsSchemas['schema']>;
export type SettingsChange = z.infer<SettingsSchemas['change']>;

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
