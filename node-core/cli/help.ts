/**
 * `tandem-node --help`: every flag of the node with its value, unit and default, and where the rest is
 * written down. The defaults come from the settings' own defaults, so this text cannot drift from them;
 * the `Record` over NODE_FLAGS makes the compiler refuse a flag without a line here.
 */
import { defaultSettings } from '../node/settings.ts';
import { sparkplugDefaults } from '../plant/sparkplug/sparkplug-settings.ts';
import type { NODE_FLAGS } from './flags.ts';

interface FlagHelp {
  /** What follows the flag, e.g. `MS`; none for a switch. */
  readonly value?: string;
  readonly text: string;
  /** Shown as `(default: …)`; none when the flag is required or has no default worth a word. */
  readonly default?: string;
}

type DescribedFlag = Exclude<keyof typeof NODE_FLAGS, 'help' | 'version'>;

const d = defaultSettings('HOST');
const ms = (value: number): string => `${value} ms`;

/** In the order an installer meets them: where, who, how the pair forms, timing, plant interfaces. */
const FLAG_HELP: Record<DescribedFlag, FlagHelp> = {
  'data-dir': {
    value: 'DIR',
    text: "the node's own folder (database, key and certificate, admin token); made if missing. Required",
  },
  name: { value: 'NAME', text: 'pair name: both nodes of a pair carry the same', default: 'the host name' },
  mode: { value: 'independent|master|backup', text: 'redundancy mode', default: d.mode },
  'peer-host': { value: 'H', text: "address the master's peer link listens on", default: d.peerHost },
  'peer-port': {
    value: 'N',
    text: 'peer link port (the master listens, the backup connects; 0: any free port)',
    default: String(d.peerPort),
  },
  'master-host': { value: 'H', text: 'where a backup finds its master. Required for a backup' },
  'master-port': { value: 'N', text: "the master's peer link port", default: String(d.masterPort) },
  'api-host': { value: 'H', text: 'address of the API and dashboard', default: d.apiHost },
  'api-port': {
    value: 'N',
    text: 'port of the API and dashboard (0: any free port)',
    default: String(d.apiPort),
  },
  standby: { value: 'cold|warm', text: 'standby level', default: d.standby },
  recovery: {
    value: 'automatic|manual|window',
    text: 'what a returning master does: take back at once, wait for an operator, or wait for the window',
    default: d.recovery,
  },
  'restore-window': {
    value: 'CRON',
    text: 'when a window opens for recovery "window" (with --restore-window-length)',
    default: 'none',
  },
  'restore-window-length': { value: 'MS', text: 'how long the restore window stays open' },
  'isolation-check': {
    value: 'HOST:PORT|none',
    text: 'an address a node must reach before it takes over (against split brain)',
    default: 'none',
  },
  'ping-rate': { value: 'MS', text: 'heartbeat interval', default: ms(d.timing.pingRateMs) },
  'ping-timeout': {
    value: 'MS',
    text: 'a heartbeat unanswered this long is missed',
    default: ms(d.timing.pingTimeoutMs),
  },
  'missed-pings': {
    value: 'N',
    text: 'missed heartbeats before the peer counts as lost',
    default: String(d.timing.missedPings),
  },
  'failover-time': {
    value: 'MS',
    text: 'how long a standby waits after the peer is lost before it takes over',
    default: ms(d.timing.failoverTimeMs),
  },
  'connection-wait': {
    value: 'MS',
    text: 'how long a starting master waits for its backup',
    default: ms(d.timing.connectionWaitMs),
  },
  'history-retention': {
    value: 'DAYS',
    text: 'history samples older than this are deleted',
    default: `${d.historyRetentionDays} days`,
  },
  'ledger-retention': {
    value: 'DAYS',
    text: 'command uids older than this are forgotten (a retry after it runs again)',
    default: `${d.ledgerRetentionDays} days`,
  },
  'trust-peer': {
    value: 'SHA256',
    text: 'approve a peer certificate in advance by its fingerprint; may be repeated',
    default: 'none',
  },
  license: { value: 'FILE', text: "the node's license file", default: 'none' },
  'license-public-key': {
    value: 'FILE',
    text: 'the key that verifies the license',
    default: 'the development key',
  },
  'opcua-port': { value: 'N', text: 'OPC UA server port (0: no server)', default: String(d.opcuaPort) },
  'opcua-host': { value: 'H', text: 'OPC UA server address', default: 'as --api-host' },
  'opcua-allow-insecure': {
    text: 'also offer SecurityPolicy None: anonymous clients may read, never write (commissioning); --no-opcua-allow-insecure turns it off again',
    default: 'off',
  },
  'opcua-max-sessions': {
    value: 'N',
    text: 'OPC UA sessions open at once (one more: Bad_TooManySessions)',
    default: String(d.opcuaMaxSessions),
  },
  'opcua-max-subscriptions-per-session': {
    value: 'N',
    text: 'subscriptions in one OPC UA session (one more: Bad_TooManySubscriptions)',
    default: String(d.opcuaMaxSubscriptionsPerSession),
  },
  'mqtt-url': {
    value: 'mqtt[s]://HOST:PORT',
    text: 'MQTT broker for Sparkplug B (with --sparkplug-group)',
    default: 'none: Sparkplug off',
  },
  'sparkplug-group': { value: 'G', text: 'Sparkplug group id. Required with --mqtt-url' },
  'sparkplug-edge-node': { value: 'E', text: 'Sparkplug edge node id', default: "the pair's name" },
  'sparkplug-primary-host': {
    value: 'H',
    text: 'the primary host application whose STATE the node waits for',
    default: 'none',
  },
  'mqtt-ca': { value: 'FILE', text: 'CA certificate the broker is checked against', default: 'none' },
  'mqtt-cert': {
    value: 'FILE',
    text: 'client certificate for the broker (with --mqtt-key)',
    default: 'none',
  },
  'mqtt-key': { value: 'FILE', text: "the client certificate's key", default: 'none' },
  'mqtt-username': { value: 'U', text: 'broker user name', default: 'none' },
  'mqtt-password-file': {
    value: 'FILE',
    text: 'broker password, first line of FILE (or TANDEM_MQTT_PASSWORD)',
    default: 'none',
  },
  'sparkplug-buffer': {
    value: 'SAMPLES',
    text: 'the most samples sent as history after a broker outage or take-over',
    default: String(sparkplugDefaults.sparkplugBufferSamples),
  },
};

const COMMANDS = `  tandem-node --data-dir DIR [flags]             run a node (flags below; later starts need only --data-dir)
  tandem-node fingerprint --data-dir DIR         print the node's certificate fingerprint (SHA-256)
  tandem-node monitor --config FILE [--api-host H] [--api-port N] [--data-dir DIR]
                                                 watch many pairs (docs/monitor.md)
  tandem-node user add --data-dir DIR --name NAME [--password-file FILE]   (password from stdin)
  tandem-node user list --data-dir DIR
  tandem-node user remove --data-dir DIR --name NAME
  tandem-node license keygen|issue|help ...
  tandem-node --version | --help`;

/** Two columns, the text wrapped at LINE_WIDTH; a long flag gets its text on the next line. */
function flagLines(): string[] {
  const rows = (Object.entries(FLAG_HELP) as [DescribedFlag, FlagHelp][]).map(([flag, help]) => ({
    left: `  --${flag}${help.value ? ` ${help.value}` : ''}`,
    right: `${help.text}${help.default ? ` (default: ${help.default})` : ''}`,
  }));
  const width = Math.min(36, Math.max(...rows.map((row) => row.left.length)) + 2);
  return rows.flatMap(({ left, right }) => {
    const lines = wrap(right, LINE_WIDTH - width).map((line) => ' '.repeat(width) + line);
    if (left.length + 1 >= width) return [left, ...lines];
    return [left.padEnd(width) + lines[0]!.trimStart(), ...lines.slice(1)];
  });
}

const LINE_WIDTH = 110;

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

export function helpText(): string {
  return [
    'tandem-node: one node of a Tandem redundant pair, headless.',
    '',
    'Usage:',
    COMMANDS,
    '',
    'Flags of a node (given flags are stored in its database; MS: milliseconds, DAYS: days):',
    ...flagLines(),
    '',
    'Environment: TANDEM_ADMIN_TOKEN (API token instead of DIR/admin-token), TANDEM_LOG_LEVEL (info),',
    'TANDEM_LOG_FORMAT (pretty on a terminal, json otherwise), TANDEM_MQTT_PASSWORD.',
    'Every flag and the API: docs/contract.md in the Tandem folder (a checkout of the repository).',
  ].join('\n');
}
