/**
 * The Sparkplug B settings (docs/sparkplug.md, docs/contract.md): the broker, the edge node's identity, the
 * primary host, TLS and credentials, and how much a broker outage may leave to send. Their fields and rules
 * are in protocol/plant-settings.ts, because the dashboard checks them too; here are the node's defaults and
 * the flags.
 */
import type { SparkplugSettings } from '../../protocol/plant-settings.ts';

export type { SparkplugSettings } from '../../protocol/plant-settings.ts';

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
