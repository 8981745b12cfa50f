/** The line of help under each setting of the settings form (SettingsEditor.svelte), where one is needed. */
import { OPCUA_LIMIT_DEFAULTS, type SettingsForm } from './settings-form.ts';

export const HINTS: Partial<Record<keyof SettingsForm, string>> = {
  name: 'Both nodes of a pair carry the same name; history is stored under it.',
  standby:
    'What this node does while the other one runs. Warm: polls devices, but keeps no history, raises no alarms and writes nothing. Cold: collects nothing.',
  masterHost: 'Where a backup finds its master (a backup needs it).',
  'timing.pingRateMs': 'How often the backup sends a heartbeat to the master.',
  'timing.pingTimeoutMs': 'A heartbeat not answered within this time is missed.',
  'timing.missedPings': 'Consecutive missed heartbeats after which the master counts as down.',
  'timing.failoverTimeMs':
    'The backup takes over only when this long has passed since the last answered heartbeat.',
  'timing.connectionWaitMs': 'At start, how long a master waits for its backup before it becomes active.',
  'restoreWindow.cron':
    'For recovery "window": when the hand-over back to the master may happen, e.g. 0 2 * * *.',
  'isolationCheck.host': 'A host both nodes should reach (a plant router, a PLC). Empty: no check.',
  licenseFile: 'Empty: no license file.',
  licensePublicKeyFile: 'Empty: the key built into this version.',
  historyRetentionDays: 'Tag history older than this is deleted.',
  ledgerRetentionDays: 'A command retried with the same uid after this long would run again.',
  opcuaPort: 'The OPC UA server of this node (docs/opcua.md). 0: no OPC UA server.',
  opcuaHost: 'Empty: the same as the API.',
  opcuaAllowInsecure:
    'Also offer SecurityPolicy None, for commissioning: anonymous clients may then read, never write.',
  opcuaMaxSessions: `One more client session is refused with Bad_TooManySessions. Empty: ${OPCUA_LIMIT_DEFAULTS.opcuaMaxSessions}.`,
  opcuaMaxSubscriptionsPerSession: `One more subscription in a session is refused with Bad_TooManySubscriptions. Empty: ${OPCUA_LIMIT_DEFAULTS.opcuaMaxSubscriptionsPerSession}.`,
  mqttUrl: 'mqtt://host:1883 or mqtts://host:8883. Empty: no Sparkplug B (docs/sparkplug.md).',
  sparkplugEdgeNode: "Empty: the pair's name. Both nodes are one edge node.",
  sparkplugPrimaryHost: "Births wait for this host application's STATE online. Empty: none.",
  mqttPasswordFile: 'Or TANDEM_MQTT_PASSWORD in the environment; never stored in the settings.',
  sparkplugBufferSamples: 'The most samples sent as historical after a broker outage or a take-over.',
};
