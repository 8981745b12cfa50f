/**
 * What a node can tell about a pairing that cannot work, in the words shown to the operator
 * (docs/redundancy.md "Misconfiguration"). Pure: the node feeds in what the link and a probe saw.
 *
 * The texts that end a link are the same on both nodes (they name the nodes by mode, not "this" and "the
 * peer"), so whichever side refuses first, both show and record one cause; and for usual names they fit the
 * 123 bytes a WebSocket close reason carries.
 */
import type { Hello } from '../peer/index.ts';
import type { Mode, RecoveryMode } from '../redundancy/index.ts';

export interface PairIdentity {
  readonly nodeId: string;
  readonly name: string;
  readonly mode: Mode;
}

/** The settings both nodes of a pair should share: they decide failover and recovery on either side. */
export interface PairingSettings {
  readonly recovery: RecoveryMode;
  readonly pingRateMs: number;
  readonly pingTimeoutMs: number;
  readonly missedPings: number;
  readonly failoverTimeMs: number;
}

/** Why this node cannot pair with the node whose hello it got, or null. */
export function helloProblem(
  self: PairIdentity,
  hello: Pick<Hello, 'nodeId' | 'name' | 'mode'>,
): string | null {
  if (hello.nodeId === self.nodeId)
    return `both nodes have node id ${self.nodeId}: a data directory copied to the other node?`;
  if (hello.mode === self.mode) return `both nodes run as ${self.mode}: a pair is one master and one backup`;
  const modes = [self.mode, hello.mode].sort();
  if (modes[0] !== 'backup' || modes[1] !== 'master')
    return `the nodes run as ${modes[0]} and ${modes[1]}: a pair is one master and one backup`;
  if (hello.name !== self.name) {
    const master = self.mode === 'master' ? self.name : hello.name;
    const backup = self.mode === 'master' ? hello.name : self.name;
    return `the master is in pair "${master}", the backup in "${backup}": both need one --name`;
  }
  return null;
}

/** The peer presents the certificate of this very node. */
export const OWN_CERTIFICATE =
  "the peer presents this node's own certificate: it is this node, or a copy of its data directory";

const SETTINGS: readonly { key: keyof PairingSettings; label: string; unit: string }[] = [
  { key: 'recovery', label: 'recovery', unit: '' },
  { key: 'pingRateMs', label: 'ping rate', unit: ' ms' },
  { key: 'pingTimeoutMs', label: 'ping timeout', unit: ' ms' },
  { key: 'missedPings', label: 'missed pings', unit: '' },
  { key: 'failoverTimeMs', label: 'failover time', unit: ' ms' },
];

/** One line per setting that differs, as this node sees it; none when the peer did not say (earlier version). */
export function settingsDifferences(self: PairingSettings, peer: PairingSettings | undefined): string[] {
  if (!peer) return [];
  return SETTINGS.filter(({ key }) => self[key] !== peer[key]).map(
    ({ key, label, unit }) => `${label}: ${self[key]}${unit} here, ${peer[key]}${unit} on the peer`,
  );
}

/** What a TCP connection to the master's peer port found, when the peer link does not come up. */
export type DialOutcome =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'refused' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'unknown-host'; readonly code: string }
  | { readonly kind: 'unreachable'; readonly code: string };

export interface DialTarget {
  readonly host: string;
  readonly port: number;
  /** The host is an address of this machine. */
  readonly local: boolean;
}

/**
 * Why a backup's link to its master does not come up. "Refuses" cannot tell a stopped master from a node
 * that is not a master (a backup does not listen), so it names both; on this machine's own address it says
 * that too (a backup cannot be its own master).
 */
export function describeDialFailure(target: DialTarget, outcome: DialOutcome): string {
  const at = `master at ${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
  switch (outcome.kind) {
    case 'refused':
      return target.local
        ? `${at} refuses connections: ${target.host} is this machine and nothing listens on port ${target.port} ` +
            `(a backup does not listen: is --master-host the master's address, and is the master running?)`
        : `${at} refuses connections: nothing listens on that port (the master is stopped, or the node there ` +
            `does not run as master, or its --peer-port is another)`;
    case 'timeout':
      return `${at} does not answer within the ping timeout (the host is down, or a firewall drops the connection)`;
    case 'unknown-host':
      return `master host "${target.host}" is not known (${outcome.code}): check --master-host`;
    case 'unreachable':
      return `${at} cannot be reached (${outcome.code}): no route to that host`;
    case 'accepted':
      return `${at} accepts connections, but no peer link comes up (is ${target.port} the master's peer port?)`;
  }
}
