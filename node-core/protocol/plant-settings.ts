/**
 * The settings of the plant interfaces, spread into the node's settings schema (settings.ts): MQTT Sparkplug B
 * (docs/sparkplug.md) and the OPC UA server's session limits (docs/opcua.md "Limits"). Their flags and
 * defaults stay with the interfaces (node-core/plant/).
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

/** The rules that join fields: a broker needs a group; a client certificate needs its key. */
export function sparkplugSettingsIssues(s: SparkplugSettings): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  if (s.mqttUrl && !s.sparkplugGroup)
    issues.push({ path: 'sparkplugGroup', message: 'is required when an MQTT broker is given' });
  if ((s.mqttCertFile === null) !== (s.mqttKeyFile === null))
    issues.push({ path: 'mqttKeyFile', message: 'a client certificate and its key go together' });
  return issues;
}

const MAX_SESSIONS = 10_000;
const MAX_SUBSCRIPTIONS_PER_SESSION = 1_000;

const limit = (max: number): z.ZodNumber => {
  const error = `must be a whole number from 1 to ${max}`;
  return z.number({ error }).int({ error }).min(1, { error }).max(max, { error });
};

/** What a node runs with where its settings give no limit (also named on the dashboard's Settings screen). */
export const OPCUA_LIMIT_DEFAULTS = {
  opcuaMaxSessions: 100,
  opcuaMaxSubscriptionsPerSession: 20,
} as const;

/** Optional: settings stored by an earlier version lack them; the defaults fill them in at start. */
export const opcuaLimitFields = {
  /** Sessions open at once; one more is answered Bad_TooManySessions. */
  opcuaMaxSessions: limit(MAX_SESSIONS).optional(),
  /** Subscriptions in one session; one more is answered Bad_TooManySubscriptions. */
  opcuaMaxSubscriptionsPerSession: limit(MAX_SUBSCRIPTIONS_PER_SESSION).optional(),
};
