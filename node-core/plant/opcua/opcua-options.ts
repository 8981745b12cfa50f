/** How a node's OPC UA server is set up (opcua-server.ts starts it, server-options.ts turns it into node-opcua's). */
import type { Logger } from '../../logging.ts';
import type { Mode } from '../../redundancy/index.ts';
import type { ClientDecision } from './client-trust.ts';

export interface OpcUaOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly host: string;
  readonly allowInsecure: boolean;
  readonly pairName: string;
  readonly mode: Mode;
  readonly standby: 'cold' | 'warm';
  readonly version: string;
  /** How often health is looked at again (the heartbeat), so ServiceLevel follows within one heartbeat. */
  readonly refreshMs: number;
  /**
   * The pair's failover time (the ping timeout when that is 0): a standby's ServiceLevel reaches 150 at this
   * replication lag, and a node handing over expects to be back, as the standby, within it.
   */
  readonly failoverMs: number;
  /** The operator's decision on a client certificate (the node's certificate list; new ones become pending). */
  readonly clientDecision: ClientDecision;
  /** Sessions at once, subscriptions per session (docs/opcua.md "Limits"). */
  readonly limits: { readonly sessions: number; readonly subscriptionsPerSession: number };
  /** Operator accounts (node-core/auth): true when the name and password are right. */
  checkPassword(name: string, password: string): Promise<boolean>;
  readonly logger: Logger;
}
