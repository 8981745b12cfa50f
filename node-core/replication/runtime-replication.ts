/**
 * The runtime side of replication on the wire (docs/rules.md "Data", "Commands"): batches of values, ledger
 * entries and alarm states sent to the peer, and the callers that wait for the peer to have stored theirs.
 * What a batch from the peer changes here is the DataService's; this part only carries batches and acks.
 */
import { randomUUID } from 'node:crypto';
import type { DataPorts } from '../data/data-ports.ts';
import type { PeerFrame } from '../peer/index.ts';
import { runtimeFrames, type RuntimeBatch } from './runtime-frames.ts';

export class RuntimeReplication {
  readonly #p: Pick<DataPorts, 'send' | 'durable' | 'linked' | 'clock'>;
  /** Callers waiting for the peer to have stored a runtime batch, by ack id. */
  readonly #waiting = new Map<string, () => void>();
  #lagMs: number | null = null;

  constructor(ports: Pick<DataPorts, 'send' | 'durable' | 'linked' | 'clock'>) {
    this.#p = ports;
  }

  /** How long the last acknowledged batch took to be stored on the peer (null: none yet). */
  get lagMs(): number | null {
    return this.#lagMs;
  }

  /** A command's results, stored here already: answered once the peer has them too, and both disks. */
  async replicate(batch: RuntimeBatch): Promise<void> {
    // The sync of this node's disk runs while the batch is on its way (see store/wal-sync.ts).
    const durable = this.#p.durable();
    durable.catch(() => undefined); // awaited below; a failure reaches the caller there
    if (this.#p.linked()) {
      const ackId = randomUUID();
      const sentAt = this.#p.clock.now();
      const stored = new Promise<void>((release) => this.#waiting.set(ackId, release));
      this.send(batch, ackId);
      await stored;
      if (this.#p.linked()) this.#lagMs = this.#p.clock.now() - sentAt;
    }
    await durable;
  }

  /** Sends a batch in as few frames as the size allows; the ack id (if any) rides on the last one. */
  send(batch: RuntimeBatch, ackId: string | null = null): void {
    for (const frame of runtimeFrames(batch, ackId)) this.#p.send(frame);
  }

  /** The peer's batch `ackId` is stored here: its caller is answered once it is on this node's disk too. */
  acknowledge(ackId: string): void {
    const ack: PeerFrame = { t: 'runtime-ack', ackId };
    this.#p.durable().then(
      () => this.#p.send(ack),
      () => undefined, // not claimed: the caller is answered when the link ends
    );
  }

  /** The peer stored the batch `ackId`: its caller goes on. */
  onAck(ackId: string): void {
    const release = this.#waiting.get(ackId);
    this.#waiting.delete(ackId);
    release?.();
  }

  /** The link is gone: nothing is in flight any more; answers the callers that waited on it, for release. */
  endLink(): (() => void)[] {
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    return waiting;
  }
}
