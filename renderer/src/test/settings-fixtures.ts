/** Settings in the API's exact shapes (`GET`/`PUT /api/settings`), for the settings screen's specs. */
import type { NodeSettings, SettingsSaved, SettingsView } from '../../../node-core/dto.ts';

/** node-core's defaults (node-core/node/settings.ts) for a node named pump-station-4. */
export function nodeSettings(
  overrides: Partial<Omit<NodeSettings, 'timing'>> & { timing?: Partial<NodeSettings['timing']> } = {},
): NodeSettings {
  const { timing, ...rest } = overrides;
  return {
    name: 'pump-station-4',
    mode: 'master',
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
    licenseFile: null,
    licensePublicKeyFile: null,
    historyRetentionDays: 90,
    ledgerRetentionDays: 7,
    opcuaPort: 4840,
    opcuaHost: null,
    opcuaAllowInsecure: false,
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
    ...rest,
    timing: {
      pingRateMs: 1000,
      pingTimeoutMs: 3000,
      missedPings: 3,
      failoverTimeMs: 10_000,
      connectionWaitMs: 10_000,
      ...timing,
    },
  };
}

export function settingsView(settings = nodeSettings(), pending: NodeSettings | null = null): SettingsView {
  return { ...settings, pending };
}

export function settingsSaved(settings: NodeSettings, warnings: string[] = []): SettingsSaved {
  return { saved: true, restartRequired: true, settings, warnings };
}
