/**
 * One Tandem node: store, identity, license, peer link and redundancy driver, wired together.
 * The CLI and the Electron main process both make it through `createNode` (../index.ts).
 */
import { EventEmitter } from 'node:events';
import type { Clock } from '../clock/index.ts';
import type { CertificateRecord, EventKind, FailoverEvent, LinkState, StatusView } from '../dto.ts';
import type { LicenseState } from '../license/index.ts';
import type { Logger } from '../logging.ts';
import { PeerLink, type Hello, type PeerFrame } from '../peer/index.ts';
import { RedundancyDriver, type Frame, type RecordedEvent, type Status } from '../redundancy/index.ts';
import { WalSync, type CertificateStore, type Db, type EventStore, type MetaStore } from '../store/index.ts';
import type { CertificateInfo, Identity } from '../trust/index.ts';
import { NodeMetrics } from '../metrics/node-metrics.ts';
import {
  AlarmService,
  AlarmStore,
  ConfigStore,
  DataService,
  RuntimeStore,
  type AlarmState,
  type TagValue,
} from '../data/index.ts';
import type { NodeSettings } from './settings.ts';
import { GatewayWorkload } from './gateway-workload.ts';
import { PeerFrameRouter } from './peer-frames.ts';
import { PairChecks } from './pair-checks.ts';
import { statusViewOf } from './status-view.ts';
import type { OpcUaView } from '../plant/opcua/opcua-view.ts';
import { CertificateDecisions } from './certificate-decisions.ts';
import { EventRecorder } from './event-recorder.ts';
import { helloOf } from './hello.ts';
import { helloProblem } from './pairing.ts';
import {
  pairChecksOptionsOf,
  peerLinkOptionsOf,
  probeIsolationOf,
  redundancyConfigOf,
} from './settings-parts.ts';
import type { SparkplugEdge } from '../plant/sparkplug/index.ts';

export interface TandemNodeParts {
  readonly settings: NodeSettings;
  readonly db: Db;
  readonly meta: MetaStore;
  readonly events: EventStore;
  readonly certificates: CertificateStore;
  readonly identity: Identity;
  readonly license: LicenseState;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly version: string;
  /**
   * Makes the node's Sparkplug edge when a broker is set (plant/sparkplug/attach.ts), given by the composition
   * root so that the node does not import what imports it.
   */
  readonly sparkplug?: (node: TandemNode) => SparkplugEdge | null;
}

export interface TandemNodeEvents {
  status: [status: Status, reason: string];
  event: [event: FailoverEvent];
  link: [state: LinkState, reason: string | null];
  data: [values: readonly TagValue[], alarms: readonly AlarmState[]];
  stopped: [];
}

export class TandemNode extends EventEmitter<TandemNodeEvents> {
  readonly settings: NodeSettings;
  readonly nodeId: string;
  readonly metrics: NodeMetrics;
  readonly data: DataService;
  readonly workload: GatewayWorkload;
  /** The pair as one Sparkplug B edge node, when a broker is set (docs/sparkplug.md). */
  readonly sparkplug: SparkplugEdge | null;
  readonly #p: TandemNodeParts;
  readonly #driver: RedundancyDriver;
  readonly #link: PeerLink | null;
  readonly #startedAt: number;
  readonly #peerFrames: PeerFrameRouter;
  /** Misconfiguration, settings that differ, the peer's clock (docs/redundancy.md); its pair clock stamps events. */
  readonly #checks: PairChecks;
  readonly #certificates: CertificateDecisions;
  /** The node's failover history: what it records, and which of it goes to the peer. */
  readonly #recorder: EventRecorder;
  #apiUrl = '';
  #stopping: Promise<void> | null = null;
  readonly #walSync: WalSync;
  #whenStopped: () => void = () => undefined;

  constructor(parts: TandemNodeParts) {
    super();
    this.#p = parts;
    this.settings = parts.settings;
    this.nodeId = parts.meta.nodeId();
    this.#startedAt = parts.clock.now();
    this.metrics = new NodeMetrics();
    const s = parts.settings;
    this.#recorder = new EventRecorder({
      events: parts.events,
      logger: parts.logger,
      node: s.mode,
      nodeId: this.nodeId,
      now: () => this.#checks.pairClock.now(),
      send: (frame) => this.#send(frame),
      recorded: (event) => this.emit('event', event),
    });
    this.#checks = new PairChecks(
      pairChecksOptionsOf(s, this.nodeId, parts.clock, (kind, reason) => this.#recorder.note(kind, reason)),
    );
    this.#certificates = new CertificateDecisions({
      certificates: parts.certificates,
      now: () => parts.clock.now(),
      logger: parts.logger,
      record: (kind, reason) => this.#recorder.note(kind, reason),
      isActive: () => this.status === 'active',
      share: (kind, fingerprint, approval) => this.data.putConfig(kind, fingerprint, approval),
      rejected: (fingerprint) => {
        // A connection refused for this certificate is built again at once rather than at the next re-dial.
        if (this.#peerFrames.peer?.certificate.fingerprint === fingerprint)
          this.#link?.drop('certificate rejected');
      },
    });
    // What the pair records (values, alarms, commands, history samples) is stamped by the pair's clock, so a
    // backup whose clock is off does not put its records an hour away (docs/redundancy.md "Clock skew").
    const pairClock = this.#checks.pairClock;
    const config = new ConfigStore(parts.db, parts.meta);
    this.#walSync = new WalSync(parts.db.name);
    this.data = new DataService(
      config,
      new RuntimeStore(parts.db),
      new AlarmService(new AlarmStore(parts.db), config),
      {
        nodeId: this.nodeId,
        clock: pairClock,
        send: (frame) => this.#send(frame),
        linked: () => this.#link?.isUp === true,
        isActive: () => this.status === 'active',
        epoch: () => this.epoch,
        fullResync: (reason) => this.#recorder.note('full-resync', reason),
        changed: (values, alarms) => this.emit('data', values, alarms),
        writeDevice: (name, value) => this.workload.writeDevice(name, value),
        durable: () => this.#walSync.synced(),
      },
    );
    this.#driver = new RedundancyDriver(redundancyConfigOf(s), parts.meta.epoch(), parts.clock, {
      statusChanged: (status, epoch, reason) => this.#onStatusChanged(status, epoch, reason),
      epochLearned: (epoch) => this.#recorder.storing(`epoch ${epoch}`, () => parts.meta.setEpoch(epoch)),
      send: (frame) => this.#send(frame),
      record: (event) => this.#recordMachineEvent(event),
      pullFromPeer: () => this.#send(this.data.pullRequest()),
      mergeSplitChanges: () => this.#send({ t: 'events', events: this.#p.events.list(10_000) }),
      probeIsolation: probeIsolationOf(s),
      dropLink: () => this.#link?.drop('missed heartbeats'),
      stopped: () => this.#whenStopped(),
    });
    this.#link = s.mode === 'independent' ? null : this.#makeLink();
    this.workload = new GatewayWorkload({
      db: parts.db,
      data: this.data,
      settings: s,
      nodeId: this.nodeId,
      clock: pairClock,
      logger: parts.logger,
      status: () => this.status,
      linked: () => this.#link?.isUp === true,
      peerLastSeenAt: () => this.#peerFrames.peer?.lastHeartbeatAt ?? null,
      peerActive: () => this.#link?.isUp === true && this.#driver.state.peer.status === 'active',
      send: (frame) => this.#send(frame),
      deviceFault: (device, reason) =>
        reason === null
          ? this.#recorder.note('device-recovered', `device "${device}" answers again`)
          : this.#recorder.note('device-fault', `device "${device}": ${reason}`),
    });
    this.#peerFrames = new PeerFrameRouter({
      driver: this.#driver,
      data: this.data,
      workload: this.workload,
      events: parts.events,
      license: parts.license,
      metrics: this.metrics,
      clock: parts.clock,
      send: (frame) => this.#send(frame),
      record: (kind, reason) => this.#recorder.note(kind, reason),
      eventReceived: (event) => this.emit('event', event),
      clockOffset: (estimate) => this.#checks.offsetMeasured(estimate),
    });
    this.sparkplug = parts.sparkplug?.(this) ?? null;
  }

  get status(): Status {
    return this.#driver.state.status;
  }

  get epoch(): number {
    return this.#driver.state.epoch;
  }

  /** Where the peer link listens (master), for tests that use port 0. */
  get peerPort(): number | null {
    return this.#link?.port ?? null;
  }

  set apiUrl(url: string) {
    this.#apiUrl = url;
  }

  /** The OPC UA server's status line, set once createNode started it (docs/opcua.md). */
  opcuaView: (() => OpcUaView) | null = null;

  /** The OPC UA port the peer said it serves on (0: none), or null when unknown (not linked yet, older peer). */
  peerOpcuaPort(): number | null {
    return this.#peerFrames.peer?.hello.opcuaPort ?? null;
  }

  /** What ServiceLevel needs of the redundancy state beyond the status (docs/opcua.md "ServiceLevel"). */
  redundancyHealth(): { isolationSuspected: boolean; handingOver: boolean } {
    const state = this.#driver.state;
    return {
      isolationSuspected: state.isolationReachable === false,
      handingOver: state.handover.kind === 'offered',
    };
  }

  async start(): Promise<void> {
    await this.#link?.start();
    this.#driver.start();
    this.workload.start();
    this.metrics.update(this.statusView());
  }

  /**
   * Clean stop (docs/rules.md "Roles 4"): tell the peer, hand over if active, then close everything.
   * Idempotent.
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const { pingTimeoutMs } = this.settings.timing;
      await new Promise<void>((resolve) => {
        this.#whenStopped = resolve;
        // The machine bounds the hand-over by the ping timeout; this is only a guard against a stuck link.
        setTimeout(resolve, pingTimeoutMs + 1000).unref();
        this.#driver.dispatch({ type: 'stop-requested' });
        if (this.#driver.state.stopped) resolve();
      });
      this.#driver.halt();
      this.#checks.stop();
      await this.sparkplug?.stop();
      await this.workload.stop();
      await this.#link?.close();
      this.emit('stopped');
    })();
    return this.#stopping;
  }

  /** Undoes a start that failed half-way: no hand-over, no events, just release the ports and timers. */
  async abandon(): Promise<void> {
    this.#checks.stop();
    this.#driver.halt();
    await this.sparkplug?.stop();
    await this.workload.stop();
    await this.#link?.close();
    await this.#walSync.close();
  }

  /** Close the database last, after the API has stopped answering. */
  async closeStore(): Promise<void> {
    await this.#walSync.close();
    if (this.#p.db.open) this.#p.db.close();
  }

  requestSwitchover(): void {
    this.#driver.dispatch({ type: 'switchover-requested' });
  }

  listEvents(limit: number, kinds?: readonly EventKind[]): FailoverEvent[] {
    return this.#p.events.list(limit, kinds);
  }

  listCertificates(): CertificateRecord[] {
    return this.#certificates.list();
  }

  /** The operator's decision on a certificate (node/certificate-decisions.ts); `shared`: the peer holds it too. */
  decideCertificate(
    fingerprint: string,
    decision: 'trusted' | 'rejected',
  ): Promise<(CertificateRecord & { readonly shared: boolean }) | undefined> {
    return this.#certificates.decide(fingerprint, decision);
  }

  statusView(): StatusView {
    return statusViewOf({
      settings: this.settings,
      nodeId: this.nodeId,
      startedAt: this.#startedAt,
      apiUrl: this.#apiUrl,
      identity: this.#p.identity,
      license: this.#p.license,
      version: this.#p.version,
      state: this.#driver.state,
      peer: this.#peerFrames.peer,
      link: this.#link,
      checks: this.#checks,
      eventsReplicated: this.#p.events.count(),
      sync: this.data.syncView(),
      opcua: this.opcuaView?.() ?? null,
      sparkplug: this.sparkplug?.view() ?? null,
    });
  }

  #makeLink(): PeerLink {
    const link = new PeerLink({
      ...peerLinkOptionsOf(this.settings, this.#p.identity),
      trust: (info, pem) => this.#trust(info, pem),
      hello: () => this.#hello(),
      checkHello: (hello) => this.#checkHello(hello),
      clock: this.#p.clock,
      logger: this.#p.logger,
    });
    link.on('state', (state, reason) => {
      this.#checks.linkState(state, reason);
      this.emit('link', state, reason);
    });
    link.on('up', (hello, certificate) => {
      this.#recorder.peerLinked(hello);
      this.#checks.peerHello(hello, this.#p.clock.now());
      this.#peerFrames.linkUp(hello, certificate);
    });
    link.on('down', () => this.#peerFrames.linkDown());
    link.on('frame', (frame) => this.#peerFrames.routeOrDrop(frame, link, this.#p.logger));
    link.on('unverified', () => this.#driver.dispatch({ type: 'peer-unverified' }));
    return link;
  }

  #trust(info: CertificateInfo, pem: string): 'trusted' | 'pending' | 'rejected' {
    this.#checks.certificateSeen(info.fingerprint === this.#p.identity.info.fingerprint);
    return this.#certificates.peerSeen(info, pem);
  }

  #hello(): Hello {
    return helloOf({
      settings: this.settings,
      nodeId: this.nodeId,
      state: this.#driver.state,
      startedAt: this.#startedAt,
      version: this.#p.version,
      apiUrl: this.#apiUrl,
      license: this.#p.license,
      now: this.#p.clock.now(),
    });
  }

  /** Same-mode peers, other pair names and the same node twice end the link as `faulted` (docs/redundancy.md). */
  #checkHello(hello: Hello): string | null {
    const problem = helloProblem(
      { nodeId: this.nodeId, name: this.settings.name, mode: this.settings.mode },
      hello,
    );
    if (problem) this.#checks.helloRefused(problem);
    return problem;
  }

  #send(frame: Frame | PeerFrame): void {
    this.#peerFrames.sending(frame);
    this.#link?.send(this.#recorder.forPeer(frame));
  }

  /** A reason with the cause it hides, when there is one (PairChecks.explain). */
  #explain(reason: string): string {
    return this.#checks.explain(reason, this.#driver.state.peer.status !== null, this.#link?.reason ?? null);
  }

  #onStatusChanged(status: Status, epoch: number, rawReason: string): void {
    const reason = this.#explain(rawReason);
    if (status === 'active') this.#recorder.storing(`epoch ${epoch}`, () => this.#p.meta.setEpoch(epoch));
    this.#p.logger.info({ status, epoch, reason }, `node is ${status}`);
    this.data.statusChanged(status);
    this.metrics.update(this.statusView());
    this.workload.statusChanged(status);
    this.emit('status', status, reason);
  }

  #recordMachineEvent(event: RecordedEvent): void {
    if (event.kind === 'role-change' && event.to === 'active') this.metrics.failover();
    this.#recorder.record(event.kind, event.from, event.to, this.#explain(event.reason), event.durationMs);
  }
}
