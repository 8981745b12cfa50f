/**
 * What a DataService (and the config replication it owns) needs of the node around it, in a leaf of its own
 * so that both import it without importing each other.
 */
import type { Clock } from '../clock/index.ts';
import type { PeerFrame } from '../peer/index.ts';
import type { AlarmState } from './alarm-store.ts';
import type { TagValue } from './runtime-store.ts';

export interface DataPorts {
  readonly nodeId: string;
  readonly clock: Clock;
  send(frame: PeerFrame): void;
  /** The peer link is up (hello exchanged). */
  linked(): boolean;
  isActive(): boolean;
  epoch(): number;
  fullResync(reason: string): void;
  /** Values and alarm states that changed here (local or from the peer), for live subscribers. */
  changed(values: readonly TagValue[], alarms: readonly AlarmState[]): void;
  /** Writes a value to the device behind a tag (rejects with the device's reason). */
  writeDevice(name: string, value: TagValue['value']): Promise<void>;
  /** Resolves once everything this node committed so far is on disk, safe from a power loss (WalSync). */
  durable(): Promise<void>;
  /**
   * Stores the history samples of memory tags' values, inside the transaction that stores the values (written
   * here or replicated to here): a value and its sample are stored together or not at all (docs/rules.md
   * "Data 4"). Absent: no history (tests of the data layer alone).
   */
  historize?(values: readonly TagValue[]): void;
  /**
   * Values were stored without their samples: storing them with their samples failed on a damaged page (of
   * history, as storing them without showed). Told at each such store; the store thread reports the damage.
   */
  historyDamaged?(error: unknown): void;
}
