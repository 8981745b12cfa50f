/**
 * What a node does with what its peer sends: the link coming up (with the peer's hello) or going down, and each
 * frame, handed to the part of the node that owns it — the redundancy driver, the data service, the gateway
 * workload (history), the event store. It also keeps what the status view shows of the peer.
 */
import type { Clock } from '../clock/index.ts';
import type { EventKind, FailoverEvent } from '../dto.ts';
import { compareLicenses, type LicenseState } from '../license/index.ts';
import type { NodeMetrics } from '../metrics/node-metrics.ts';
import type { Logger } from '../logging.ts';
import type { Hello, PeerFrame, PeerLink } from '../peer/index.ts';
import {
  bestOffset,
  offsetFromHeartbeat,
  OFFSET_SAMPLES_KEPT,
  type Frame,
  type OffsetSample,
  type RedundancyDriver,
} from '../redundancy/index.ts';
import type { EventStore } from '../store/index.ts';
import type { CertificateInfo } from '../trust/index.ts';
import { DATA_FRAMES, type DataFrame, type DataService } from '../data/index.ts';
import { HISTORY_FRAMES, type HistoryFrame } from '../history/index.ts';
import { dispatchFrame, handlersFor, type FrameHandlers } from '../peer/frame-handlers.ts';
import type { PartnerSessions } from '../auth/partner-sessions.ts';
import { PARTNER_SESSION_FRAMES, type PartnerSessionFrame } from '../protocol/peer-frames.ts';
import type { GatewayWorkload } from './gateway-workload.ts';

/** Heartbeat round trips kept for the status view: a minute at the default ping rate. */
const RTT_SAMPLES_KEPT = 60;

export interface PeerFacts {
  hello: Hello;
  certificate: CertificateInfo;
  lastHeartbeatAt: number | null;
  rttMs: number | null;
  /** The last heartbeat round trips, oldest first, for the dashboard's sparkline. */
  rttRecent: number[];
  /** The peer's clock as the latest heartbeats measured it (docs/redundancy.md "Clock skew"). */
  offsetSamples: OffsetSample[];
}

/**
 * The parts of the node that peer frames go to, each narrowed to what the router calls: TandemNode passes
 * its own parts, the deterministic simulation (test/simulation) passes its simulated ones.
 */
export interface PeerFramePorts {
  readonly driver: Pick<RedundancyDriver, 'state' | 'dispatch'>;
  readonly data: Pick<DataService, 'onLinkUp' | 'onLinkDown' | 'sendConfigHead' | 'answerPull' | 'onFrame'>;
  readonly workload: Pick<GatewayWorkload, 'linkUp' | 'linkDown' | 'onFrame'>;
  /** Sessions on the partner for this node's callers, and the partner's for its own (docs/auth.md). */
  readonly partnerSessions: Pick<PartnerSessions, 'linkDown' | 'onFrame'>;
  readonly events: Pick<EventStore, 'list' | 'insert' | 'position' | 'storedAfter'>;
  readonly license: LicenseState;
  readonly metrics: Pick<NodeMetrics, 'heartbeatRtt'>;
  readonly clock: Pick<Clock, 'now'>;
  send(frame: PeerFrame): void;
  /** Records an event of this node (and sends it to the peer). */
  record(kind: EventKind, reason: string): void;
  /** An event of the peer's history that this node did not have. */
  eventReceived(event: FailoverEvent): void;
  /** A heartbeat measured the peer's clock: the best estimate of the latest ones. */
  clockOffset(estimate: OffsetSample): void;
}

export class PeerFrameRouter {
  readonly #p: PeerFramePorts;
  readonly #pingSentAt = new Map<number, number>();
  #peer: PeerFacts | null = null;
  /** The peer the history was last sent to, and where the history stood when that link came up. */
  #historySent: { readonly peerId: string; readonly position: number } | null = null;

  constructor(ports: PeerFramePorts) {
    this.#p = ports;
  }

  /** The peer of the current or last link; null until a link first came up. */
  get peer(): PeerFacts | null {
    return this.#peer;
  }

  /** Told of every frame on its way to the peer, so that a pong can be timed against its ping. */
  sending(frame: Frame | PeerFrame): void {
    if (frame.t === 'ping') this.#pingSentAt.set(frame.seq, this.#p.clock.now());
  }

  linkUp(hello: Hello, certificate: CertificateInfo): void {
    this.#peer = { hello, certificate, lastHeartbeatAt: null, rttMs: null, rttRecent: [], offsetSamples: [] };
    this.#pingSentAt.clear();
    this.#p.driver.dispatch({
      type: 'link-up',
      peer: { status: hello.status, epoch: hello.epoch, activeSince: hello.activeSince, at: hello.at },
    });
    // Each side sends its history; inserts are idempotent, so both end with the union. The same peer again
    // gets what was stored since the last link came up (the rest it has; what went out on that link may have
    // been lost with it): the whole history at every re-dial grew with it, up to 3 MB a frame, and held the
    // memory of both nodes up while a link flapped (issue 14, item 9).
    const position = this.#p.events.position();
    const sent = this.#historySent;
    const events =
      sent?.peerId === hello.nodeId
        ? this.#p.events.storedAfter(sent.position, 10_000)
        : this.#p.events.list(10_000);
    this.#historySent = { peerId: hello.nodeId, position };
    this.#p.send({ t: 'events', events });
    this.#p.data.onLinkUp(hello.status === 'active');
    this.#p.workload.linkUp();
    const comparison = compareLicenses(this.#p.license, hello.license);
    if (comparison.licenseMatch === 'mismatch') {
      this.#p.record('license-mismatch', comparison.differences.join('; '));
    }
  }

  linkDown(): void {
    this.#p.data.onLinkDown();
    this.#p.workload.linkDown();
    this.#p.partnerSessions.linkDown();
    this.#p.driver.dispatch({ type: 'link-down' });
  }

  route(frame: PeerFrame): void {
    dispatchFrame(this.#handlers, frame);
  }

  /**
   * A frame that its handler cannot take (a bug, a database that refuses a write) ends this link, not the
   * process: the peers meet again on a fresh link and start over from where each one's store stands.
   */
  routeOrDrop(frame: PeerFrame, link: Pick<PeerLink, 'drop'>, logger: Logger): void {
    try {
      this.route(frame);
    } catch (error) {
      logger.error({ err: error, frame: frame.t }, `peer frame ${frame.t} could not be handled`);
      link.drop(
        `a ${frame.t} frame could not be handled: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** Every frame type of the link, each to the part of the node that owns it (a missing one does not compile). */
  readonly #handlers: FrameHandlers<PeerFrame> = {
    // The hello is the link's own (PeerLink checks it before the link is up); a later one changes nothing.
    hello: () => undefined,
    ping: (frame) => {
      // The wall clock goes with the answer, so the peer can measure the offset between the two clocks.
      this.#p.send({ t: 'pong', seq: frame.seq, at: this.#p.clock.now() });
    },
    pong: (frame) => {
      const now = this.#p.clock.now();
      const sentAt = this.#pingSentAt.get(frame.seq);
      this.#pingSentAt.delete(frame.seq);
      if (this.#peer && sentAt !== undefined) {
        this.#peer.lastHeartbeatAt = now;
        this.#peer.rttMs = now - sentAt;
        this.#peer.rttRecent.push(this.#peer.rttMs);
        if (this.#peer.rttRecent.length > RTT_SAMPLES_KEPT) this.#peer.rttRecent.shift();
        this.#p.metrics.heartbeatRtt(this.#peer.rttMs);
        if (frame.at !== undefined) this.#clockSample(offsetFromHeartbeat(sentAt, frame.at, now));
      }
      this.#p.driver.dispatch({ type: 'pong', seq: frame.seq });
    },
    state: (frame) => {
      const wasActive = this.#p.driver.state.peer.status === 'active';
      this.#p.driver.dispatch({ type: 'peer-state', peer: frame });
      // A new active peer: follow it from where this node's config stands.
      if (frame.status === 'active' && !wasActive && this.#p.driver.state.status !== 'active')
        this.#p.data.sendConfigHead();
    },
    'handover-request': (frame) => {
      const before = this.#p.driver.state;
      const split = before.status === 'active' && before.peer.status === 'active';
      this.#p.driver.dispatch({ type: 'handover-request', reason: frame.reason });
      // Both were active and the peer's operator decided the split (docs/redundancy.md "An operator's
      // switch-over holds"): follow it from where this node's config stands, as a split's loser does at link-up.
      if (split && this.#p.driver.state.status !== 'active') this.#p.data.sendConfigHead();
    },
    'handover-ack': (frame) => this.#p.driver.dispatch({ type: frame.t }),
    'handover-offer': (frame) => this.#p.driver.dispatch({ type: frame.t }),
    goodbye: (frame) => this.#p.driver.dispatch({ type: frame.t }),
    events: (frame) => {
      const fresh = frame.events.filter((e) => this.#p.events.insert(e));
      for (const event of fresh) this.#p.eventReceived(event);
    },
    'sync-request': (frame) => {
      // Everything this node holds that the peer may lack, then the marker that it is all there.
      this.#p.data.answerPull(frame.configHead, frame.unshared);
      this.#p.send({ t: 'events', events: this.#p.events.list(10_000) });
      this.#p.send({ t: 'sync-done' });
    },
    'sync-done': () => this.#p.driver.dispatch({ type: 'sync-complete' }),
    ...handlersFor<HistoryFrame>(HISTORY_FRAMES, (frame) => this.#p.workload.onFrame(frame)),
    ...handlersFor<DataFrame>(DATA_FRAMES, (frame) => this.#p.data.onFrame(frame)),
    ...handlersFor<PartnerSessionFrame>(PARTNER_SESSION_FRAMES, (frame) =>
      this.#p.partnerSessions.onFrame(frame),
    ),
  };

  #clockSample(sample: OffsetSample): void {
    const samples = this.#peer?.offsetSamples;
    if (!samples) return;
    samples.push(sample);
    if (samples.length > OFFSET_SAMPLES_KEPT) samples.shift();
    const best = bestOffset(samples);
    if (!best) return;
    this.#p.clockOffset(best);
    // The machine reads the peer's times through it when it resolves a split brain (split-brain.ts).
    this.#p.driver.dispatch({ type: 'peer-clock', offsetMs: best.offsetMs });
  }
}
