/**
 * The settings screen's form: the node's settings as the text an operator edits, checked here by the same
 * rules and with the same messages as node-core's settings schema (node-core/node/settings.ts), so a field
 * shows its problem before anything is sent, and a 400 from the node reads the same. settings-form.spec.ts
 * runs both on the same inputs to keep them in step. Runs in the browser; node-core is imported as types.
 */
import type { NodeSettings } from '../../../node-core/dto.ts';

export const MAX_MS = 3_600_000;

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

interface NumberRule {
  readonly min: number;
  readonly max: number;
  readonly unit?: 'milliseconds' | 'days';
}

/** The number fields, their ranges and units (node-core's `wholeNumber`). */
export const NUMBER_RULES = {
  peerPort: { min: 0, max: 65535 },
  masterPort: { min: 1, max: 65535 },
  apiPort: { min: 0, max: 65535 },
  'restoreWindow.lengthMs': { min: 1, max: MAX_MS, unit: 'milliseconds' },
  'isolationCheck.port': { min: 1, max: 65535 },
  'timing.pingRateMs': { min: 1, max: MAX_MS, unit: 'milliseconds' },
  'timing.pingTimeoutMs': { min: 1, max: MAX_MS, unit: 'milliseconds' },
  'timing.missedPings': { min: 1, max: 100 },
  'timing.failoverTimeMs': { min: 0, max: MAX_MS, unit: 'milliseconds' },
  'timing.connectionWaitMs': { min: 0, max: MAX_MS, unit: 'milliseconds' },
  historyRetentionDays: { min: 1, max: 36_500, unit: 'days' },
  ledgerRetentionDays: { min: 1, max: 36_500, unit: 'days' },
  opcuaPort: { min: 0, max: 65535 },
  sparkplugBufferSamples: { min: 0, max: 100_000_000 },
} as const satisfies Partial<Record<keyof SettingsForm, NumberRule>>;

export function numberRuleMessage(rule: NumberRule): string {
  return `must be a whole number${rule.unit ? ` of ${rule.unit}` : ''} from ${rule.min} to ${rule.max}`;
}

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

/** The form as settings, or what is wrong with each field (node-core's rules, node-core's messages). */
export function checkForm(form: SettingsForm): FormCheck {
  const errors: FieldErrors = {};
  const number = (field: keyof typeof NUMBER_RULES): number => {
    const rule: NumberRule = NUMBER_RULES[field];
    const text = form[field].trim();
    const value = /^-?\d+$/.test(text) ? Number(text) : NaN;
    if (!(value >= rule.min && value <= rule.max)) errors[field] = numberRuleMessage(rule);
    return value;
  };
  const text = (field: keyof SettingsForm, max: number, value = form[field].trim()): string => {
    if (value.length === 0) errors[field] = 'must not be empty';
    else if (value.length > max) errors[field] = `must be ${max} characters or fewer`;
    return value;
  };
  /** An optional text: empty is "none" (null). */
  const optional = (field: keyof SettingsForm, max: number): string | null =>
    form[field].trim() === '' ? null : text(field, max);

  const settings: NodeSettings = {
    name: text('name', 128),
    mode: form.mode,
    peerHost: text('peerHost', 253),
    peerPort: number('peerPort'),
    masterHost: optional('masterHost', 253),
    masterPort: number('masterPort'),
    apiHost: text('apiHost', 253),
    apiPort: number('apiPort'),
    standby: form.standby,
    recovery: form.recovery,
    restoreWindow: null,
    isolationCheck: null,
    timing: {
      pingRateMs: number('timing.pingRateMs'),
      pingTimeoutMs: number('timing.pingTimeoutMs'),
      missedPings: number('timing.missedPings'),
      failoverTimeMs: number('timing.failoverTimeMs'),
      connectionWaitMs: number('timing.connectionWaitMs'),
    },
    licenseFile: optional('licenseFile', 4096),
    licensePublicKeyFile: optional('licensePublicKeyFile', 4096),
    historyRetentionDays: number('historyRetentionDays'),
    ledgerRetentionDays: number('ledgerRetentionDays'),
    opcuaPort: number('opcuaPort'),
    opcuaHost: optional('opcuaHost', 253),
    opcuaAllowInsecure: form.opcuaAllowInsecure === 'on',
    mqttUrl: optional('mqttUrl', 4096),
    sparkplugGroup: optional('sparkplugGroup', 128),
    sparkplugEdgeNode: optional('sparkplugEdgeNode', 128),
    sparkplugPrimaryHost: optional('sparkplugPrimaryHost', 128),
    mqttCaFile: optional('mqttCaFile', 4096),
    mqttCertFile: optional('mqttCertFile', 4096),
    mqttKeyFile: optional('mqttKeyFile', 4096),
    mqttUsername: optional('mqttUsername', 1024),
    mqttPasswordFile: optional('mqttPasswordFile', 4096),
    sparkplugBufferSamples: number('sparkplugBufferSamples'),
  };

  // A restore window is both of its fields or none; whether the CRON text is valid the node decides.
  const cron = form['restoreWindow.cron'].trim();
  if (cron !== '' || form['restoreWindow.lengthMs'].trim() !== '') {
    if (cron === '') errors['restoreWindow.cron'] = 'is not a valid CRON expression';
    settings.restoreWindow = { cron, lengthMs: number('restoreWindow.lengthMs') };
  }
  if (form['isolationCheck.host'].trim() !== '' || form['isolationCheck.port'].trim() !== '') {
    settings.isolationCheck = {
      host: text('isolationCheck.host', 253),
      port: number('isolationCheck.port'),
    };
  }

  if (settings.mode === 'backup' && !settings.masterHost) errors.masterHost = 'is required for a backup';
  if (settings.recovery === 'window' && !settings.restoreWindow) {
    errors.restoreWindow = 'is required for recovery "window" (a CRON expression and a length)';
  }
  return Object.keys(errors).length === 0 ? { ok: true, settings } : { ok: false, errors };
}

/**
 * What node-core warns about (node-core/node/settings.ts `settingsWarnings`): valid settings that will not
 * do what an operator expects. Shown while typing; the node answers the same ones when it saves.
 */
export function settingsWarnings(settings: NodeSettings, current?: NodeSettings): string[] {
  const warnings: string[] = [];
  const { pingRateMs, pingTimeoutMs, connectionWaitMs } = settings.timing;
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
