/**
 * The settings screen's form: the node's settings as the text an operator edits, checked here by the wire
 * protocol's settings rules (node-core/protocol/settings.ts), the very schema the node runs, so a field shows
 * its problem before anything is sent, and a 400 from the node reads the same. Only whether a CRON
 * expression is valid is left to the node (the browser loads no CRON library).
 */
import {
  settingsSchemas,
  settingsWarnings,
  type NodeSettings,
} from '../../../node-core/protocol/settings.ts';
import { OPCUA_LIMIT_DEFAULTS } from '../../../node-core/protocol/plant-settings.ts';

export { OPCUA_LIMIT_DEFAULTS, settingsWarnings };

/** The node's rules; a restore window's start needs some text here, the node checks it is CRON. */
const settingsSchema = settingsSchemas((cron) => cron.trim() !== '').schema;

/** Every input of the form, by the setting's path in the API (`timing.pingRateMs`). All text, as typed. */
export interface SettingsForm {
  name: string;
  mode: NodeSettings['mode'];
  peerHost: string;
  peerPort: string;
  masterHost: string;
  masterPort: string;
  apiHost: string;
  apiPort: string;
  standby: NodeSettings['standby'];
  recovery: NodeSettings['recovery'];
  'restoreWindow.cron': string;
  'restoreWindow.lengthMs': string;
  'isolationCheck.host': string;
  'isolationCheck.port': string;
  'timing.pingRateMs': string;
  'timing.pingTimeoutMs': string;
  'timing.missedPings': string;
  'timing.failoverTimeMs': string;
  'timing.connectionWaitMs': string;
  licenseFile: string;
  licensePublicKeyFile: string;
  historyRetentionDays: string;
  ledgerRetentionDays: string;
  opcuaPort: string;
  /** Empty: as the API host. */
  opcuaHost: string;
  opcuaAllowInsecure: 'off' | 'on';
  /** Empty: the node's default (OPCUA_LIMIT_DEFAULTS); a settings row of an earlier version has none. */
  opcuaMaxSessions: string;
  opcuaMaxSubscriptionsPerSession: string;
  /** Sparkplug B (docs/sparkplug.md): empty text is none. */
  mqttUrl: string;
  sparkplugGroup: string;
  sparkplugEdgeNode: string;
  sparkplugPrimaryHost: string;
  mqttCaFile: string;
  mqttCertFile: string;
  mqttKeyFile: string;
  mqttUsername: string;
  mqttPasswordFile: string;
  sparkplugBufferSamples: string;
}

/** A setting's path: a field of the form, or a whole object (`restoreWindow`) a rule names. */
export type FieldPath = keyof SettingsForm | 'restoreWindow' | 'isolationCheck';

export type FieldErrors = Partial<Record<FieldPath, string>>;

export function formFromSettings(s: NodeSettings): SettingsForm {
  return {
    name: s.name,
    mode: s.mode,
    peerHost: s.peerHost,
    peerPort: String(s.peerPort),
    masterHost: s.masterHost ?? '',
    masterPort: String(s.masterPort),
    apiHost: s.apiHost,
    apiPort: String(s.apiPort),
    standby: s.standby,
    recovery: s.recovery,
    'restoreWindow.cron': s.restoreWindow?.cron ?? '',
    'restoreWindow.lengthMs': s.restoreWindow ? String(s.restoreWindow.lengthMs) : '',
    'isolationCheck.host': s.isolationCheck?.host ?? '',
    'isolationCheck.port': s.isolationCheck ? String(s.isolationCheck.port) : '',
    'timing.pingRateMs': String(s.timing.pingRateMs),
    'timing.pingTimeoutMs': String(s.timing.pingTimeoutMs),
    'timing.missedPings': String(s.timing.missedPings),
    'timing.failoverTimeMs': String(s.timing.failoverTimeMs),
    'timing.connectionWaitMs': String(s.timing.connectionWaitMs),
    licenseFile: s.licenseFile ?? '',
    licensePublicKeyFile: s.licensePublicKeyFile ?? '',
    historyRetentionDays: String(s.historyRetentionDays),
    ledgerRetentionDays: String(s.ledgerRetentionDays),
    opcuaPort: String(s.opcuaPort),
    opcuaHost: s.opcuaHost ?? '',
    opcuaAllowInsecure: s.opcuaAllowInsecure ? 'on' : 'off',
    opcuaMaxSessions: s.opcuaMaxSessions === undefined ? '' : String(s.opcuaMaxSessions),
    opcuaMaxSubscriptionsPerSession:
      s.opcuaMaxSubscriptionsPerSession === undefined ? '' : String(s.opcuaMaxSubscriptionsPerSession),
    mqttUrl: s.mqttUrl ?? '',
    sparkplugGroup: s.sparkplugGroup ?? '',
    sparkplugEdgeNode: s.sparkplugEdgeNode ?? '',
    sparkplugPrimaryHost: s.sparkplugPrimaryHost ?? '',
    mqttCaFile: s.mqttCaFile ?? '',
    mqttCertFile: s.mqttCertFile ?? '',
    mqttKeyFile: s.mqttKeyFile ?? '',
    mqttUsername: s.mqttUsername ?? '',
    mqttPasswordFile: s.mqttPasswordFile ?? '',
    sparkplugBufferSamples: String(s.sparkplugBufferSamples),
  };
}

export type FormCheck =
  | { readonly ok: true; readonly settings: NodeSettings }
  | { readonly ok: false; readonly errors: FieldErrors };

/** The form as settings, or what is wrong with each field (the first problem of each, in the node's words). */
export function checkForm(form: SettingsForm): FormCheck {
  const text = (field: keyof SettingsForm): string => form[field].trim();
  /** An optional text: empty is "none" (null). */
  const optional = (field: keyof SettingsForm): string | null => text(field) || null;
  /** A whole number as typed; anything else is NaN, which the rule refuses with its message. */
  const number = (field: keyof SettingsForm): number =>
    /^-?\d+$/.test(text(field)) ? Number(text(field)) : NaN;
  /** A whole number, or nothing when empty: the node's default then. */
  const optionalNumber = (field: keyof SettingsForm): number | undefined =>
    text(field) === '' ? undefined : number(field);

  const cron = text('restoreWindow.cron');
  const hasWindow = cron !== '' || text('restoreWindow.lengthMs') !== '';
  const hasIsolationCheck = text('isolationCheck.host') !== '' || text('isolationCheck.port') !== '';
  const parsed = settingsSchema.safeParse({
    name: form.name,
    mode: form.mode,
    peerHost: form.peerHost,
    peerPort: number('peerPort'),
    masterHost: optional('masterHost'),
    masterPort: number('masterPort'),
    apiHost: form.apiHost,
    apiPort: number('apiPort'),
    standby: form.standby,
    recovery: form.recovery,
    // A restore window is both of its fields or none.
    restoreWindow: hasWindow ? { cron, lengthMs: number('restoreWindow.lengthMs') } : null,
    isolationCheck: hasIsolationCheck
      ? { host: form['isolationCheck.host'], port: number('isolationCheck.port') }
      : null,
    timing: {
      pingRateMs: number('timing.pingRateMs'),
      pingTimeoutMs: number('timing.pingTimeoutMs'),
      missedPings: number('timing.missedPings'),
      failoverTimeMs: number('timing.failoverTimeMs'),
      connectionWaitMs: number('timing.connectionWaitMs'),
    },
    licenseFile: optional('licenseFile'),
    licensePublicKeyFile: optional('licensePublicKeyFile'),
    historyRetentionDays: number('historyRetentionDays'),
    ledgerRetentionDays: number('ledgerRetentionDays'),
    opcuaPort: number('opcuaPort'),
    opcuaHost: optional('opcuaHost'),
    opcuaAllowInsecure: form.opcuaAllowInsecure === 'on',
    opcuaMaxSessions: optionalNumber('opcuaMaxSessions'),
    opcuaMaxSubscriptionsPerSession: optionalNumber('opcuaMaxSubscriptionsPerSession'),
    mqttUrl: optional('mqttUrl'),
    sparkplugGroup: optional('sparkplugGroup'),
    sparkplugEdgeNode: optional('sparkplugEdgeNode'),
    sparkplugPrimaryHost: optional('sparkplugPrimaryHost'),
    mqttCaFile: optional('mqttCaFile'),
    mqttCertFile: optional('mqttCertFile'),
    mqttKeyFile: optional('mqttKeyFile'),
    mqttUsername: optional('mqttUsername'),
    mqttPasswordFile: optional('mqttPasswordFile'),
    sparkplugBufferSamples: number('sparkplugBufferSamples'),
  });
  if (parsed.success) return { ok: true, settings: parsed.data };
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) errors[issue.path.join('.') as FieldPath] ??= issue.message;
  return { ok: false, errors };
}

/**
 * A 400 from the node (`timing.pingRateMs: must be …; name: …`) as messages per field, so each shows next
 * to its input. Parts that name no field of the form stay in `other`.
 */
export function errorsFromMessage(
  message: string,
  form: SettingsForm,
): { fields: FieldErrors; other: string[] } {
  const fields: FieldErrors = {};
  const other: string[] = [];
  for (const part of message.split('; ')) {
    const match = /^([\w.]+): (.+)$/.exec(part);
    const path = match?.[1];
    if (path && (path in form || path === 'restoreWindow' || path === 'isolationCheck')) {
      fields[path as FieldPath] = match[2]!;
    } else {
      other.push(part);
    }
  }
  return { fields, other };
}

/** `Ping rate: 1000 → 500 ms` lines: what the saved settings change against those in effect. */
export function differences(
  current: NodeSettings,
  next: NodeSettings,
): { path: FieldPath; from: string; to: string }[] {
  const a = formFromSettings(current);
  const b = formFromSettings(next);
  return (Object.keys(a) as (keyof SettingsForm)[])
    .filter((key) => a[key] !== b[key])
    .map((key) => ({ path: key, from: a[key] || 'none', to: b[key] || 'none' }));
}

/** What the screen calls each setting, with its unit. */
export const LABELS: Record<FieldPath, string> = {
  name: 'Pair name',
  mode: 'Mode',
  peerHost: 'Peer link listens on',
  peerPort: 'Peer link port',
  masterHost: 'Master host',
  masterPort: 'Master peer port',
  apiHost: 'API listens on',
  apiPort: 'API port',
  standby: 'Standby level',
  recovery: 'Recovery',
  restoreWindow: 'Restore window',
  'restoreWindow.cron': 'Restore window start (CRON)',
  'restoreWindow.lengthMs': 'Restore window length',
  isolationCheck: 'Isolation check',
  'isolationCheck.host': 'Isolation check host',
  'isolationCheck.port': 'Isolation check port',
  'timing.pingRateMs': 'Ping rate',
  'timing.pingTimeoutMs': 'Ping timeout',
  'timing.missedPings': 'Missed pings',
  'timing.failoverTimeMs': 'Failover time',
  'timing.connectionWaitMs': 'Connection wait',
  licenseFile: 'License file',
  licensePublicKeyFile: 'License public key file',
  historyRetentionDays: 'Keep history for',
  ledgerRetentionDays: 'Remember command uids for',
  opcuaPort: 'OPC UA port',
  opcuaHost: 'OPC UA listens on',
  opcuaAllowInsecure: 'OPC UA without security',
  opcuaMaxSessions: 'OPC UA sessions at most',
  opcuaMaxSubscriptionsPerSession: 'OPC UA subscriptions per session at most',
  mqttUrl: 'MQTT broker (Sparkplug B)',
  sparkplugGroup: 'Sparkplug group',
  sparkplugEdgeNode: 'Sparkplug edge node',
  sparkplugPrimaryHost: 'Sparkplug primary host',
  mqttCaFile: 'MQTT CA file',
  mqttCertFile: 'MQTT client certificate file',
  mqttKeyFile: 'MQTT client key file',
  mqttUsername: 'MQTT user name',
  mqttPasswordFile: 'MQTT password file',
  sparkplugBufferSamples: 'Sparkplug buffer',
};

/** The unit shown after a number input. */
export const UNITS: Partial<Record<keyof SettingsForm, string>> = {
  'restoreWindow.lengthMs': 'ms',
  'timing.pingRateMs': 'ms',
  'timing.pingTimeoutMs': 'ms',
  'timing.missedPings': 'count',
  'timing.failoverTimeMs': 'ms',
  'timing.connectionWaitMs': 'ms',
  historyRetentionDays: 'days',
  ledgerRetentionDays: 'days',
  sparkplugBufferSamples: 'samples',
  opcuaMaxSessions: 'sessions',
  opcuaMaxSubscriptionsPerSession: 'subscriptions',
};

/**
 * The fields of the settings both nodes of a pair must share, by the name node-core gives them in the status's
 * `settingsDifferences` ("ping rate: 1000 ms here, 500 ms on the peer"; node-core/node/pairing.ts).
 */
const SHARED_SETTINGS: Record<string, keyof SettingsForm> = {
  recovery: 'recovery',
  'ping rate': 'timing.pingRateMs',
  'ping timeout': 'timing.pingTimeoutMs',
  'missed pings': 'timing.missedPings',
  'failover time': 'timing.failoverTimeMs',
};

export interface PeerDifference {
  /** The form field it concerns, or null for a setting this form does not know (a later node version). */
  readonly field: keyof SettingsForm | null;
  /** `1000 ms here, 500 ms on the peer`. */
  readonly values: string;
  /** The whole line as the node said it. */
  readonly line: string;
}

/** The status's `settingsDifferences`, each with the field it concerns. */
export function peerDifferences(lines: readonly string[]): PeerDifference[] {
  return lines.map((line) => {
    const colon = line.indexOf(': ');
    const name = colon < 0 ? '' : line.slice(0, colon);
    return {
      field: SHARED_SETTINGS[name] ?? null,
      values: colon < 0 ? line : line.slice(colon + 2),
      line,
    };
  });
}
