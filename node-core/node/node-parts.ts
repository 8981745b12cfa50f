/**
 * The parts of one node, made and tied together for the composition root (create-node.ts): its data (config,
 * runtime values, alarms), the redundancy driver, the peer link and the frame router, the gateway workload, the
 * pair checks, the failover history and the certificate decisions. TandemNode (tandem-node.ts) receives them
 * made and runs them; it makes none of them.
 *
 * Parts call one another (the driver sends through the link, the link's frames go to the router, the data
 * service asks the driver for the role), so some are reached through a `let` made a few lines further down;
 * none of these calls runs before the node starts, when every part exists. What the parts call on the node
 * itself goes through a `NodeRelay`, which the node takes over once it is made.
 */
import type { Clock } from '../clock/index.ts';
import type { AlarmState, TagValue } from '../data/index.ts';
import { AlarmService, AlarmStore, ConfigStore, DataService, RuntimeStore } from '../data/index.ts';
import type { FailoverEvent, LinkState } from '../dto.ts';
import type { LicenseState } from '../license/index.ts';
import type { Logger } from '../logging.ts';
import { NodeMetrics } from '../metrics/node-metrics.ts';
import { toHistorySamples } from '../history/index.ts';
import { PeerLink, type Hello, type PeerFrame } from '../peer/index.ts';
import { RedundancyDriver, type Frame, type RecordedEvent, type Status } from '../redundancy/index.ts';
import { WalSync, type CertificateStore, type Db, type EventStore, type MetaStore } from '../store/index.ts';
import type { CertificateInfo, Identity } from '../trust/index.ts';
import { PartnerSessions } from '../auth/partner-sessions.ts';
import { CertificateDecisions } from './certificate-decisions.ts';
import { EventRecorder } from './event-recorder.ts';
import { GatewayWorkload } from './gateway-workload.ts';
import { helloOf } from './hello.ts';
import { PairChecks } from './pair-checks.ts';
import { helloProblem } from './pairing.ts';
import { PeerFrameRouter } from './peer-frames.ts';
import {
  pairChecksOptionsOf,
  peerLinkOptionsOf,
  probeIsolationOf,
  redundancyConfigOf,
} from './settings-parts.ts';
import type { NodeSettings } from './settings.ts';
import { partnerSessionAnswerMs } from './timing-bounds.ts';

/** What a node is made from: its settings, stores, identity and license, and its clocks and logger. */
export interface NodeBase {
  readonly settings: NodeSettings;
  readonly db: Db;
  readonly meta: MetaStore;
  readonly events: EventStore;
  readonly certificates: CertificateStore;
  readonly identity: Identity;
  readonly license: LicenseState;
  /** The node's clock: every timer of the pair runs on it (a manual one in tests). */
  readonly clock: Clock;
  /**
   * The system clock, for the bounds that must pass even where `clock` is a manual one nobody advances: a
   * stop's wait for its hand-over, the peer link's drain on close (node/timing-bounds.ts).
   */
  readonly realTime: Clock;
  readonly logger: Logger;
  readonly version: string;
}

/** What the parts call on the node itself (TandemNode answers these). */
export interface NodeHooks {
  /** The machine changed this node's status (the epoch is persisted by then). */
  statusChanged(status: Status, epoch: number, reason: string): void;
  /** The machine recorded a transition. */
  machineEvent(event: RecordedEvent): void;
  /** The machine ended its stop (the hand-over done or given up). */
  stopped(): void;
  /** An event recorded here or received from the peer. */
  event(event: FailoverEvent): void;
  data(values: readonly TagValue[], alarms: readonly AlarmState[]): void;
  link(state: LinkState, reason: string | null): void;
}

/** The parts' calls to the node, made before the node exists: the node connects itself once made. */
export class NodeRelay implements NodeHooks {
  #node: NodeHooks | null = null;

  connect(node: NodeHooks): void {
    this.#node = node;
  }

  statusChanged(status: Status, epoch: number, reason: string): void {
    this.#target().statusChanged(status, epoch, reason);
  }

  machineEvent(event: RecordedEvent): void {
    this.#target().machineEvent(event);
  }

  stopped(): void {
    this.#target().stopped();
  }

  event(event: FailoverEvent): void {
    this.#target().event(event);
  }

  data(values: readonly TagValue[], alarms: readonly AlarmState[]): void {
    this.#target().data(values, alarms);
  }

  link(state: LinkState, reason: string | null): void {
    this.#target().link(state, reason);
  }

  #target(): NodeHooks {
    if (!this.#node) throw new Error('a part called its node before the node was made');
    return this.#node;
  }
}

export interface NodeParts {
  readonly nodeId: string;
  readonly startedAt: number;
  readonly metrics: NodeMetrics;
  /** The node's failover history: what it records, and which of it goes to the peer. */
  readonly recorder: EventRecorder;
  /** Misconfiguration, settings that differ, the peer's clock (docs/redundancy.md); its pair clock stamps events. */
  readonly checks: PairChecks;
  readonly certificates: CertificateDecisions;
  readonly data: DataService;
  readonly walSync: WalSync;
  readonly driver: RedundancyDriver;
  /** Null for an independent node. */
  readonly link: PeerLink | null;
  readonly workload: GatewayWorkload;
  readonly router: PeerFrameRouter;
  /** Sessions asked of the partner for this node's callers (the composition root sets who grants the partner's). */
  readonly partnerSessions: PartnerSessions;
  /** Where this node's API answers, once it does (the hello and the status view tell it). */
  readonly api: { url: string };
  readonly relay: NodeRelay;
}

export function makeNodeParts(base: NodeBase): NodeParts {
  const s = base.settings;
  const nodeId = base.meta.nodeId();
  const startedAt = base.clock.now();
  const relay = new NodeRelay();
  const api = { url: '' };
  const metrics = new NodeMetrics();
  // These reach parts made further down, and run only once the node does (see above).
  const status = (): Status => driver.state.status;
  const linked = (): boolean => link?.isUp === true;
  const send = (frame: Frame | PeerFrame): void => {
    router.sending(frame);
    link?.send(recorder.forPeer(frame));
  };

  const recorder: EventRecorder = new EventRecorder({
    events: base.events,
    logger: base.logger,
    node: s.mode,
    nodeId,
    now: () => checks.pairClock.now(),
    send,
    recorded: (event) => relay.event(event),
  });
  const checks = new PairChecks(
    pairChecksOptionsOf(s, nodeId, base.clock, (kind, reason) => recorder.note(kind, reason)),
  );
  const walSync = new WalSync(base.db.name);
  const config = new ConfigStore(base.db, base.meta);
  let historyDamageLogged = false;
  const data: DataService = new DataService(
    config,
    new RuntimeStore(base.db),
    new AlarmService(new AlarmStore(base.db), config),
    {
      nodeId,
      // What the pair records (values, alarms, commands, history samples) is stamped by the pair's clock, so a
      // backup whose clock is off does not put its records an hour away (docs/redundancy.md "Clock skew").
      clock: checks.pairClock,
      send,
      linked,
      isActive: () => status() === 'active',
      epoch: () => driver.state.epoch,
      fullResync: (reason) => recorder.note('full-resync', reason),
      changed: (values, alarms) => relay.data(values, alarms),
      writeDevice: (name, value) => workload.writeDevice(name, value),
      durable: () => walSync.synced(),
      // Their own origin keeps each origin's samples in time order, as forwarding between the nodes needs.
      historize: (values) => workload.history.recordWithin(toHistorySamples(values, `${nodeId}/memory`)),
      historyDamaged: (error) => {
        if (historyDamageLogged) return;
        historyDamageLogged = true;
        base.logger.error(
          { err: error },
          'history is damaged: values are stored without their samples until the database is restored',
        );
      },
    },
  );
  // The newest value stored here: a clock set back while the node was down does not stamp before it.
  checks.pairClock.startAfter(data.runtime.all().reduce((newest, v) => Math.max(newest, v.ts), 0));
  const certificates = new CertificateDecisions({
    certificates: base.certificates,
    now: () => base.clock.now(),
    logger: base.logger,
    record: (kind, reason) => recorder.note(kind, reason),
    isActive: () => status() === 'active',
    share: (kind, fingerprint, approval) => data.putConfig(kind, fingerprint, approval),
    rejected: (fingerprint) => {
      // A connection refused for this certificate is built again at once rather than at the next re-dial.
      if (router.peer?.certificate.fingerprint === fingerprint) link?.drop('certificate rejected');
      // Sessions this node granted to a partner with it rested on that trust (docs/auth.md).
      partnerSessions.trustWithdrawn(fingerprint);
    },
  });
  const driver: RedundancyDriver = new RedundancyDriver(
    redundancyConfigOf(s),
    base.meta.epoch(),
    base.clock,
    {
      statusChanged: (changed, epoch, reason) => relay.statusChanged(changed, epoch, reason),
      epochLearned: (epoch) => recorder.storing(`epoch ${epoch}`, () => base.meta.setEpoch(epoch)),
      send,
      record: (event) => relay.machineEvent(event),
      pullFromPeer: () => send(data.pullRequest()),
      mergeSplitChanges: () => send({ t: 'events', events: base.events.list(10_000) }),
      probeIsolation: probeIsolationOf(s),
      dropLink: () => link?.drop('missed heartbeats'),
      stopped: () => relay.stopped(),
    },
  );
  const link: PeerLink | null =
    s.mode === 'independent'
      ? null
      : new PeerLink({
          ...peerLinkOptionsOf(s, base.identity),
          trust: (info, pem) => trust(info, pem),
          hello: (): Hello =>
            helloOf({
              settings: s,
              nodeId,
              state: driver.state,
              startedAt,
              version: base.version,
              apiUrl: api.url,
              license: base.license,
              now: base.clock.now(),
            }),
          checkHello: (hello) => checkHello(hello),
          clock: base.clock,
          realTime: base.realTime,
          logger: base.logger,
        });
  const workload: GatewayWorkload = new GatewayWorkload({
    db: base.db,
    data,
    settings: s,
    nodeId,
    clock: checks.pairClock,
    logger: base.logger,
    status,
    linked,
    peerLastSeenAt: () => router.peer?.lastHeartbeatAt ?? null,
    peerActive: () => linked() && driver.state.peer.status === 'active',
    send,
    deviceFault: (device, reason) =>
      reason === null
        ? recorder.note('device-recovered', `device "${device}" answers again`)
        : recorder.note('device-fault', `device "${device}": ${reason}`),
  });
  const partnerSessions = new PartnerSessions({
    send,
    linked,
    partnerOffers: () => router.peer?.hello.partnerSessions === true,
    partnerFingerprint: () => router.peer?.certificate.fingerprint ?? null,
    clock: base.clock,
    answerWithinMs: partnerSessionAnswerMs(s.timing),
  });
  const router: PeerFrameRouter = new PeerFrameRouter({
    driver,
    data,
    workload,
    partnerSessions,
    events: base.events,
    license: base.license,
    metrics,
    clock: base.clock,
    send,
    record: (kind, reason) => recorder.note(kind, reason),
    eventReceived: (event) => relay.event(event),
    clockOffset: (estimate) => checks.offsetMeasured(estimate),
  });

  const trust = (info: CertificateInfo, pem: string): 'trusted' | 'pending' | 'rejected' => {
    checks.certificateSeen(info.fingerprint === base.identity.info.fingerprint);
    return certificates.peerSeen(info, pem);
  };
  /** Same-mode peers, other pair names and the same node twice end the link as `faulted` (docs/redundancy.md). */
  const checkHello = (hello: Hello): string | null => {
    const problem = helloProblem({ nodeId, name: s.name, mode: s.mode }, hello);
    if (problem) checks.helloRefused(problem);
    return problem;
  };
  if (link) {
    const peerLink = link;
    peerLink.on('state', (state, reason) => {
      checks.linkState(state, reason);
      relay.link(state, reason);
    });
    peerLink.on('up', (hello, certificate) => {
      recorder.peerLinked(hello);
      checks.peerHello(hello, base.clock.now());
      router.linkUp(hello, certificate);
    });
    peerLink.on('down', () => router.linkDown());
    peerLink.on('frame', (frame) => router.routeOrDrop(frame, peerLink, base.logger));
    peerLink.on('unverified', () => driver.dispatch({ type: 'peer-unverified' }));
  }

  return {
    nodeId,
    startedAt,
    metrics,
    recorder,
    checks,
    certificates,
    data,
    walSync,
    driver,
    link,
    workload,
    router,
    partnerSessions,
    api,
    relay,
  };
}
