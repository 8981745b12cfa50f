/** The flags of contract.md, and how each becomes a setting. Values are checked here for form only; the
 * settings schema checks the rest and names the flag in its message. */
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.ts';
import type { SettingsOverrides } from '../node/create-node.ts';
import { OPCUA_LIMIT_FLAG_OF_SETTING, OPCUA_LIMIT_FLAGS } from '../plant/opcua/opcua-limits.ts';
import { SPARKPLUG_FLAGS, sparkplugSettingsFromFlags } from '../plant/sparkplug/sparkplug-settings.ts';

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
  ...OPCUA_LIMIT_FLAGS,
  'trust-peer': { type: 'string', multiple: true },
  license: { type: 'string' },
  'license-public-key': { type: 'string' },
  ...SPARKPLUG_FLAGS,
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

export type FlagValues = {
  [K in keyof typeof NODE_FLAGS]?: (typeof NODE_FLAGS)[K] extends { multiple: true }
    ? string[]
    : (typeof NODE_FLAGS)[K]['type'] extends 'boolean'
      ? boolean
      : string;
};

/** The parsed flags of a node start (or of `fingerprint`), every value still text. */
export function parseNodeFlags(argv: readonly string[]): FlagValues {
  const { rest, switches } = settingSwitches(argv);
  try {
    const { values } = parseArgs({
      args: joinDashValues(rest),
      options: NODE_FLAGS,
      strict: true,
      allowPositionals: false,
    });
    return { ...values, ...switches };
  } catch (error) {
    throw new UsageError(describeParseError(error), { cause: error });
  }
}

/**
 * Switches that are settings are stored with the others, so a later start must be able to turn them off:
 * `--no-X` or `--X=false` (and `--X=true`), docs/contract.md.
 */
const SETTING_SWITCHES = ['opcua-allow-insecure'] as const;
type SettingSwitch = (typeof SETTING_SWITCHES)[number];

function settingSwitches(argv: readonly string[]): {
  rest: string[];
  switches: Partial<Record<SettingSwitch, boolean>>;
} {
  const rest: string[] = [];
  const switches: Partial<Record<SettingSwitch, boolean>> = {};
  for (const arg of argv) {
    const match = /^--(no-)?([a-z-]+)(?:=(.*))?$/s.exec(arg);
    const name = match?.[2] as SettingSwitch | undefined;
    if (!match || !name || !SETTING_SWITCHES.includes(name)) {
      rest.push(arg);
      continue;
    }
    const [, no, , text] = match;
    if (no && text !== undefined) throw new UsageError(`--no-${name} takes no value.`);
    if (text !== undefined && text !== 'true' && text !== 'false')
      throw new UsageError(`--${name} takes no value, or =true or =false; not "${text}".`);
    switches[name] = text === undefined ? !no : text === 'true';
  }
  return { rest, switches };
}

/**
 * `--ping-rate -1`: Node's parseArgs takes a value that starts with a dash for a flag forgotten its value
 * ("argument is ambiguous"). A value that is no flag of ours is a value, so it is joined to its flag
 * (`--ping-rate=-1`) and the settings rules then say what the flag takes.
 */
function joinDashValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    const option = arg.startsWith('--') ? NODE_FLAGS[arg.slice(2) as keyof typeof NODE_FLAGS] : undefined;
    if (option?.type === 'string' && next !== undefined && next.startsWith('-') && !isFlag(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

function isFlag(arg: string): boolean {
  if (!arg.startsWith('--')) return ['-h', '-v'].includes(arg);
  return Object.hasOwn(NODE_FLAGS, arg.slice(2).split('=')[0]!);
}

/** parseArgs's messages name its own terms ("positional argument"); these say what to do instead. */
function describeParseError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const message = error instanceof Error ? error.message : String(error);
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `${quoted} is not a flag of tandem-node (tandem-node --help lists them).`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `"${quoted}" is not a flag; every value follows its flag (tandem-node --help lists them).`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const flag = /(--[a-z-]+)/.exec(message)?.[1] ?? 'a flag';
      const takesNoValue = NODE_FLAGS[flag.slice(2) as keyof typeof NODE_FLAGS]?.type === 'boolean';
      return takesNoValue ? `${flag} takes no value.` : `${flag} needs a value.`;
    }
    default:
      return message.split('\n')[0]!;
  }
}

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
      throw new UsageError('--restore-window and --restore-window-length go together: give both.');
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
  for (const [setting, flag] of Object.entries(OPCUA_LIMIT_FLAG_OF_SETTING)) {
    const text = v[flag.slice(2) as keyof typeof OPCUA_LIMIT_FLAGS];
    if (text !== undefined) s[setting] = whole(flag, text);
  }
  Object.assign(s, sparkplugSettingsFromFlags(v));
  if (Object.keys(timing).length > 0) s['timing'] = timing;
  return s;
}

/** `--trust-peer` values, checked here so that a mistyped one stops the start before the data directory. */
export function trustPeersFromFlags(v: FlagValues): string[] {
  const given = v['trust-peer'] ?? [];
  for (const value of given) {
    if (!/^[0-9a-f]{64}$/i.test(value.replace(/:/g, '')))
      throw new UsageError(`--trust-peer must be a SHA-256 fingerprint (64 hex digits), not "${value}".`);
  }
  return given;
}

/** A number for the settings rules to judge (`-1` included: they say the range); anything else stops here. */
function whole(flag: string, text: string): number {
  if (!/^-?\d+$/.test(text.trim())) throw new UsageError(`${flag} must be a whole number, not "${text}".`);
  return Number(text);
}

function hostPort(text: string): { host: string; port: number } {
  const match = /^(.+):(\d+)$/.exec(text.trim());
  if (!match) throw new UsageError(`--isolation-check must be HOST:PORT or "none", not "${text}".`);
  return { host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port: Number(match[2]) };
}
