/** The flags of contract.md, and how each becomes a setting. Values are checked here for form only; the
 * settings schema checks the rest and names the flag in its message. */
import { UsageError } from '../errors.ts';
import type { SettingsOverrides } from '../node/create-node.ts';
import {
  SPARKPLUG_FLAGS,
  SPARKPLUG_USAGE,
  sparkplugSettingsFromFlags,
} from '../plant/sparkplug/sparkplug-settings.ts';

export const NODE_FLAGS = {
  'data-dir': { type: 'string' },
  name: { type: 'string' },
  mode: { type: 'string' },
  'peer-host': { type: 'string' },
  'peer-port': { type: 'string' },
  'master-host': { type: 'string' },
  'master-port': { type: 'string' },
  'api-host': { type: 'string' },
  'api-port': { type: 'string' },
  standby: { type: 'string' },
  recovery: { type: 'string' },
  'restore-window': { type: 'string' },
  'restore-window-length': { type: 'string' },
  'isolation-check': { type: 'string' },
  'ping-rate': { type: 'string' },
  'ping-timeout': { type: 'string' },
  'missed-pings': { type: 'string' },
  'failover-time': { type: 'string' },
  'connection-wait': { type: 'string' },
  'history-retention': { type: 'string' },
  'ledger-retention': { type: 'string' },
  'opcua-port': { type: 'string' },
  'opcua-host': { type: 'string' },
  'opcua-allow-insecure': { type: 'boolean' },
  'trust-peer': { type: 'string', multiple: true },
  license: { type: 'string' },
  'license-public-key': { type: 'string' },
  ...SPARKPLUG_FLAGS,
  help: { type: 'boolean' },
} as const;

export type FlagValues = {
  [K in keyof typeof NODE_FLAGS]?: (typeof NODE_FLAGS)[K] extends { multiple: true }
    ? string[]
    : (typeof NODE_FLAGS)[K]['type'] extends 'boolean'
      ? boolean
      : string;
};

export const USAGE = `usage:
  tandem-node --data-dir DIR [--name NAME] [--mode independent|master|backup]
              [--peer-port N] [--peer-host H] [--master-host H] [--master-port N]
              [--api-host H] [--api-port N] [--standby cold|warm] [--recovery automatic|manual|window]
              [--restore-window CRON --restore-window-length MS] [--isolation-check HOST:PORT]
              [--ping-rate MS] [--ping-timeout MS] [--missed-pings N] [--failover-time MS] [--connection-wait MS]
              [--trust-peer SHA256]... [--license FILE] [--license-public-key FILE]
              [--history-retention DAYS] [--ledger-retention DAYS]
              ${SPARKPLUG_USAGE}
              [--opcua-port N] [--opcua-host H] [--opcua-allow-insecure]
  tandem-node fingerprint --data-dir DIR
  tandem-node monitor --config FILE [--api-host H] [--api-port N] [--data-dir DIR]   (docs/monitor.md)
  tandem-node user add --data-dir DIR --name NAME [--password-file FILE]   (password from stdin)
  tandem-node user list --data-dir DIR
  tandem-node user remove --data-dir DIR --name NAME
  tandem-node license keygen|issue|help ...`;

export function settingsFromFlags(v: FlagValues): SettingsOverrides {
  const s: Record<string, unknown> = {};
  const timing: Record<string, number> = {};
  if (v.name !== undefined) s['name'] = v.name;
  if (v.mode !== undefined) s['mode'] = v.mode;
  if (v['peer-host'] !== undefined) s['peerHost'] = v['peer-host'];
  if (v['peer-port'] !== undefined) s['peerPort'] = whole('--peer-port', v['peer-port']);
  if (v['master-host'] !== undefined) s['masterHost'] = v['master-host'];
  if (v['master-port'] !== undefined) s['masterPort'] = whole('--master-port', v['master-port']);
  if (v['api-host'] !== undefined) s['apiHost'] = v['api-host'];
  if (v['api-port'] !== undefined) s['apiPort'] = whole('--api-port', v['api-port']);
  if (v.standby !== undefined) s['standby'] = v.standby;
  if (v.recovery !== undefined) s['recovery'] = v.recovery;
  if (v['restore-window'] !== undefined || v['restore-window-length'] !== undefined) {
    if (v['restore-window'] === undefined || v['restore-window-length'] === undefined) {
      throw new UsageError('--restore-window and --restore-window-length go together');
    }
    s['restoreWindow'] = {
      cron: v['restore-window'],
      lengthMs: whole('--restore-window-length', v['restore-window-length']),
    };
  }
  if (v['isolation-check'] !== undefined)
    s['isolationCheck'] = v['isolation-check'] === 'none' ? null : hostPort(v['isolation-check']);
  if (v['ping-rate'] !== undefined) timing['pingRateMs'] = whole('--ping-rate', v['ping-rate']);
  if (v['ping-timeout'] !== undefined) timing['pingTimeoutMs'] = whole('--ping-timeout', v['ping-timeout']);
  if (v['missed-pings'] !== undefined) timing['missedPings'] = whole('--missed-pings', v['missed-pings']);
  if (v['failover-time'] !== undefined)
    timing['failoverTimeMs'] = whole('--failover-time', v['failover-time']);
  if (v['connection-wait'] !== undefined)
    timing['connectionWaitMs'] = whole('--connection-wait', v['connection-wait']);
  if (v.license !== undefined) s['licenseFile'] = v.license;
  if (v['license-public-key'] !== undefined) s['licensePublicKeyFile'] = v['license-public-key'];
  if (v['history-retention'] !== undefined)
    s['historyRetentionDays'] = whole('--history-retention', v['history-retention']);
  if (v['ledger-retention'] !== undefined)
    s['ledgerRetentionDays'] = whole('--ledger-retention', v['ledger-retention']);
  if (v['opcua-port'] !== undefined) s['opcuaPort'] = whole('--opcua-port', v['opcua-port']);
  if (v['opcua-host'] !== undefined) s['opcuaHost'] = v['opcua-host'];
  if (v['opcua-allow-insecure'] !== undefined) s['opcuaAllowInsecure'] = v['opcua-allow-insecure'];
  Object.assign(s, sparkplugSettingsFromFlags(v));
  if (Object.keys(timing).length > 0) s['timing'] = timing;
  return s;
}

function whole(flag: string, text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${flag}: "${text}" is not a whole number`);
  return Number(text);
}

function hostPort(text: string): { host: string; port: number } {
  const match = /^(.+):(\d+)$/.exec(text.trim());
  if (!match) throw new UsageError(`--isolation-check: "${text}" is not HOST:PORT (or "none")`);
  return { host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port: Number(match[2]) };
}
