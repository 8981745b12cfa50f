/**
 * What the Sparkplug edge reaches of its node (docs/architecture.md "The ports"): narrow ports that the
 * composition root builds in node/plant-ports.ts from the API's DataQueries and DataCommands, so that the edge
 * never sees the DataService or the node, and a spec can pass small fakes.
 */
import type { Clock } from '../../clock/index.ts';
import type { Logger } from '../../logging.ts';
import type { NodeSettings } from '../../node/settings.ts';
import type { TagDefinition } from '../../protocol/config-items.ts';
import type { Status } from '../../redundancy/index.ts';
import type { Polled, SampleHistory } from './catch-up.ts';

/** The gateway data as the edge reads and writes it. */
export interface EdgeData {
  /** The configured tags, in the config's order. */
  tags(): { key: string; definition: TagDefinition }[];
  /** A configured tag's definition; undefined for a tag not configured. */
  tagDefinition(name: string): TagDefinition | undefined;
  /** Every value this node holds. */
  currentValues(): readonly Polled[];
  /** A configured tag's value; undefined before its first (or for a tag not configured). */
  currentValue(name: string): Polled | undefined;
  /** Calls `listener` for every config change; answers the unsubscribe. */
  watchConfig(listener: () => void): () => void;
  /** A write through the API's path (the device write, the command ledger, the peer); rejects when refused. */
  writeTag(name: string, value: unknown): Promise<unknown>;
}

export interface SparkplugEdgePorts {
  readonly settings: NodeSettings;
  readonly data: EdgeData;
  /** The node's recorded samples (both nodes' polls): what a new session sends as historical. */
  readonly history: SampleHistory;
  /** This node's id: its origin in the history. */
  readonly nodeId: string;
  /**
   * How long a master can be gone before the backup takes over (history/warm-buffer.ts): how long warm polls
   * are kept, and when the catch-up looks again after a birth.
   */
  readonly detectionWindowMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Spreads the retries (Math.random by default). */
  readonly random?: () => number;
  status(): Status;
}
