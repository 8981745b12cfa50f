/**
 * The Sparkplug B settings (docs/sparkplug.md, docs/contract.md): the broker, the edge node's identity, the
 * primary host, TLS and credentials, and how much a broker outage may leave to send. Kept here and spread
 * into the node's settings schema (node/settings.ts), so the one schema still checks every setting.
 */
import { z } from 'zod';

/** A Sparkplug group, edge node or host id is one MQTT topic level: no `/`, `+` or `#` (Sparkplug 3.0 §4.1). */
const SPARKPLUG_ID = /^[^/+#\s]{1,128}$/;
const sparkplugId = z.string({ error: 'must be text' }).trim().regex(SPARKPLUG_ID, {
  error: 'must be 1-128 characters without "/", "+", "#" or spaces (one topic level)',
});

const file = z
  .string({ error: 'must be text' })
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(4096, { error: 'must be 4096 characters or fewer' });

const brokerUrl = z
  .string({ error: 'must be text' })
  .trim()
  .refine(
    (url) => {
      try {
        const parsed = new URL(url);
        return (parsed.protocol === 'mqtt:' || parsed.protocol === 'mqtts:') && parsed.hostname !== '';
      } catch {
        return false;
      }
    },
    { message: 'must be an mqtt:// or mqtts:// URL with a host (mqtt://broker:1883)' },
  );

export const sparkplugSettingsFields = {
  /** The broker; null: Sparkplug is off. */
  mqttUrl: brokerUrl.nullable(),
  sparkplugGroup: sparkplugId.nullable(),
  /** null: the pair's name (both nodes of a pair carry the same name, so they are one edge node). */
  sparkplugEdgeNode: sparkplugId.nullable(),
  /** The primary host application whose STATE births wait for; null: none. */
  sparkplugPrimaryHost: sparkplugId.nullable(),
  mqttCaFile: file.nullable(),
  mqttCertFile: file.nullable(),
  mqttKeyFile: file.nullable(),
  mqttUsername: z.string({ error: 'must be text' }).max(1024).nullable(),
  /** The password is read from this file at start (or TANDEM_MQTT_PASSWORD), never stored in settings. */
  mqttPasswordFile: file.nullable(),
  /** The most samples sent as historical after a broker outage or a take-over; older ones are dropped. */
  sparkplugBufferSamples: z
    .number({ error: 'must be a whole number from 0 to 100000000' })
    .int({ error: 'must be a whole number from 0 to 100000000' })
    .min(0, { error: 'must be a whole number from 0 to 100000000' })
    .max(100_000_000, { error: 'must be a whole number from 0 to 100000000' }),
};

export type SparkplugSettings = {
  [K in keyof typeof sparkplugSettingsFields]: z.infer<(typeof sparkplugSettingsFields)[K]>;
};

export const sparkplugDefaults: SparkplugSettings = {
  mqttUrl: null,
  sparkplugGroup: null,
  sparkplugEdgeNode: null,
  sparkplugPrimaryHost: null,
  mqttCaFile: null,
  mqttCertFile: null,
  mqttKeyFile: null,
  mqttUsername: null,
  mqttPasswordFile: null,
  sparkplugBufferSamples: 1_000_000,
};

/** The rules that join fields: a broker needs a group; a client certificate needs its key. */
export function sparkplugSettingsIssues(s: SparkplugSettings): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  if (s.mqttUrl && !s.sparkplugGroup)
    issues.push({ path: 'sparkplugGroup', message: 'is required when an MQTT broker is given' });
  if ((s.mqttCertFile === null) !== (s.mqttKeyFile === null))
    issues.push({ path: 'mqttKeyFile', message: 'a client certificate and its key go together' });
  return issues;
}

export const SPARKPLUG_FLAG_OF_SETTING: Readonly<Record<string, string>> = {
  mqttUrl: '--mqtt-url',
  sparkplugGroup: '--sparkplug-group',
  sparkplugEdgeNode: '--sparkplug-edge-node',
  sparkplugPrimaryHost: '--sparkplug-primary-host',
  mqttCaFile: '--mqtt-ca',
  mqttCertFile: '--mqtt-cert',
  mqttKeyFile: '--mqtt-key',
  mqttUsername: '--mqtt-username',
  mqttPasswordFile: '--mqtt-password-file',
  sparkplugBufferSamples: '--sparkplug-buffer',
};

export const SPARKPLUG_FLAGS = {
  'mqtt-url': { type: 'string' },
  'sparkplug-group': { type: 'string' },
  'sparkplug-edge-node': { type: 'string' },
  'sparkplug-primary-host': { type: 'string' },
  'mqtt-ca': { type: 'string' },
  'mqtt-cert': { type: 'string' },
  'mqtt-key': { type: 'string' },
  'mqtt-username': { type: 'string' },
  'mqtt-password-file': { type: 'string' },
  'sparkplug-buffer': { type: 'string' },
} as const;

export const SPARKPLUG_USAGE = `[--mqtt-url mqtt[s]://HOST:PORT --sparkplug-group G] [--sparkplug-edge-node E]
              [--sparkplug-primary-host H] [--mqtt-ca FILE] [--mqtt-cert FILE --mqtt-key FILE]
              [--mqtt-username U] [--mqtt-password-file FILE] [--sparkplug-buffer SAMPLES]`;

/** The Sparkplug flags as settings; "none" turns an optional one off. Form only: the schema checks the rest. */
export function sparkplugSettingsFromFlags(
  v: Partial<Record<keyof typeof SPARKPLUG_FLAGS, string>>,
): Partial<SparkplugSettings> {
  const s: Record<string, unknown> = {};
  const orNull = (text: string): string | null => (text === 'none' ? null : text);
  for (const [setting, flag] of Object.entries(SPARKPLUG_FLAG_OF_SETTING)) {
    const text = v[flag.slice(2) as keyof typeof SPARKPLUG_FLAGS];
    if (text === undefined) continue;
    if (setting === 'sparkplugBufferSamples') {
      s[setting] = /^\d+$/.test(text.trim()) ? Number(text) : text;
    } else s[setting] = orNull(text);
  }
  return s;
}
