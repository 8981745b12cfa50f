/** What GET /api/status shows of the plant interfaces: the OPC UA server and MQTT Sparkplug B. */

/** The node's OPC UA server (docs/opcua.md, docs/contract.md). */
export interface OpcUaView {
  /** `disabled`: `--opcua-port 0`; `failed`: see `problem` (the node runs on without OPC UA). */
  readonly state: 'disabled' | 'starting' | 'running' | 'failed' | 'stopped';
  readonly endpointUrl: string | null;
  readonly applicationUri: string;
  /** 0–255, docs/opcua.md "ServiceLevel". */
  readonly serviceLevel: number;
  /** OPC UA sessions open now. */
  readonly sessions: number;
  readonly problem: string | null;
}

/** Sparkplug B (docs/sparkplug.md), on both nodes of a pair. */
export interface SparkplugView {
  /**
   * off: this node does not hold the session (standby, or not started); connecting: to the broker;
   * waiting-host: connected, waiting for the primary host's STATE online; online: born; retrying: the
   * broker could not be reached or ended the session, a new try is due.
   */
  readonly state: 'off' | 'connecting' | 'waiting-host' | 'online' | 'retrying';
  readonly broker: string;
  readonly group: string;
  readonly edgeNode: string;
  readonly primaryHost: string | null;
  /** The bdSeq of the current (or last) session; null before the first. */
  readonly bdSeq: number | null;
  /** ISO-8601 time of the last NBIRTH this node published, or null. */
  readonly lastBirthAt: string | null;
  /** Samples recorded and not yet taken by the broker, sent as historical once it is back. */
  readonly buffered: number;
  /** Why the node is not online, or the last thing refused (a command, a subscription); null when none. */
  readonly problem: string | null;
}
