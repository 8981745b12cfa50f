/**
 * What a node records in its failover history: each event stamped by the pair's clock, stored, sent to the
 * peer (only the kinds the peer knows) and told to the node's listeners.
 */
import { randomUUID } from 'node:crypto';
import type { EventKind, FailoverEvent } from '../dto.ts';
import type { Logger } from '../logging.ts';
import { eventKindsAccepted, LEGACY_EVENT_KINDS, type Hello, type PeerFrame } from '../peer/index.ts';
import type { Frame, Status } from '../redundancy/index.ts';
import type { EventStore } from '../store/index.ts';

export interface EventRecorderPorts {
  readonly events: Pick<EventStore, 'insert'>;
  readonly logger: Logger;
  readonly node: FailoverEvent['node'];
  readonly nodeId: string;
  /** The pair's clock, so that both nodes' records share one timeline (docs/redundancy.md "Clock skew"). */
  now(): number;
  send(frame: PeerFrame): void;
  recorded(event: FailoverEvent): void;
}

export class EventRecorder {
  readonly #p: EventRecorderPorts;
  /** The event kinds the peer of the current or last link accepts (its hello says; legacy ones until then). */
  #peerEventKinds: ReadonlySet<string> = new Set(LEGACY_EVENT_KINDS);

  constructor(ports: EventRecorderPorts) {
    this.#p = ports;
  }

  record(
    kind: EventKind,
    from: Status | null,
    to: Status | null,
    reason: string,
    durationMs: number | null,
  ): void {
    const event: FailoverEvent = {
      id: randomUUID(),
      at: new Date(this.#p.now()).toISOString(),
      kind,
      node: this.#p.node,
      nodeId: this.#p.nodeId,
      from,
      to,
      reason,
      durationMs,
    };
    // A disk that cannot take it (full, failing) must not end the node: the peer stores the event, the
    // dashboards see it live, and the log has it (found by the chaos run, a full disk at a link change).
    this.storing(`the ${kind} event`, () => this.#p.events.insert(event));
    this.#p.send({ t: 'events', events: [event] });
    this.#p.recorded(event);
  }

  /** An event of this node that is no change of its status. */
  note(kind: EventKind, reason: string): void {
    this.record(kind, null, null, reason, null);
  }

  /**
   * A write the node's own bookkeeping needs but can live without for a while (an event, the epoch, which the
   * peer also holds and tells again at link-up). A failure is logged as an error and the node carries on.
   */
  storing(what: string, write: () => void): void {
    try {
      write();
    } catch (error) {
      this.#p.logger.error({ err: error }, `could not store ${what}: the node runs on without it`);
    }
  }

  /** A peer said hello: from now on it gets the event kinds it names. */
  peerLinked(hello: Hello): void {
    this.#peerEventKinds = eventKindsAccepted(hello);
  }

  /** An event kind the peer does not know would make it close the link: it gets only the kinds it names. */
  forPeer(frame: Frame | PeerFrame): Frame | PeerFrame {
    if (frame.t !== 'events') return frame;
    const events = frame.events.filter((e) => this.#peerEventKinds.has(e.kind));
    return events.length === frame.events.length ? frame : { ...frame, events };
  }
}
