/** What GET /api/status tells of Sparkplug B (docs/sparkplug.md), on both nodes of a pair. */
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
